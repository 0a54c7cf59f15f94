"""Recorded movers: an object that follows a recorded trajectory (``track_file``) placed on the site.

The recording's first row is put at ``place.lat, place.lon`` at scenario time ``place.t0_s``;
the path is turned ``place.heading_deg`` clockwise about that point, shape and timing kept.
Heights are the recording's own changes from its first row plus the object's ``alt_m`` (never
below ground). Between rows the position is linear; the velocity is that of the segment.
``RecordedPath`` is the simulation's path for it: blocks of the scenario grid of ``e, n, u, ve,
vn, vu``, NaN before the recording starts and after it ends.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from dronewatch.config import ObjectSpec
from dronewatch.geo import SiteFrame
from dronewatch.trackfile import read_track_file


def place_recording(
    t_s: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    alt_m: np.ndarray,
    *,
    at_enu: tuple[float, float],
    heading_deg: float,
    base_alt_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(times from the first row, (rows, 3) site ENU) of a recording put at ``at_enu``."""
    local = SiteFrame(float(lat[0]), float(lon[0]), float(alt_m[0]))
    e, n, _ = (np.asarray(v, dtype=float) for v in local.to_enu(lat, lon, alt_m))
    h = math.radians(heading_deg)
    c, s = math.cos(h), math.sin(h)
    e2 = e * c + n * s + at_enu[0]  # clockwise turn: a bearing b becomes b + heading_deg
    n2 = -e * s + n * c + at_enu[1]
    u2 = np.maximum(base_alt_m + (alt_m - alt_m[0]), 0.0)
    return t_s - t_s[0], np.column_stack([e2, n2, u2])


def sample_at(t_rel: np.ndarray, enu: np.ndarray, t0_s: float, grid_s: np.ndarray) -> np.ndarray:
    """``(len(grid_s), 6)`` states at scenario times ``grid_s``: linear between the rows (times
    ``t0_s + t_rel``), the segment's velocity; NaN outside the recording."""
    out = np.full((len(grid_s), 6), np.nan)
    t_abs = t0_s + t_rel
    alive = (grid_s >= t_abs[0] - 1e-9) & (grid_s <= t_abs[-1] + 1e-9)
    if not alive.any():
        return out
    g = grid_s[alive]
    seg = np.clip(np.searchsorted(t_abs, g, side="right") - 1, 0, len(t_abs) - 2)
    seg_dt = t_abs[seg + 1] - t_abs[seg]
    frac = np.clip((g - t_abs[seg]) / seg_dt, 0.0, 1.0)[:, None]
    out[alive, :3] = enu[seg] * (1.0 - frac) + enu[seg + 1] * frac
    out[alive, 3:] = (enu[seg + 1] - enu[seg]) / seg_dt[:, None]
    return out


class RecordedPath:
    """A simulation path (``paths.Path``) following an object's ``track_file`` from its ``place``;
    blocks are interpolated as they are asked for."""

    rows = 1

    def __init__(self, spec: ObjectSpec, frame: SiteFrame, dt_s: float) -> None:
        assert spec.track_file is not None and spec.place is not None
        t_s, lat, lon, alt = read_track_file(Path(spec.track_file))
        e0, n0, _ = frame.ground_to_enu(spec.place.lat, spec.place.lon, 0.0)
        self.t_rel, self.enu = place_recording(
            t_s, lat, lon, alt, at_enu=(float(e0), float(n0)), heading_deg=spec.place.heading_deg,
            base_alt_m=spec.alt_m)
        self.t0_s = spec.place.t0_s
        self.dt_s = dt_s

    def fill(self, block: np.ndarray, k0: int) -> None:
        grid = (k0 + np.arange(block.shape[1])) * self.dt_s
        block[0] = sample_at(self.t_rel, self.enu, self.t0_s, grid)
