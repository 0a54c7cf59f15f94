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
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from dronewatch.config import Zone
from dronewatch.geo import SiteFrame
from dronewatch.model import Severity

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
        e, n, u = enu_m
        if not self.zone.floor_m - margin_m <= u <= self.zone.ceiling_m + margin_m:
            return False
        if shapely.intersects_xy(self.area, e, n):
            return True
        return margin_m > 0 and bool(shapely.dwithin(self.area, Point(e, n), margin_m))

    def distance_m(self, enu_m: Vec3) -> float:
        """3-D distance from a point to the zone's volume (0 inside)."""
        e, n, u = enu_m
        horizontal_m = float(shapely.distance(self.area, Point(e, n)))
        vertical_m = max(self.zone.floor_m - u, u - self.zone.ceiling_m, 0.0)
        return math.hypot(horizontal_m, vertical_m)

    def time_to_entry_s(self, enu_m: Vec3, vel_enu_mps: Vec3, horizon_s: float) -> float | None:
        """Seconds until the straight-line path at constant velocity is inside the zone, within
        ``horizon_s``; 0 if inside now; None if it does not get there in time."""
        e, n, u = enu_m
        ve, vn, vu = vel_enu_mps
        window = _vertical_window(u, vu, self.zone.floor_m, self.zone.ceiling_m, horizon_s)
        if window is None:
            return None
        t_lo, t_hi = window
        for start_s, end_s in self._horizontal_intervals(e, n, ve, vn, horizon_s):
            entry_s = max(start_s, t_lo)
            if entry_s <= min(end_s, t_hi):
                return entry_s
        return None

    def _horizontal_intervals(
        self, e: float, n: float, ve: float, vn: float, horizon_s: float
    ) -> list[tuple[float, float]]:
        """Sorted time intervals in [0, horizon_s] during which the path is inside the 2-D area."""
        path_m = math.hypot(ve, vn) * horizon_s
        if path_m < _STILL_M:
            return [(0.0, horizon_s)] if shapely.intersects_xy(self.area, e, n) else []
        e1, n1 = e + ve * horizon_s, n + vn * horizon_s
        min_e, min_n, max_e, max_n = self._bounds
        if max(e, e1) < min_e or min(e, e1) > max_e or max(n, n1) < min_n or min(n, n1) > max_n:
            return []  # the path's box misses the area's: most tracks, most zones, no shapely call
        line = LineString([(e, n), (e1, n1)])
        if not shapely.intersects(self.area, line):  # prepared: much cheaper than the intersection
            return []
        intervals = []
        for part in shapely.get_parts(self.area.intersection(line)):
            if part.is_empty:
                continue
            coords = np.asarray(part.coords)
            at_s = shapely.line_locate_point(line, shapely.points(coords)) / path_m * horizon_s
            intervals.append((float(at_s.min()), float(at_s.max())))
        return sorted(intervals)


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


def _vertical_window(
    u: float, vu: float, floor_m: float, ceiling_m: float, horizon_s: float
) -> tuple[float, float] | None:
    """The time interval within [0, horizon_s] when floor <= u + vu t <= ceiling, or None."""
    if abs(vu) < 1e-9:
        return (0.0, horizon_s) if floor_m <= u <= ceiling_m else None
    t_a, t_b = sorted(((floor_m - u) / vu, (ceiling_m - u) / vu))
    t_lo, t_hi = max(0.0, t_a), min(horizon_s, t_b)
    return (t_lo, t_hi) if t_lo <= t_hi else None
