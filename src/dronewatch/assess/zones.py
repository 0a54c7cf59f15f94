"""Protected zones as prepared shapely geometries in site ENU metres, with the geometry rules need.

A zone is a 2-D area (polygon of [lat, lon] points, or a circle) between ``floor_m`` and
``ceiling_m`` (metres above the origin's ground = ENU ``u``). Geometries are built once, in the
site frame, and prepared, so each test is a fast shapely call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from dronewatch.config import Zone
from dronewatch.geo import SiteFrame
from dronewatch.model import Severity, Track

Vec3 = tuple[float, float, float]

_CIRCLE_QUAD_SEGS = 32  # 128-gon: radius error below 0.03 %
_STILL_M = 1e-6  # a path shorter than this over the horizon is a point


class ZoneShape:
    """One zone in site ENU: containment, distance and straight-line time to entry."""

    def __init__(self, zone: Zone, frame: SiteFrame) -> None:
        self.zone = zone
        self.area = _area(zone, frame)
        shapely.prepare(self.area)
        self._bounds = tuple(float(b) for b in self.area.bounds)  # min e, min n, max e, max n

    @property
    def name(self) -> str:
        return self.zone.name

    @property
    def severity(self) -> Severity:
        return self.zone.severity

    def contains(self, enu_m: Vec3, margin_m: float = 0.0) -> bool:
        """Inside the area (boundary included) and floor <= u <= ceiling; with ``margin_m``,
        inside the volume grown by that much (area and height)."""
        return bool(self.contains_all(np.array([enu_m], dtype=float), margin_m)[0])

    def contains_all(self, enu_m: np.ndarray, margin_m: float = 0.0) -> np.ndarray:
        """``contains`` for each row of an (N, 3) array of ENU points, in one shapely call each
        for the area and the margin test (booleans, shape (N,))."""
        e, n, u = enu_m[:, 0], enu_m[:, 1], enu_m[:, 2]
        inside = (self.zone.floor_m - margin_m <= u) & (u <= self.zone.ceiling_m + margin_m)
        rows = np.flatnonzero(inside)
        if rows.size:
            inside[rows] = shapely.intersects_xy(self.area, e[rows], n[rows])
        if margin_m > 0:
            rows = rows[~inside[rows]]
            if rows.size:
                inside[rows] = shapely.dwithin(self.area, shapely.points(e[rows], n[rows]), margin_m)
        return inside

    def distance_m(self, enu_m: Vec3) -> float:
        """3-D distance from a point to the zone's volume (0 inside)."""
        return float(self.distance_all(np.array([enu_m], dtype=float))[0])

    def distance_all(self, enu_m: np.ndarray) -> np.ndarray:
        """``distance_m`` for each row of an (N, 3) array of ENU points."""
        horizontal_m = shapely.distance(self.area, shapely.points(enu_m[:, 0], enu_m[:, 1]))
        u = enu_m[:, 2]
        vertical_m = np.maximum(np.maximum(self.zone.floor_m - u, u - self.zone.ceiling_m), 0.0)
        out = np.asarray(horizontal_m, dtype=float).copy()
        for row in np.flatnonzero(vertical_m > 0):  # math.hypot, as a point at a time would
            out[row] = math.hypot(out[row], vertical_m[row])
        return out

    def time_to_entry_s(self, enu_m: Vec3, vel_enu_mps: Vec3, horizon_s: float) -> float | None:
        """Seconds until the straight-line path at constant velocity is inside the zone, within
        ``horizon_s``; 0 if inside now; None if it does not get there in time."""
        t_s = float(self.time_to_entry_all(np.array([enu_m], dtype=float), np.array([vel_enu_mps], dtype=float),
                                           horizon_s)[0])
        return None if math.isnan(t_s) else t_s

    def time_to_entry_all(self, enu_m: np.ndarray, vel_enu_mps: np.ndarray, horizon_s: float) -> np.ndarray:
        """``time_to_entry_s`` for each row of (N, 3) arrays of positions and velocities (NaN
        where it does not get there in time). The paths whose box meets the area's are tested
        against it in one prepared shapely call, and those that meet it are cut in one more."""
        count = len(enu_m)
        out = np.full(count, np.nan)
        t_lo, t_hi, windowed = _vertical_windows(enu_m[:, 2], vel_enu_mps[:, 2], self.zone.floor_m,
                                                 self.zone.ceiling_m, horizon_s)
        intervals: dict[int, list[tuple[float, float]]] = {}
        paths: list[int] = []  # rows whose path may cross the area
        path_m = np.zeros(count)
        e0, n0 = enu_m[:, 0], enu_m[:, 1]
        ve, vn = vel_enu_mps[:, 0], vel_enu_mps[:, 1]
        e1, n1 = e0 + ve * horizon_s, n0 + vn * horizon_s
        min_e, min_n, max_e, max_n = self._bounds
        # the path's box misses the area's: most tracks, most zones, no shapely call
        boxed = ~((np.maximum(e0, e1) < min_e) | (np.minimum(e0, e1) > max_e)
                  | (np.maximum(n0, n1) < min_n) | (np.minimum(n0, n1) > max_n))
        # a still path (shorter than _STILL_M) has |ve| + |vn| below 2 _STILL_M / horizon
        crawling = (np.abs(ve) + np.abs(vn)) * horizon_s < 2 * _STILL_M
        for row in np.flatnonzero(windowed & (boxed | crawling)).tolist():
            path_m[row] = math.hypot(float(ve[row]), float(vn[row])) * horizon_s
            if path_m[row] < _STILL_M:
                still_in = shapely.intersects_xy(self.area, float(e0[row]), float(n0[row]))
                intervals[row] = [(0.0, horizon_s)] if still_in else []
            elif boxed[row]:
                paths.append(row)
        if paths:
            rows = np.array(paths)
            lines = shapely.linestrings(np.stack([np.column_stack([e0[rows], n0[rows]]),
                                                  np.column_stack([e1[rows], n1[rows]])], axis=1))
            met = shapely.intersects(self.area, lines)  # prepared: much cheaper than the intersection
            rows, lines = rows[met], lines[met]
            parts, of_line = shapely.get_parts(shapely.intersection(self.area, lines), return_index=True)
            keep = ~shapely.is_empty(parts)
            parts, of_line = parts[keep], of_line[keep]
            coords, of_part = shapely.get_coordinates(parts, return_index=True)
            line_of_point = of_line[of_part]
            at_s = (shapely.line_locate_point(lines[line_of_point], shapely.points(coords))
                    / path_m[rows[line_of_point]] * horizon_s)
            if len(parts):
                first = np.searchsorted(of_part, np.arange(len(parts)))  # each part's first point
                starts, ends = np.minimum.reduceat(at_s, first), np.maximum.reduceat(at_s, first)
                for part, line in enumerate(of_line):
                    intervals.setdefault(int(rows[line]), []).append((float(starts[part]), float(ends[part])))
        for row, spans in intervals.items():  # rows with no window have no intervals
            lo_s, hi_s = float(t_lo[row]), float(t_hi[row])
            for start_s, end_s in sorted(spans):
                entry_s = max(start_s, lo_s)
                if entry_s <= min(end_s, hi_s):
                    out[row] = entry_s
                    break
        return out


