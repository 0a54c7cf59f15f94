"""Track management: track score (SPRT) or M-of-N confirmation, coasting and deletion, vectorised
over the table."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from dronewatch.tracking import gating
from dronewatch.tracking.prediction import combined_at
from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.state import TrackTable

TENTATIVE, CONFIRMED, COASTING = 0, 1, 2
STATUS_NAMES = ("tentative", "confirmed", "coasting")


class ScoreLimits(NamedTuple):
    """Track-score figures from the sensor's Pd and clutter density and the SPRT error rates."""

    confirm: float  # confirm at or above (Wald's upper threshold ln((1 - beta) / alpha))
    tentative_delete: float  # delete a tentative track at or below (ln(beta / (1 - alpha)))
    delete_drop: float  # delete a confirmed track this far below its peak (ln(1 / score_delete_prob))
    show_drop: float  # show a confirmed track while less than this below its peak
    miss: float  # score change of a scan without a plot: ln(1 - Pd)
    hit_bias: float  # score change of a plot: hit_bias + log N(residual; 0, S) = ln(Pd N / clutter density)


def score_limits(cfg: TrackerConfig, pd: float | None = None, clutter_per_m3: float | None = None) -> ScoreLimits:
    """The SPRT thresholds of ``cfg`` with a sensor's Pd and clutter density (default: ``cfg``'s)."""
    a, b = cfg.score_false_track, cfg.score_true_loss
    pd = cfg.pd if pd is None else pd
    clutter = cfg.clutter_per_m3 if clutter_per_m3 is None else clutter_per_m3
    return ScoreLimits(confirm=math.log((1 - b) / a), tentative_delete=math.log(b / (1 - a)),
                       delete_drop=-math.log(cfg.score_delete_prob), show_drop=-math.log(cfg.score_show_prob),
                       miss=math.log(1.0 - pd), hit_bias=math.log(pd) - math.log(clutter))


def score_hits(table: TrackTable, rows: np.ndarray, loglik: np.ndarray, lim: ScoreLimits) -> None:
    """Rows updated by plots of log-likelihood ``loglik`` (under their predicted mixture) gain
    ln(Pd N(z) / clutter density) each; the peak follows."""
    np.add.at(table.score, rows, lim.hit_bias + loglik)
    table.score_peak[rows] = np.maximum(table.score_peak[rows], table.score[rows])


def record_scan(
    table: TrackTable, rows_seen: np.ndarray, rows_hit: np.ndarray, hit_at: np.ndarray,
    at: float, scan_s: float, miss_score: float = 0.0, whole_scan: bool = False,
) -> None:
    """Scan bookkeeping for one batch of a non-cooperative sensor with revisit time ``scan_s``.

    A rotating radar delivers one scan in several batches (plots are stamped as the beam
    passes), so outcomes are counted per scan *period*, not per batch: a hit in a new period
    shifts in a 1; a track in cover with no hit for 1.5 periods shifts in a 0 per period missed
    (and its score changes by ``miss_score``). With ``whole_scan`` the batch is a whole scan (a
    plot sensor's scan): every seen track without a hit missed it once.
    rows_hit were updated at hit_at; ``at`` is the batch's latest instant.
    """
    hit = np.zeros(len(table), dtype=bool)
    hit[rows_hit] = True
    seen = np.zeros(len(table), dtype=bool)
    seen[rows_seen] = True
    hit_time = np.full(len(table), at)
    hit_time[rows_hit] = hit_at
    since = at - table.scan_mark_at
    new_period = hit if whole_scan else hit & (hit_time - table.scan_mark_at >= 0.5 * scan_s)
    table.hits[new_period] = (table.hits[new_period] << 1) | 1
    table.hits[hit & ~new_period] |= 1
    table.scan_mark_at[new_period] = hit_time[new_period]
    missed = seen & ~hit & (True if whole_scan else since >= 1.5 * scan_s)
    table.hits[missed] <<= 1
    table.scan_mark_at[missed] += scan_s
    table.score[missed] += miss_score
    table.hits &= (1 << 31) - 1


def confirm(table: TrackTable, cfg: TrackerConfig) -> None:
    """Promote tentative tracks whose score reached the SPRT threshold (every track with
    ``track_score``, a radar's tracks (``scored``) with ``radar_score``; the others: M of the last N
    scans) or that had enough identity reports."""
    by_score = table.score >= score_limits(cfg).confirm
    if cfg.track_score:
        sensed = by_score
    else:
        sensed = np.bitwise_count(table.hits & ((1 << cfg.confirm_n) - 1)) >= cfg.confirm_m
        if cfg.radar_score:
            sensed = np.where(table.scored, by_score, sensed)
    table.confirmed |= sensed | (table.coop_updates >= cfg.coop_confirm)


