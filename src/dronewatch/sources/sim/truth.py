"""Ground truth of a simulation: every object's sampled ENU state, interpolated at any instant.

All objects share one time grid (``step_s`` from the scenario start); a NaN row means the
object is not alive then. ``TruthTable.states_at`` interpolates linearly, vectorised over
objects, each at its own instant if wanted (a radar beam passes each one at a different time).
"""

from __future__ import annotations

import msgspec
import numpy as np

from dronewatch.geo import SiteFrame
from dronewatch.model import ObjectClass

CLASS_OF_KIND: dict[str, ObjectClass] = {
    "multirotor": "drone",
    "fixed_wing": "drone",
    "bird": "bird",
    "aircraft": "aircraft",
}


class TruthRow(msgspec.Struct, frozen=True, kw_only=True):
    """The true state of one object: lat/lon, ``alt_m`` above the origin's ground, ENU, velocity."""

    object_id: str
    kind: str
    lat: float
    lon: float
    alt_m: float
    e: float
    n: float
    u: float
    ve: float
    vn: float
    vu: float


class TruthTable:
    """``states`` (objects, steps, 6) of e, n, u, ve, vn, vu; instants are epoch seconds."""

    def __init__(
        self, ids: list[str], kinds: list[str], states: np.ndarray, start_at: float, step_s: float
    ) -> None:
        self.ids = ids
        self.kinds = kinds
        self.states = states
        self.start_at = start_at
        self.step_s = step_s

    def states_at(self, at: np.ndarray | float, rows: np.ndarray | None = None) -> np.ndarray:
        """(objects, 6) state at ``at`` (one instant, or one per row); NaN rows = not alive.

        ``rows`` picks objects (default: all, in table order)."""
        steps = self.states.shape[1]
        if rows is None:
            rows = np.arange(self.states.shape[0])
        n_obj = len(rows)
        times = np.broadcast_to(np.asarray(at, dtype=float), (n_obj,))
        x = (times - self.start_at) / self.step_s
        k = np.floor(x + 1e-9).astype(np.int64)
        frac = np.clip(x - k, 0.0, 1.0)[:, None]
        inside = (k >= 0) & (k < steps)
        k0 = np.clip(k, 0, steps - 1)
        k1 = np.clip(k + 1, 0, steps - 1)
        a = self.states[rows, k0]
        b = self.states[rows, k1]
        # At an exact grid instant use the sample alone (the next one may be NaN: the object left).
        exact = frac[:, 0] < 1e-9
        out = np.where(exact[:, None], a, a * (1.0 - frac) + b * frac)
        out[~inside] = np.nan
        return np.asarray(out)

    def state_of(self, j: int, at: float) -> np.ndarray | None:
        """(6,) state of object ``j`` at ``at``, or None when it is not alive."""
        steps = self.states.shape[1]
        x = (at - self.start_at) / self.step_s
        k = int(np.floor(x + 1e-9))
        if k < 0 or k >= steps:
            return None
        frac = x - k
        a = self.states[j, k]
        s = a if frac < 1e-9 or k + 1 >= steps else a * (1.0 - frac) + self.states[j, k + 1] * frac
        return None if np.isnan(s[0]) else s

    def rows(self, at: float, frame: SiteFrame) -> list[TruthRow]:
        """TruthRow for every object alive at ``at``."""
        s = self.states_at(at)
        alive = ~np.isnan(s[:, 0])
        if not alive.any():
            return []
        lat, lon, alt = (np.atleast_1d(v) for v in frame.enu_to_ground(s[alive, 0], s[alive, 1], s[alive, 2]))
        idx = np.flatnonzero(alive)
        return [
            TruthRow(
                object_id=self.ids[j],
                kind=self.kinds[j],
                lat=float(lat[m]),
                lon=float(lon[m]),
                alt_m=float(alt[m]),
                e=float(s[j, 0]),
                n=float(s[j, 1]),
                u=float(s[j, 2]),
                ve=float(s[j, 3]),
                vn=float(s[j, 4]),
                vu=float(s[j, 5]),
            )
            for m, j in enumerate(idx)
        ]