class ZoneQueries:
    """Where a set of tracks stands against every zone (site order) at one instant. Each query
    runs once per zone for all the tracks (``ZoneShape.*_all``, a few shapely calls) and is kept,
    so the step's rules share it; ``select`` gives the same answers for a subset of the tracks."""

    def __init__(self, zones: Sequence[ZoneShape], tracks: Sequence[Track]) -> None:
        self.zones = zones
        self._tracks = list(tracks)
        self._row = {id(t): i for i, t in enumerate(self._tracks)}
        self._enu = np.array([t.enu_m for t in self._tracks], dtype=float).reshape(-1, 3)
        self._vel = np.array([t.vel_enu_mps for t in self._tracks], dtype=float).reshape(-1, 3)
        self._inside: dict[int, np.ndarray] = {}
        self._distance: dict[int, np.ndarray] = {}
        self._entry: dict[tuple[int, float], np.ndarray] = {}

    def select(self, tracks: Sequence[Track]) -> ZoneQueries:
        """The queries of ``tracks`` (in their order), answered from these when every one of
        them is one of these tracks (the same object), else computed afresh."""
        rows = [self._row.get(id(t)) for t in tracks]
        if any(r is None for r in rows):
            return ZoneQueries(self.zones, tracks)
        return _Selected(self, np.array(rows, dtype=np.intp))

    def inside(self, z: int) -> np.ndarray:
        """Per track: inside zone ``z`` (``ZoneShape.contains``, no margin)."""
        if z not in self._inside:
            self._inside[z] = self.zones[z].contains_all(self._enu)
        return self._inside[z]

    def inside_with(self, z: int, margin_m: float, held: np.ndarray) -> np.ndarray:
        """Per track: inside zone ``z``, the tracks where ``held`` is true with ``margin_m``."""
        out = self.inside(z).copy()
        rows = np.flatnonzero(held & ~out)  # inside without the margin is inside with it
        if rows.size:
            out[rows] = self.zones[z].contains_all(self._enu[rows], margin_m)
        return out

    def distance(self, z: int) -> np.ndarray:
        """Per track: 3-D distance to zone ``z`` (``ZoneShape.distance_m``)."""
        if z not in self._distance:
            self._distance[z] = self.zones[z].distance_all(self._enu)
        return self._distance[z]

    def entry_s(self, z: int, horizon_s: float) -> np.ndarray:
        """Per track outside zone ``z``: ``ZoneShape.time_to_entry_s`` (NaN: not within
        ``horizon_s``); NaN for the tracks inside."""
        key = (z, horizon_s)
        if key not in self._entry:
            out = np.full(len(self._tracks), np.nan)
            rows = np.flatnonzero(~self.inside(z))
            out[rows] = self.zones[z].time_to_entry_all(self._enu[rows], self._vel[rows], horizon_s)
            self._entry[key] = out
        return self._entry[key]


