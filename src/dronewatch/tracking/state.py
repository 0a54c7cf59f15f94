"""The track table: every track's numeric state as rows of arrays (the IMM's per-model states and
probabilities, and the mean ``x`` of their mixture; its covariance ``P`` is computed when asked, as
few rows need it), plus a small record of non-numeric facts (identity, sensors, class evidence) per
track. Deleting a row leaves nothing.

Rows are kept in track-id order (ids only grow), so iteration order is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dronewatch.model import Geodetic, Identity
from dronewatch.tracking import imm

HISTORY_LEN = 32


@dataclass(slots=True)
class TrackFacts:
    """What a track carries besides numbers."""

    sensors: set[str] = field(default_factory=set)
    identity: Identity | None = None
    other_identities: list[Identity] = field(default_factory=list)
    operator: Geodetic | None = None
    home: Geodetic | None = None
    claimed: Geodetic | None = None
    claimed_offset_m: float | None = None
    last_broadcast: Geodetic | None = None  # the identity's latest self-reported position ...
    last_broadcast_enu: tuple[float, float, float] | None = None  # ... in site ENU ...
    last_broadcast_at: float | None = None  # ... and when
    spoof_bound: bool = False  # identity was moved here from a phantom: far reports are claims only
    # Same airframe on several links (``Identity.aircraft_key``): the other identities, each
    # identity's latest broadcast (key -> (at, ENU)), whose reports move the state now, and
    # the horizontal distance between two of them heard together.
    aliases: list[Identity] = field(default_factory=list)
    heard: dict[str, tuple[float, tuple[float, float, float]]] = field(default_factory=dict)
    driven_by: str | None = None
    broadcast_offset_m: float | None = None
    class_votes: dict[str, float] = field(default_factory=dict)
    rcs_dbsm: float | None = None


class TrackTable:
    """Arrays of N live tracks. Columns: see ``_COLUMNS``; history is a (N, K, 4) ring (t, e, n, u)."""

    _COLUMNS = ("ids", "x", "xm", "Pm", "mu", "t_at", "first_seen_at", "last_update_at", "last_noncoop_at",
                "updates", "hits", "scan_mark_at", "born_scan", "last_scan", "coop_updates", "sensor_code",
                "confirmed", "shown", "score", "score_peak", "scored", "hist", "hist_count")

    def __init__(self, n_models: int = 1) -> None:
        self.n_models = n_models
        self.ids = np.zeros(0, dtype=np.int64)
        self.x = np.zeros((0, 6))  # mean of the model mixture
        self.xm = np.zeros((0, n_models, 6))  # per IMM model
        self.Pm = np.zeros((0, n_models, 6, 6))
        self.mu = np.zeros((0, n_models))  # model probabilities
        self.t_at = np.zeros(0)  # instant the state x, P refers to
        self.first_seen_at = np.zeros(0)
        self.last_update_at = np.zeros(0)
        self.last_noncoop_at = np.zeros(0)  # last radar / local update (nan: never)
        self.updates = np.zeros(0, dtype=np.int64)
        self.hits = np.zeros(0, dtype=np.int64)  # bit ring of scan outcomes, newest in bit 0
        self.scan_mark_at = np.zeros(0)  # start of the scan period the newest bit belongs to
        # serial of the scan (one plot per object: a radar batch, a plot scan) whose plot started the
        # row / last updated it; -1: another sensor's report (reacquisitions: one scan, two objects)
        self.born_scan = np.zeros(0, dtype=np.int64)
        self.last_scan = np.zeros(0, dtype=np.int64)
        self.coop_updates = np.zeros(0, dtype=np.int64)
        self.sensor_code = np.zeros(0, dtype=np.int64)  # code of a sensor its facts name (-1: none yet)
        self.confirmed = np.zeros(0, dtype=bool)
        self.shown = np.zeros(0, dtype=bool)  # confirmed at the end of an earlier step: its id may be seen
        self.score = np.zeros(0)  # track score: log-likelihood ratio target vs false track (SPRT)
        self.score_peak = np.zeros(0)  # highest score reached (deletion looks at the drop from it)
        self.scored = np.zeros(0, dtype=bool)  # a radar's plots made it: confirmed and deleted by its score
        self.hist = np.zeros((0, HISTORY_LEN, 4))
        self.hist_count = np.zeros(0, dtype=np.int64)
        self.facts: dict[int, TrackFacts] = {}
        self.next_id = 1
        self._buf = {name: getattr(self, name) for name in self._COLUMNS}  # rows [:len] are live
        self._n = self._cap = 0
        self._row: dict[int, int] | None = {}  # track id -> row; None: rebuilt when next asked

    @property
    def P(self) -> np.ndarray:
        """(N,6,6) covariance of each row's model mixture (computed, not stored)."""
        return self.cov(slice(None))

    def cov(self, rows: np.ndarray | slice) -> np.ndarray:
        """(K,6,6) covariance of the model mixture of ``rows``."""
        return imm.combine(self.xm[rows].transpose(1, 0, 2), self.Pm[rows].transpose(1, 0, 2, 3), self.mu[rows])[1]

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def row(self, track_id: int) -> int | None:
        if self._row is None:
            self._row = {tid: i for i, tid in enumerate(self.ids.tolist())}
        return self._row.get(track_id)

    def _resize(self, n: int) -> None:
        """Point every column at the first n rows of its buffer (growing the buffers, by doubling,
        to hold n): adding and removing rows then moves only the rows that change place."""
        if n > self._cap:
            cap = max(n, 2 * self._cap, 64)
            for name in self._COLUMNS:
                old = self._buf[name]
                buf = np.empty((cap, *old.shape[1:]), dtype=old.dtype)
                buf[:self._n] = old[:self._n]
                self._buf[name] = buf
            self._cap = cap
        self._n = n
        for name in self._COLUMNS:
            setattr(self, name, self._buf[name][:n])

    def add(self, x: np.ndarray, P: np.ndarray, at: np.ndarray, mu0: np.ndarray | None = None) -> np.ndarray:
        """Append k new tentative tracks (x (k,6), P (k,6,6), at (k,)), every model starting from
        x, P with probabilities mu0 (r,) (default uniform); returns their ids."""
        k, r = x.shape[0], self.n_models
        mu = np.full(r, 1.0 / r) if mu0 is None else mu0
        ids = np.arange(self.next_id, self.next_id + k, dtype=np.int64)
        self.next_id += k
        n0 = len(self)
        self._resize(n0 + k)
        new = slice(n0, n0 + k)
        self.ids[new], self.x[new] = ids, x
        self.xm[new], self.Pm[new], self.mu[new] = x[:, None], P[:, None], mu
        self.t_at[new] = self.first_seen_at[new] = self.last_update_at[new] = self.scan_mark_at[new] = at
        self.last_noncoop_at[new] = np.nan
        for name in ("updates", "hits", "coop_updates", "confirmed", "shown", "score", "score_peak", "scored",
                     "hist", "hist_count"):
            getattr(self, name)[new] = 0
        self.sensor_code[new] = self.born_scan[new] = self.last_scan[new] = -1
        for j, tid in enumerate(ids.tolist()):
            if self._row is not None:
                self._row[tid] = n0 + j
            self.facts[tid] = TrackFacts()
        return ids

    def remove(self, rows: np.ndarray) -> list[int]:
        """Delete rows (indices); returns the deleted track ids. Rows after the first deleted one
        move up (the order stays the track-id order)."""
        if len(rows) == 0:
            return []
        n = len(self)
        keep = np.ones(n, dtype=bool)
        keep[rows] = False
        first = int(np.argmin(keep))
        gone = self.ids[~keep].tolist()
        tail = np.flatnonzero(keep[first:]) + first
        for name in self._COLUMNS:
            buf = self._buf[name]
            buf[first:first + len(tail)] = buf[tail]
        self._resize(first + len(tail))
        for tid in gone:
            del self.facts[tid]
        self._row = None
        return gone

    def adopt(self, old: int, new: int) -> None:
        """Row ``old`` takes over the state and history of row ``new`` (a re-acquisition); new is
        left for the caller to remove. Facts are merged; old's identity wins, new's become conflicts."""
        for name in ("x", "xm", "Pm", "mu", "t_at", "last_update_at", "last_noncoop_at", "last_scan", "score",
                     "score_peak"):
            getattr(self, name)[old] = getattr(self, name)[new]
        self.hits[old] |= self.hits[new]
        self.confirmed[old] |= self.confirmed[new]
        self.scored[old] |= self.scored[new]
        self.updates[old] += self.updates[new]
        self.coop_updates[old] += self.coop_updates[new]
        hist = self.history(new)
        for row in hist:
            slot = self.hist_count[old] % HISTORY_LEN
            self.hist[old, slot] = row
            self.hist_count[old] += 1
        fo, fn = self.facts[int(self.ids[old])], self.facts[int(self.ids[new])]
        fo.sensors |= fn.sensors
        for cls, votes in fn.class_votes.items():
            fo.class_votes[cls] = fo.class_votes.get(cls, 0.0) + votes
        fo.rcs_dbsm = fn.rcs_dbsm if fn.rcs_dbsm is not None else fo.rcs_dbsm
        if fo.identity is None:
            fo.identity, fo.other_identities = fn.identity, fn.other_identities
            fo.operator, fo.home = fn.operator, fn.home
            fo.last_broadcast, fo.last_broadcast_enu = fn.last_broadcast, fn.last_broadcast_enu
            fo.last_broadcast_at = fn.last_broadcast_at
            fo.aliases, fo.heard, fo.driven_by = fn.aliases, fn.heard, fn.driven_by
            fo.broadcast_offset_m = fn.broadcast_offset_m
        else:  # a second identity on one object: kept as a conflict (or an alias: same airframe)
            known = {i.key for i in (fo.identity, *fo.other_identities, *fo.aliases)}
            for i in (fn.identity, *fn.other_identities, *fn.aliases):
                if i is not None and i.key not in known:
                    same = i.aircraft_key == fo.identity.aircraft_key
                    (fo.aliases if same else fo.other_identities).append(i)
            for key, heard in fn.heard.items():
                if key not in fo.heard or heard[0] > fo.heard[key][0]:
                    fo.heard[key] = heard
        fo.claimed, fo.claimed_offset_m = fn.claimed or fo.claimed, fn.claimed_offset_m or fo.claimed_offset_m

    def record(self, rows: np.ndarray) -> None:
        """Append the current (t, e, n, u) of rows to their history rings."""
        slot = self.hist_count[rows] % HISTORY_LEN
        self.hist[rows, slot, 0] = self.t_at[rows]
        self.hist[rows, slot, 1:] = self.x[rows, :3]
        self.hist_count[rows] += 1

    def history(self, row: int) -> np.ndarray:
        """(K, 4) oldest-first (t, e, n, u) of one row, K <= HISTORY_LEN."""
        c = int(self.hist_count[row])
        if c <= HISTORY_LEN:
            return self.hist[row, :c].copy()
        s = c % HISTORY_LEN
        return np.concatenate([self.hist[row, s:], self.hist[row, :s]])
