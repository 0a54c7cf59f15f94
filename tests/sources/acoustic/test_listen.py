"""``dronewatch listen``: real clips give the right summary; stdout is JSON only; bad inputs give
one line on stderr (or a valid summary), never a traceback; file, stdin and UDP agree."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from wavkit import wav_bytes

from dronewatch.sources.acoustic import synth
from dronewatch.sources.acoustic.detector import detect
from dronewatch.sources.acoustic.wav import read_wav

CLI = [sys.executable, "-m", "dronewatch.cli", "listen"]


def _listen(*args: str, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _lines(proc: subprocess.CompletedProcess[bytes]) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]  # every line must be JSON


def _check_json_run(proc: subprocess.CompletedProcess[bytes], windows: int) -> dict:
    assert proc.returncode == 0, proc.stderr.decode()
    lines = _lines(proc)
    assert len(lines) == windows + 1
    for i, w in enumerate(lines[:-1]):
        assert w["t_s"] == float(i) and 0.0 <= w["drone_p"] <= 1.0
        assert w["class"] in ("drone", "helicopter", "background")
    summary = lines[-1]
    assert summary["summary"] is True and 0.0 <= summary["drone_p"] <= 1.0
    assert summary["class"] in ("drone", "helicopter", "background")
    return summary


def _one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert proc.stdout == b""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    return err


def test_drone_clip_reads_as_drone(clips: Path) -> None:
    summary = _check_json_run(_listen(str(clips / "DRONE_001.wav"), "--json"), 10)
    assert summary["class"] == "drone" and summary["drone_p"] > 0.5


def test_background_clip_reads_as_background(clips: Path) -> None:
    summary = _check_json_run(_listen(str(clips / "BACKGROUND_002.wav"), "--json"), 10)
    assert summary["class"] == "background" and summary["drone_p"] < 0.5


def test_float_stereo_extensible_copy_gets_the_same_answer(clips: Path, tmp_path: Path) -> None:
    x, rate = read_wav(clips / "DRONE_002.wav")
    f32 = tmp_path / "drone_f32.wav"
    f32.write_bytes(wav_bytes(np.column_stack([x, x]), rate, fmt="float32", extensible=True))
    a = _lines(_listen(str(clips / "DRONE_002.wav"), "--json"))
    b = _lines(_listen(str(f32), "--json"))
    assert a == b


def test_stdin_stream_gives_the_same_lines_as_the_file(clips: Path) -> None:
    path = clips / "HELICOPTER_002.wav"
    assert _lines(_listen("-", "--json", stdin=path.read_bytes())) == _lines(_listen(str(path), "--json"))


def _wait_until_bound(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Return once a socket holds UDP 127.0.0.1:``port`` (read from /proc/net/udp, so the check
    itself never takes the port), so no datagram is sent before the listener can receive it,
    however slow the machine is."""
    wanted = f"0100007F:{port:04X}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "listen exited before binding its port"
        rows = Path("/proc/net/udp").read_text().splitlines()[1:]
        if any(row.split()[1] == wanted for row in rows):
            return
        time.sleep(0.05)
    raise AssertionError(f"listen did not bind 127.0.0.1:{port} within {timeout_s} s")


def test_udp_pcm_stream(clips: Path) -> None:
    x, rate = read_wav(clips / "DRONE_001.wav")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*CLI, "--udp", f"127.0.0.1:{port}", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        pcm = np.clip(np.round(x[: 5 * rate] * 32768), -32768, 32767).astype("<i2").tobytes()
        _wait_until_bound(port, proc)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            for i in range(0, len(pcm), 3200):
                tx.sendto(pcm[i: i + 3200], ("127.0.0.1", port))
                time.sleep(0.002)
            tx.sendto(b"", ("127.0.0.1", port))
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines[-1]["summary"] is True and len(lines) == 6, err.decode()
    expected, _ = detect(x[: 5 * rate], rate)
    assert [w["class"] for w in lines[:-1]] == [r.cls for r in expected]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.wav", b""),
        ("truncated.wav", b"RIFF\x24\x7d\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00"),
        ("notes.wav", b"shopping list: milk, eggs\nthis is not audio\n"),
        ("adpcm.wav", b"RIFF\x28\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x02\x00\x01\x00\x80\x3e\x00\x00"
                      b"\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"),
    ],
)
def test_bad_files_give_one_line_error(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _one_line_error(_listen(str(path), "--json"))


def test_missing_file_gives_one_line_error(tmp_path: Path) -> None:
    assert "no-such.wav" in _one_line_error(_listen(str(tmp_path / "no-such.wav"), "--json"))


@pytest.mark.parametrize("seconds", [0.0, 0.01, 0.2, 0.99])
def test_short_recordings_give_a_summary(tmp_path: Path, seconds: float) -> None:
    path = tmp_path / "short.wav"
    path.write_bytes(wav_bytes(np.zeros(int(16000 * seconds)), 16000))
    summary = _check_json_run(_listen(str(path), "--json"), 0)
    assert summary["class"] == "background" and summary["drone_p"] < 0.5


def test_short_drone_recording_is_judged_as_one_window(clips: Path) -> None:
    x, rate = read_wav(clips / "DRONE_001.wav")
    _, summary = detect(x[: int(0.6 * rate)], rate)
    assert summary.windows == 0 and summary.duration_s == pytest.approx(0.6, abs=1e-3)
    assert summary.cls in ("drone", "helicopter", "background") and sum(summary.proba) == pytest.approx(1.0)


def test_sound_card_without_the_extra_is_a_clear_error() -> None:
    proc = _listen("--device", "0", "--seconds", "1", "--json")
    if proc.returncode != 0:
        _one_line_error(proc)
    else:  # the extra and a sound card are present: it listened for a second
        assert _lines(proc)[-1]["summary"] is True


@pytest.mark.parametrize("kind", sorted(synth.DISTRACTORS))
def test_everyday_sounds_do_not_read_as_drone(kind: str) -> None:
    rng = np.random.default_rng(20260)  # a seed training never uses
    for _ in range(3):
        x = synth.DISTRACTORS[kind](8 * 16000, 16000, rng)
        _, summary = detect(x, 16000)
        assert summary.cls != "drone", kind