class _Selected(ZoneQueries):
    """A subset of another ``ZoneQueries``' tracks, answered from its kept queries."""

    def __init__(self, base: ZoneQueries, rows: np.ndarray) -> None:
        self.zones, self._base, self._rows = base.zones, base, rows

    def select(self, tracks: Sequence[Track]) -> ZoneQueries:
        return self._base.select(tracks)

    def inside(self, z: int) -> np.ndarray:
        return self._base.inside(z)[self._rows]

    def inside_with(self, z: int, margin_m: float, held: np.ndarray) -> np.ndarray:
        full = np.zeros(len(self._base._tracks), dtype=bool)
        full[self._rows] = held
        return self._base.inside_with(z, margin_m, full)[self._rows]

    def distance(self, z: int) -> np.ndarray:
        return self._base.distance(z)[self._rows]

    def entry_s(self, z: int, horizon_s: float) -> np.ndarray:
        return self._base.entry_s(z, horizon_s)[self._rows]


def build_zones(zones: Sequence[Zone], frame: SiteFrame) -> list[ZoneShape]:
    """Every site zone, in site order."""
    return [ZoneShape(zone, frame) for zone in zones]


def _area(zone: Zone, frame: SiteFrame) -> BaseGeometry:
    if zone.circle is not None:
        e, n, _ = frame.ground_to_enu(zone.circle.lat, zone.circle.lon, 0.0)
        return Point(float(e), float(n)).buffer(zone.circle.radius_m, quad_segs=_CIRCLE_QUAD_SEGS)
    assert zone.polygon is not None  # Zone guarantees exactly one of polygon / circle

    def ring(points: list[tuple[float, float]]) -> np.ndarray:
        lat = np.array([p[0] for p in points], dtype=float)
        lon = np.array([p[1] for p in points], dtype=float)
        e, n, _ = frame.ground_to_enu(lat, lon, np.zeros_like(lat))
        return np.column_stack([e, n])

    polygon = Polygon(ring(zone.polygon), [ring(h) for h in zone.holes])
    return polygon if polygon.is_valid else shapely.make_valid(polygon)


def _vertical_windows(
    u: np.ndarray, vu: np.ndarray, floor_m: float, ceiling_m: float, horizon_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the time interval [t_lo, t_hi] within [0, horizon_s] when floor <= u + vu t <=
    ceiling, and whether there is one (the same floats a row at a time would give: Python's
    ``sorted``, ``max(0.0, t)`` and ``min(horizon_s, t)`` written as ``np.where``)."""
    level = np.abs(vu) < 1e-9
    rate = np.where(level, 1.0, vu)
    t_a, t_b = (floor_m - u) / rate, (ceiling_m - u) / rate
    first, last = np.where(t_b < t_a, t_b, t_a), np.where(t_b < t_a, t_a, t_b)
    t_lo = np.where(level, 0.0, np.where(first > 0.0, first, 0.0))
    t_hi = np.where(level, horizon_s, np.where(last < horizon_s, last, horizon_s))
    ok = np.where(level, (floor_m <= u) & (u <= ceiling_m), t_lo <= t_hi)
    return t_lo, t_hi, ok
