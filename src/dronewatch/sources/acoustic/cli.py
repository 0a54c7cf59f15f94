"""``dronewatch listen``: run the acoustic detector on a WAV file, a WAV stream on stdin, raw PCM
over UDP or a sound card, print one line per 1 s window and a summary, and optionally send the
detections as Reports to a running ``dronewatch serve`` (its UDP input, link ``dw-report``).

Errors never show a traceback: one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import numpy as np

from dronewatch.sources.acoustic.detector import StreamDetector, Summary, WindowResult
from dronewatch.sources.acoustic.wav import WavError, read_wav, stream_wav

MAX_DATAGRAM = 65535


class ListenError(Exception):
    """A problem the user can fix; ``str()`` is the one line printed."""


def _host_port(spec: str, what: str) -> tuple[str, int]:
    host, _, port = spec.rpartition(":")
    try:
        return host.strip("[]") or "127.0.0.1", int(port)
    except ValueError:
        raise ListenError(f"{what}: expected HOST:PORT, got {spec!r}") from None


def udp_blocks(spec: str, rate: int, seconds: float | None) -> Iterator[np.ndarray]:
    """Raw little-endian int16 mono PCM datagrams on HOST:PORT; an empty datagram ends the stream."""
    addr = _host_port(spec, "--udp")
    sock = socket.socket(socket.AF_INET6 if ":" in addr[0] else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(addr)
    sock.settimeout(0.5)
    got = 0
    try:
        while seconds is None or got < seconds * rate:
            try:
                data = sock.recv(MAX_DATAGRAM)
            except TimeoutError:
                continue
            if not data:
                return
            pcm = np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
            got += len(pcm)
            yield (pcm.astype(np.float64) / 32768.0).astype(np.float32)
    finally:
        sock.close()


def device_blocks(device: str, rate: int, seconds: float | None) -> Iterator[np.ndarray]:
    """Mono float32 blocks from a sound card through ``sounddevice`` (optional extra ``audio``)."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as err:
        raise ListenError("live sound-card input needs the optional extra: pip install 'dronewatch[audio]' "
                          f"(and the PortAudio library): {err}") from None
    dev: int | str = int(device) if device.isdigit() else device
    got = 0
    try:
        with sd.InputStream(device=dev, channels=1, samplerate=rate, dtype="float32", blocksize=rate // 2) as stream:
            while seconds is None or got < seconds * rate:
                block, _overflow = stream.read(rate // 2)
                got += len(block)
                yield np.asarray(block, dtype=np.float32).mean(axis=1)
    except sd.PortAudioError as err:
        raise ListenError(f"sound card {device!r}: {err}") from None


class ReportSender:
    """Detections -> Reports (``reports.detection_report``) -> UDP datagrams to ``serve``."""

    def __init__(self, site: Path, sensor_id: str, target: str, threshold: float) -> None:
        from dronewatch.config import ConfigError, load_site

        try:
            loaded = load_site(site)
        except ConfigError as err:
            raise ListenError(str(err)) from None
        spec = next((s for s in loaded.sensors if s.id == sensor_id), None)
        if spec is None or spec.kind != "acoustic":
            raise ListenError(f"{site}: $.sensors: no sensor of kind acoustic with id {sensor_id!r}")
        self.spec = spec
        self.addr = _host_port(target, "--send")
        self.threshold = threshold
        self.sock = socket.socket(socket.AF_INET6 if ":" in self.addr[0] else socket.AF_INET, socket.SOCK_DGRAM)
        self.seq = 0
        self.started_at = time.time()

    def window(self, res: WindowResult) -> None:
        from dronewatch.model import REPORT_ENCODER
        from dronewatch.sources.acoustic.reports import Detection, detection_report

        if res.cls == "background" or max(res.proba) < self.threshold:
            return
        self.seq += 1
        at = self.started_at + res.t_s + res.dur_s
        report = detection_report(self.spec, Detection(at=at, cls=res.cls, confidence=max(res.proba)), self.seq)
        self.sock.sendto(REPORT_ENCODER.encode(report), self.addr)


def _print_window(res: WindowResult, json_out: bool, out: TextIO) -> None:
    if json_out:
        out.write(json.dumps(res.as_json()) + "\n")
    else:
        out.write(f"{res.t_s:8.1f} s  {res.cls:<10}  p(drone) {res.drone_p:.2f}\n")
    out.flush()


def _print_summary(s: Summary, json_out: bool, out: TextIO) -> None:
    if json_out:
        out.write(json.dumps(s.as_json()) + "\n")
    else:
        verdict = "DRONE DETECTED" if s.cls == "drone" else "no drone"
        out.write(f"summary: {s.cls} ({verdict}), p(drone) {s.drone_p:.2f} over {s.duration_s:.1f} s "
                  f"in {s.windows} windows\n")
    out.flush()


def _blocks(source: str | None, udp: str | None, device: str | None, rate: int,
            seconds: float | None) -> tuple[int, Iterator[np.ndarray]]:
    given = [x for x in (source, udp, device) if x is not None]
    if len(given) != 1:
        raise ListenError("give exactly one input: a WAV file (or - for a WAV stream on stdin), --udp or --device")
    if udp is not None:
        return rate, udp_blocks(udp, rate, seconds)
    if device is not None:
        return rate, device_blocks(device, rate, seconds)
    if source == "-":
        stream = stream_wav(sys.stdin.buffer)
        first = next(stream, None)
        if first is None:
            return 16000, iter(())
        x0, r = first

        def rest() -> Iterator[np.ndarray]:
            yield x0
            for x, _ in stream:
                yield x
        return r, rest()
    assert source is not None
    x, r = read_wav(Path(source))
    return r, iter([x])


def listen_command(source: str | None, json_out: bool, *, udp: str | None = None, device: str | None = None,
                   rate: int = 16000, seconds: float | None = None, site: Path | None = None,
                   sensor: str | None = None, send: str | None = None, threshold: float = 0.5,
                   out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the detector; 0 if a drone was detected in the summary or not, 2 on any error."""
    name = source if source not in (None, "-") else (udp or device or ("stdin" if source == "-" else "listen"))
    try:
        sender = None
        if send is not None or site is not None or sensor is not None:
            if site is None or sensor is None or send is None:
                raise ListenError("sending Reports needs all of --site, --sensor and --send")
            sender = ReportSender(site, sensor, send, threshold)
        rate_hz, blocks = _blocks(source, udp, device, rate, seconds)
        det = StreamDetector(rate_hz)
        try:
            for block in blocks:
                for res in det.feed(block):
                    _print_window(res, json_out, out)
                    if sender is not None:
                        sender.window(res)
        except KeyboardInterrupt:
            pass
        _print_summary(det.finish(), json_out, out)
        return 0
    except (WavError, ListenError) as e:
        err.write(f"error: {name}: {e}\n")
    except OSError as e:
        err.write(f"error: {name}: {e.strerror or e}\n")
    except Exception as e:  # never a traceback for a bad input: say what broke, in one line
        err.write(f"error: {name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else 'failed'}\n")
    return 2
