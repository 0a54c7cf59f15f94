"""Recorded trajectories for scenarios: a CSV with columns ``t_s,lat,lon,alt_m``, strictly checked.

``read_track_file(path)`` returns the four columns as float arrays (time strictly increasing,
at least two rows) or raises ``TrackFileError`` naming the file, the line and what was expected.
``write_track_file`` writes the same format (used to turn public recordings into track files).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

COLUMNS = ("t_s", "lat", "lon", "alt_m")


class TrackFileError(ValueError):
    """A track file is missing or malformed. ``str()`` is ``file:line: what was expected``."""

    def __init__(self, file: str, expected: str, line: int | None = None) -> None:
        self.file, self.expected, self.line = file, expected, line
        super().__init__(f"{file}:{line}: {expected}" if line else f"{file}: {expected}")


def read_track_file(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(t_s, lat, lon, alt_m)`` arrays from a track file; ``TrackFileError`` on any problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrackFileError(str(p), "track file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise TrackFileError(str(p), f"cannot read track file ({err})") from None
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise TrackFileError(str(p), f"header must be exactly {','.join(COLUMNS)}, got {','.join(header or [])!r}", 1)
    values: list[tuple[float, float, float, float]] = []
    for line_no, row in enumerate(rows, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            expected = f"expected {len(COLUMNS)} columns ({','.join(COLUMNS)}), got {len(row)}"
            raise TrackFileError(str(p), expected, line_no)
        try:
            t_s, lat, lon, alt_m = (float(cell) for cell in row)
        except ValueError:
            raise TrackFileError(str(p), f"expected numbers, got {','.join(row)!r}", line_no) from None
        if not all(math.isfinite(v) for v in (t_s, lat, lon, alt_m)):
            raise TrackFileError(str(p), "expected finite numbers", line_no)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise TrackFileError(str(p), f"lat must be in [-90, 90] and lon in [-180, 180], got {lat}, {lon}", line_no)
        if values and t_s <= values[-1][0]:
            raise TrackFileError(str(p), f"t_s must increase from row to row: {t_s} after {values[-1][0]}", line_no)
        values.append((t_s, lat, lon, alt_m))
    if len(values) < 2:
        raise TrackFileError(str(p), "a track needs at least two rows after the header")
    t, lat_a, lon_a, alt_a = np.array(values, dtype=float).T
    return t, lat_a, lon_a, alt_a


def write_track_file(
    path: str | Path, t_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt_m: np.ndarray
) -> None:
    """Write a track file (times made relative to the first row)."""
    t0 = float(t_s[0])
    lines = [",".join(COLUMNS)]
    lines += [
        f"{t - t0:.3f},{la:.7f},{lo:.7f},{al:.2f}"
        for t, la, lo, al in zip(t_s, lat, lon, alt_m, strict=True)
    ]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
