"""Ground truth of a simulation: every object's sampled ENU state, interpolated at any instant.

All objects share one time grid (``step_s`` from the scenario start); a NaN row means the
object is not alive then. ``TruthTable.states_at`` interpolates linearly, vectorised over
objects, each at its own instant if wanted (a radar beam passes each one at a different time).

The table is filled as the run asks: the paths (``paths``) fill the next ``chunk`` of steps (5 s
at the default 0.1 s) when an instant past what is held is asked for; small chunks spread the
paths' work evenly over a live run instead of stalling one step a minute. A run whose whole
truth fits in ``keep_bytes`` (64 MiB: 1,000 objects for 20 minutes at 0.1 s) keeps every step,
so any past instant can be asked again; a larger one keeps the last ``block`` steps (a minute)
and the newest chunk, dropping the oldest, so memory stays flat however long the run (instants
may then go back at most one block, which the sensor models never need). The paths fill
sequentially, so the chunk size does not change a run. ``states`` gives the whole run.
"""

from __future__ import annotations

import msgspec
import numpy as np

from dronewatch.geo import SiteFrame
from dronewatch.model import ObjectClass
from dronewatch.sources.sim.paths import Path

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
    """Objects' states ``(objects, steps, 6)`` of e, n, u, ve, vn, vu on the grid, streamed from
    ``paths`` (each fills ``rows`` consecutive objects); instants are epoch seconds."""

    def __init__(self, ids: list[str], kinds: list[str], paths: list[Path], start_at: float, step_s: float,
                 steps: int, block: int = 600, keep_bytes: int = 64 << 20, chunk: int = 50) -> None:
        self.ids = ids
        self.kinds = kinds
        self.paths = paths
        self.start_at = start_at
        self.step_s = step_s
        self.steps = steps
        self.block = block
        self.chunk = max(1, min(chunk, block))
        self._lo = 0  # first grid step held
        self._held = 0  # steps held from _lo
        self._buf = np.full((len(ids), 0, 6), np.nan)  # held steps first, then room to grow
        self._keep_all = len(ids) * steps * 6 * 8 <= keep_bytes

    @property
    def _window(self) -> np.ndarray:
        return self._buf[:, :self._held]

    def _fill_next(self) -> None:
        k0 = self._lo + self._held
        n = min(self.chunk, self.steps - k0)
        if not self._keep_all and self._held >= self.block:
            drop = self._held - self.block
            self._buf = self._buf[:, drop:self._held]
            self._lo += drop
            self._held -= drop
        if self._held + n > self._buf.shape[1]:  # grow: by doubling when everything is kept
            cap = self._held + n
            if self._keep_all:
                cap = min(self.steps, max(cap, 2 * self._buf.shape[1]))
            grown = np.empty((len(self.ids), cap, 6))
            grown[:, :self._held] = self._buf[:, :self._held]
            self._buf = grown
        new = self._buf[:, self._held:self._held + n]
        r = 0
        for path in self.paths:
            path.fill(new[r:r + path.rows], k0)
            r += path.rows
        self._held += n

    def _need(self, k_max: int) -> None:
        """Make sure grid steps up to ``k_max`` are held (the paths fill forward)."""
        k_max = min(k_max, self.steps - 1)
        while self._lo + self._held <= k_max:
            self._fill_next()

    @property
    def states(self) -> np.ndarray:
        """The whole run ``(objects, steps, 6)`` in memory: for tests and calibration, asked
        before the simulation has run (a streamed window cannot go back)."""
        if self._lo != 0:
            raise RuntimeError("this run's truth streams (too large to keep): ask for .states before it runs")
        self._keep_all = True
        self._need(self.steps - 1)
        return self._window

    def _rows_at(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Window indices for grid steps ``k`` (clipped; call ``_need`` first), and where ``k`` is held."""
        if len(k) and int(k.min()) < self._lo:
            raise RuntimeError(f"truth asked {(self._lo - int(k.min())) * self.step_s:.1f} s before its window")
        held = (k >= self._lo) & (k < self._lo + self._window.shape[1])
        return np.clip(k - self._lo, 0, max(self._window.shape[1] - 1, 0)), held

    def states_at(self, at: np.ndarray | float, rows: np.ndarray | None = None) -> np.ndarray:
        """(objects, 6) state at ``at`` (one instant, or one per row); NaN rows = not alive.

        ``rows`` picks objects (default: all, in table order)."""
        steps = self.steps
        if rows is None:
            rows = np.arange(len(self.ids))
        n_obj = len(rows)
        times = np.broadcast_to(np.asarray(at, dtype=float), (n_obj,))
        x = (times - self.start_at) / self.step_s
        k = np.floor(x + 1e-9).astype(np.int64)
        frac = np.clip(x - k, 0.0, 1.0)[:, None]
        inside = (k >= 0) & (k < steps)
        if n_obj:
            self._need(int(np.clip(k, 0, steps - 1).max()) + 1)
        w0, _ = self._rows_at(np.clip(k, 0, steps - 1))
        w1, _ = self._rows_at(np.clip(k + 1, 0, steps - 1))
        a = self._window[rows, w0]
        b = self._window[rows, w1]
        # At an exact grid instant use the sample alone (the next one may be NaN: the object left).
        exact = frac[:, 0] < 1e-9
        out = np.where(exact[:, None], a, a * (1.0 - frac) + b * frac)
        out[~inside] = np.nan
        return np.asarray(out)

    def state_of(self, j: int, at: float) -> np.ndarray | None:
        """(6,) state of object ``j`` at ``at``, or None when it is not alive."""
        s = self.states_at(at, np.array([j]))[0]
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
