"""IQ recordings for the DroneID decoder: SigMF pairs and raw interleaved files, read in chunks.

SigMF: ``X.sigmf-meta`` (JSON) beside ``X.sigmf-data``. The meta is read here directly (it is
plain JSON; only ``global`` ``core:datatype``, ``core:sample_rate`` and the first capture's
``core:frequency`` matter). Data types: ``cf32_le`` (complex float32) and ``ci16_le`` (complex
int16, scaled to +-1). Raw files take the rate and format from the caller. Every problem is a
``RecordingError`` whose message is one line naming the file and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMATS: dict[str, np.dtype[Any]] = {"cf32": np.dtype("<f4"), "ci16": np.dtype("<i2")}
_SIGMF_TYPES = {"cf32_le": "cf32", "ci16_le": "ci16"}


class RecordingError(Exception):
    """A recording that cannot be read; the message is one line."""


@dataclass(frozen=True)
class Recording:
    data: Path
    rate: float
    fmt: str  # "cf32" | "ci16"
    centre_hz: float | None = None

    @property
    def bytes_per_sample(self) -> int:
        return 2 * FORMATS[self.fmt].itemsize

    @property
    def samples(self) -> int:
        return self.data.stat().st_size // self.bytes_per_sample

    @property
    def trailing_bytes(self) -> int:
        return self.data.stat().st_size % self.bytes_per_sample

    def chunks(self, size: int = 1 << 22) -> Iterator[np.ndarray]:
        """complex64 chunks of ``size`` samples (the last may be shorter)."""
        dtype = FORMATS[self.fmt]
        step = size * 2
        try:
            with self.data.open("rb") as fh:
                while True:
                    raw = np.fromfile(fh, dtype=dtype, count=step)
                    n = len(raw) // 2
                    if n == 0:
                        return
                    iq = raw[: 2 * n].astype(np.float32)
                    if self.fmt == "ci16":
                        iq *= 1.0 / 32768.0
                    yield iq.view(np.complex64)
        except OSError as e:
            raise RecordingError(f"{self.data}: {e.strerror or e}") from None


def _rate(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise RecordingError(f"{where}: core:sample_rate must be a positive number, got {value!r}")
    return float(value)


def open_sigmf(meta_path: Path) -> Recording:
    """A SigMF recording from its ``.sigmf-meta`` (or ``.sigmf-data``) path."""
    meta_path = Path(meta_path)
    if meta_path.suffix == ".sigmf-data":
        meta_path = meta_path.with_suffix(".sigmf-meta")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RecordingError(f"{meta_path}: {e.strerror or e}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RecordingError(f"{meta_path}: not valid SigMF JSON ({e})") from None
    glob = meta.get("global") if isinstance(meta, dict) else None
    if not isinstance(glob, dict):
        raise RecordingError(f"{meta_path}: no 'global' object")
    dtype = glob.get("core:datatype")
    if dtype not in _SIGMF_TYPES:
        raise RecordingError(
            f"{meta_path}: global core:datatype {dtype!r} is not supported (expected one of "
            f"{', '.join(sorted(_SIGMF_TYPES))})"
        )
    channels = glob.get("core:num_channels", 1)
    if channels != 1:
        raise RecordingError(f"{meta_path}: core:num_channels {channels!r}: only single-channel recordings")
    rate = _rate(glob.get("core:sample_rate"), str(meta_path))
    centre = None
    captures = meta.get("captures")
    if isinstance(captures, list) and captures and isinstance(captures[0], dict):
        f = captures[0].get("core:frequency")
        centre = float(f) if isinstance(f, int | float) and not isinstance(f, bool) else None
    data = meta_path.with_suffix(".sigmf-data")
    return _checked(Recording(data=data, rate=rate, fmt=_SIGMF_TYPES[dtype], centre_hz=centre))


def open_raw(path: Path, rate: float, fmt: str) -> Recording:
    if fmt not in FORMATS:
        raise RecordingError(f"{path}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    return _checked(Recording(data=Path(path), rate=_rate(rate, str(path)), fmt=fmt))


def _checked(rec: Recording) -> Recording:
    if not rec.data.is_file():
        raise RecordingError(f"{rec.data}: data file not found")
    if rec.samples == 0:
        raise RecordingError(f"{rec.data}: data file holds no complete sample")
    return rec


def open_recording(path: Path, rate: float | None = None, fmt: str | None = None) -> Recording:
    """SigMF when ``path`` ends in .sigmf-meta/.sigmf-data and no rate is given, else raw."""
    path = Path(path)
    if rate is None and path.suffix in (".sigmf-meta", ".sigmf-data"):
        return open_sigmf(path)
    if rate is None:
        raise RecordingError(f"{path}: a raw IQ file needs --rate (and --format cf32|ci16)")
    return open_raw(path, rate, fmt or "cf32")
