"""Bad recordings: a one-line error (exit 2) or zero frames (exit 0), never a traceback."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from dronewatch.sources.ocusync.cli import decode_command


def _run(path: Path, rate: float | None = None, fmt: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = decode_command(path, rate, fmt, True, out, err)
    return code, out.getvalue(), err.getvalue()


def _meta(path: Path, **glob: object) -> Path:
    g = {"core:datatype": "cf32_le", "core:sample_rate": 50e6, "core:version": "1.0.0", **glob}
    path.write_text(json.dumps({"global": g, "captures": [], "annotations": []}))
    return path


def test_truncated_recording_decodes_what_is_there(rf_meta: Path, tmp_path: Path) -> None:
    data = rf_meta.with_suffix(".sigmf-data").read_bytes()
    # cut inside burst 3's data symbols and mid-sample
    (tmp_path / "t.sigmf-data").write_bytes(data[: 185_000 * 8 + 5])
    code, out, err = _run(_meta(tmp_path / "t.sigmf-meta"))
    assert code == 0
    assert "partial sample (5 bytes ignored)" in err
    seqs = [json.loads(line)["sequence"] for line in out.splitlines()]
    assert 589 in seqs and 592 not in seqs  # complete bursts still decode, the lost one is absent
    assert "Traceback" not in err


def test_wrong_datatype_in_meta(rf_meta: Path, tmp_path: Path) -> None:
    shutil.copy(rf_meta.with_suffix(".sigmf-data"), tmp_path / "w.sigmf-data")
    code, out, err = _run(_meta(tmp_path / "w.sigmf-meta", **{"core:datatype": "ri8"}))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "core:datatype 'ri8' is not supported" in err


@pytest.mark.parametrize(
    ("glob", "needle"),
    [({"core:sample_rate": 10e6}, "below 15.36 MS/s"), ({"core:sample_rate": "fast"}, "core:sample_rate"),
     ({"core:num_channels": 2}, "single-channel")],
)
def test_bad_meta_fields(tmp_path: Path, glob: dict[str, object], needle: str) -> None:
    np.zeros(1000, np.complex64).tofile(tmp_path / "m.sigmf-data")
    code, out, err = _run(_meta(tmp_path / "m.sigmf-meta", **glob))
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err


def test_empty_data_file(tmp_path: Path) -> None:
    (tmp_path / "e.sigmf-data").write_bytes(b"")
    code, out, err = _run(_meta(tmp_path / "e.sigmf-meta"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "no complete sample" in err


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path / "none.sigmf-meta")
    assert code == 2 and err.count("\n") == 1
    (tmp_path / "j.sigmf-meta").write_text("{not json")
    code, _, err = _run(tmp_path / "j.sigmf-meta")
    assert code == 2 and err.count("\n") == 1 and "not valid SigMF JSON" in err
    code, _, err = _run(tmp_path / "raw.bin")
    assert code == 2 and "--rate" in err
    (tmp_path / "raw.bin").write_bytes(b"\0" * 64)
    code, _, err = _run(tmp_path / "raw.bin", 20e6, "cu8")
    assert code == 2 and "format 'cu8'" in err


@pytest.mark.parametrize("rate", [15.36e6, 50e6])
def test_pure_noise_gives_zero_frames(tmp_path: Path, rate: float) -> None:
    rng = np.random.default_rng(3)
    n = int(rate * 0.02)
    x = (rng.normal(size=n) + 1j * rng.normal(size=n)).astype(np.complex64)
    x[n // 2 : n // 2 + 10_000] *= 3  # a wideband noise burst: a candidate that must not sync
    x.tofile(tmp_path / "n.cf32")
    code, out, err = _run(tmp_path / "n.cf32", rate, "cf32")
    assert code == 0 and out == ""
    assert " 0 DroneID frames" in err


def test_nan_samples_do_not_break_decoding(rf_meta: Path, tmp_path: Path) -> None:
    x = np.fromfile(rf_meta.with_suffix(".sigmf-data"), dtype="<c8").copy()
    x[10_000:10_010] = np.nan
    x.tofile(tmp_path / "nan.cf32")
    code, out, _ = _run(tmp_path / "nan.cf32", 50e6, "cf32")
    assert code == 0 and '"sequence":591' in out