def status_codes(table: TrackTable, now: float, cfg: TrackerConfig) -> np.ndarray:
    """(N,) TENTATIVE / CONFIRMED / COASTING at ``now``."""
    codes = np.where(table.confirmed, CONFIRMED, TENTATIVE)
    codes[table.confirmed & (now - table.last_update_at > cfg.coast_s)] = COASTING
    return codes


def stale_rows(table: TrackTable, now: float, cfg: TrackerConfig) -> np.ndarray:
    """Rows to delete at ``now``: silent longer than their timeout (tentative sooner), scored ones
    whose score fell (see ``confirm``), or outside the covered area ``area_m`` if one is set."""
    limit = np.where(table.confirmed, cfg.delete_s, cfg.tentative_delete_s)
    gone = now - table.last_update_at > limit
    if cfg.track_score or cfg.radar_score:
        lim = score_limits(cfg)
        # strictly below (a tie, e.g. Pd 0.9 and 1e-3 after three misses, keeps the track)
        by_score = np.where(table.confirmed, table.score_peak - table.score > lim.delete_drop + 1e-9,
                            table.score <= lim.tentative_delete)
        if not cfg.track_score:  # a radar's tracks only, and not while identity reports vouch for one
            by_score &= table.scored & (table.coop_updates == 0)
        gone |= by_score
    if cfg.area_m is not None:
        e0, e1, n0, n1 = cfg.area_m
        e, n = table.x[:, 0], table.x[:, 1]
        gone |= (e < e0) | (e > e1) | (n < n0) | (n > n1)
    return np.flatnonzero(gone)


def reacquisitions(table: TrackTable, now: float, cfg: TrackerConfig) -> list[tuple[int, int]]:
    """(old row, new row) pairs: a track born after an older one went silent, inside that one's gate.

    The newer track is the same object seen again (after a gate miss); the older id should live on.
    Not when the newer track's first plot came in the scan that gave the older one its last plot
    (``born_scan`` == ``last_scan``: a radar batch holds one plot per object): two objects.
    A newer track already shown under its own id (``shown``) keeps it: renaming a track an operator
    has seen would swap identities whenever the silent one was another object.
    """
    silent = np.flatnonzero(table.confirmed & (now - table.last_update_at > cfg.coast_s))
    if len(silent) == 0:
        return []
    # only the silent tracks and the younger ones that could be them need a state at now
    cand = np.flatnonzero((table.first_seen_at > table.last_update_at[silent].min()) & (table.updates >= 2)
                          & ~table.shown)
    out: list[tuple[int, int]] = []
    if len(cand) == 0:
        return out
    need = np.union1d(silent, cand)
    xn, Pn = combined_at(table, cfg, need, now)
    si, ci = np.searchsorted(need, silent), np.searchsorted(need, cand)
    # k-d tree pre-gate: d² <= chi² needs |offset|² <= chi² trace(P_old + P_young)
    tr = np.trace(Pn[:, :3, :3], axis1=1, axis2=2)
    radius = np.sqrt(cfg.reacquire_chi2 * (tr[si] + tr[ci].max()))
    qi, ri = gating.neighbours(xn[si, :3], radius, xn[ci, :3])
    used: set[int] = set()
    cut = np.flatnonzero(np.diff(qi)) + 1  # one group of young candidates per silent track with any
    for k, yi in zip(qi[np.r_[0, cut]].tolist(), np.split(ri, cut), strict=True) if len(qi) else ():
        old = int(silent[k])
        young = cand[yi]
        # born after old's last update, and not in the same scan: a scan with one plot per object
        # (a radar batch) that gave old its last plot and young its first saw two objects
        ok = ((table.first_seen_at[young] > table.last_update_at[old])
              & ((table.born_scan[young] < 0) | (table.born_scan[young] != table.last_scan[old]))
              & ~np.isin(young, list(used)))
        yi, young = yi[ok], young[ok]
        if len(young) == 0:
            continue
        o = si[k]
        d2 = gating.mahalanobis2(xn[ci[yi], :3] - xn[o, :3], Pn[ci[yi], :3, :3] + Pn[o, :3, :3])
        best = int(np.argmin(d2))
        if d2[best] <= cfg.reacquire_chi2:
            used.add(int(young[best]))
            out.append((old, int(young[best])))
    return out
