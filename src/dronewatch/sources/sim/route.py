"""A scenario object's waypoints in site ENU, and the speed that keeps its pinned times.

A ``Route`` is what a mover follows: points (site ENU metres, ``u`` above origin ground),
the time pinned at each (seconds from scenario start, or None) and the hold at each.
"""

from __future__ import annotations

import math

import numpy as np

from dronewatch.config import ObjectSpec
from dronewatch.geo import SiteFrame


class Route:
    """Waypoints of one object: ``points`` (m, 3) ENU, ``pinned_s``, ``hold_s``, ``loop``."""

    def __init__(self, spec: ObjectSpec, frame: SiteFrame) -> None:
        lats = np.array([w.lat for w in spec.waypoints])
        lons = np.array([w.lon for w in spec.waypoints])
        alts = np.array([w.alt_m for w in spec.waypoints])
        e, n, u = frame.ground_to_enu(lats, lons, alts)
        self.points = np.column_stack([e, n, u]).astype(float)
        self.pinned_s: list[float | None] = [w.t for w in spec.waypoints]
        self.hold_s: list[float] = [w.hold_s for w in spec.waypoints]
        self.loop = spec.loop
        self.appear_s = spec.waypoints[0].t if spec.waypoints[0].t is not None else spec.start_s
        seg = np.diff(self.points[:, :2], axis=0)
        self.leg_m = np.hypot(seg[:, 0], seg[:, 1]) if len(seg) else np.zeros(0)
        # Per point, once: whether it is a stop, and the next pinned time with the legs and holds
        # before it (``desired_speed_mps`` runs every step of every object).
        self.xy: list[list[float]] = self.points[:, :2].tolist()
        self.stops = [self.stops_at(i) for i in range(len(self))]
        self._ahead = [self._pinned_ahead(i) for i in range(len(self))]

    def __len__(self) -> int:
        return len(self.points)

    def stops_at(self, i: int) -> bool:
        """Whether the object must come to the point (a hold, or the end of a non-loop route)."""
        return self.hold_s[i] > 0 or (i == len(self) - 1 and not self.loop)

    def _pinned_ahead(self, i: int) -> tuple[float, float, float] | None:
        """From point ``i``: the next pinned time, the legs' length and the holds before it."""
        j = next((k for k in range(i, len(self)) if self.pinned_s[k] is not None), None)
        if j is None:
            return None
        pinned = self.pinned_s[j]
        assert pinned is not None
        return pinned, float(self.leg_m[i:j].sum()), sum(self.hold_s[i:j])

    def desired_speed_mps(
        self, i: int, e: float, n: float, now_s: float, lap: int, cruise: float, lo: float, hi: float
    ) -> float:
        """Speed toward point ``i`` that arrives at the next pinned point on time (else cruise)."""
        if lap > 0:
            return cruise
        ahead = self._ahead[i]
        if ahead is None:
            return cruise
        pinned, legs_m, holds_s = ahead
        x, y = self.xy[i]
        length = math.hypot(x - e, y - n) + legs_m
        left_s = pinned - now_s - holds_s
        if left_s <= 0.5:
            return hi
        return min(max(length / left_s, lo), hi)
