"""Track management: M-of-N confirmation, coasting and deletion, vectorised over the table."""

from __future__ import annotations

import numpy as np

from dronewatch.tracking import gating
from dronewatch.tracking.prediction import combined_at
from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.state import TrackTable

TENTATIVE, CONFIRMED, COASTING = 0, 1, 2
STATUS_NAMES = ("tentative", "confirmed", "coasting")


def record_scan(
    table: TrackTable, rows_seen: np.ndarray, rows_hit: np.ndarray, hit_at: np.ndarray,
    at: float, scan_s: float,
) -> None:
    """Scan bookkeeping for one batch of a non-cooperative sensor with revisit time ``scan_s``.

    A rotating radar delivers one scan in several batches (plots are stamped as the beam
    passes), so outcomes are counted per scan *period*, not per batch: a hit in a new period
    shifts in a 1; a track in cover with no hit for 1.5 periods shifts in a 0 per period missed.
    rows_hit were updated at hit_at; ``at`` is the batch's latest instant.
    """
    hit = np.zeros(len(table), dtype=bool)
    hit[rows_hit] = True
    seen = np.zeros(len(table), dtype=bool)
    seen[rows_seen] = True
    hit_time = np.full(len(table), at)
    hit_time[rows_hit] = hit_at
    since = at - table.scan_mark_at
    new_period = hit & (hit_time - table.scan_mark_at >= 0.5 * scan_s)
    table.hits[new_period] = (table.hits[new_period] << 1) | 1
    table.hits[hit & ~new_period] |= 1
    table.scan_mark_at[new_period] = hit_time[new_period]
    missed = seen & ~hit & (since >= 1.5 * scan_s)
    table.hits[missed] <<= 1
    table.scan_mark_at[missed] += scan_s
    table.hits &= (1 << 31) - 1


def confirm(table: TrackTable, cfg: TrackerConfig) -> None:
    """Promote tentative tracks that reached M of the last N scans or enough identity reports."""
    window = table.hits & ((1 << cfg.confirm_n) - 1)
    table.confirmed |= (np.bitwise_count(window) >= cfg.confirm_m) | (table.coop_updates >= cfg.coop_confirm)


def status_codes(table: TrackTable, now: float, cfg: TrackerConfig) -> np.ndarray:
    """(N,) TENTATIVE / CONFIRMED / COASTING at ``now``."""
    codes = np.where(table.confirmed, CONFIRMED, TENTATIVE)
    codes[table.confirmed & (now - table.last_update_at > cfg.coast_s)] = COASTING
    return codes


def stale_rows(table: TrackTable, now: float, cfg: TrackerConfig) -> np.ndarray:
    """Rows to delete at ``now``: silent longer than their timeout (tentative sooner), or outside
    the covered area ``area_m`` if one is set."""
    limit = np.where(table.confirmed, cfg.delete_s, cfg.tentative_delete_s)
    gone = now - table.last_update_at > limit
    if cfg.area_m is not None:
        e0, e1, n0, n1 = cfg.area_m
        e, n = table.x[:, 0], table.x[:, 1]
        gone |= (e < e0) | (e > e1) | (n < n0) | (n > n1)
    return np.flatnonzero(gone)


def reacquisitions(table: TrackTable, now: float, cfg: TrackerConfig) -> list[tuple[int, int]]:
    """(old row, new row) pairs: a track born after an older one went silent, inside that one's gate.

    The newer track is the same object seen again (after a gate miss); the older id should live on.
    """
    silent = np.flatnonzero(table.confirmed & (now - table.last_update_at > cfg.coast_s))
    if len(silent) == 0:
        return []
    # only the silent tracks and the younger ones that could be them need a state at now
    cand = np.flatnonzero((table.first_seen_at > table.last_update_at[silent].min()) & (table.updates >= 2))
    need = np.union1d(silent, cand)
    xp, Pp = np.zeros((len(table), 6)), np.zeros((len(table), 6, 6))
    xp[need], Pp[need] = combined_at(table, cfg, need, now)
    out: list[tuple[int, int]] = []
    used: set[int] = set()
    for old in silent.tolist():
        young = cand[table.first_seen_at[cand] > table.last_update_at[old]]
        young = np.array([y for y in young.tolist() if y not in used], dtype=np.intp)
        if len(young) == 0:
            continue
        d2 = gating.mahalanobis2(xp[young, :3] - xp[old, :3], Pp[young, :3, :3] + Pp[old, :3, :3])
        best = int(np.argmin(d2))
        if d2[best] <= cfg.reacquire_chi2:
            used.add(int(young[best]))
            out.append((old, int(young[best])))
    return out
