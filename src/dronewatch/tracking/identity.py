"""Identity binding and spoof handling.

Remote ID serials and ICAO addresses stick to the track their positions associate with. A
drone may broadcast a position offset from where it truly is: its identity-only track then has
no radar support although it is inside radar coverage, while a radar track without identity
flies with the same velocity at a steady offset. ``find_spoofs`` finds such pairs (exactly one
radar candidate per phantom) and ``rebind`` moves the identity onto the sensed track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.state import TrackTable


@dataclass(frozen=True, slots=True)
class Coverage:
    """Where non-cooperative sensors (radars) see: positions (S,3) ENU, min/max range (S,)."""

    pos_enu: np.ndarray
    min_range_m: np.ndarray
    max_range_m: np.ndarray

    def inside(self, points: np.ndarray) -> np.ndarray:
        """(K,3) ENU points -> (K,) bool: seen by at least one sensor."""
        if len(self.pos_enu) == 0 or len(points) == 0:
            return np.zeros(len(points), dtype=bool)
        d = np.linalg.norm(points[:, None, :] - self.pos_enu[None, :, :], axis=2)
        return np.any((d >= self.min_range_m) & (d <= self.max_range_m), axis=1)


def _offset_drift(
    phantom: np.ndarray, sensed: np.ndarray, since_at: float
) -> tuple[float, float, int, float]:
    """Histories (K,4) t,e,n,u -> (offset drift m/s, offset scatter m, samples, mean offset m) of
    claimed-minus-sensed.

    A straight line is fitted to each axis of the offset over time: its slope is the velocity
    difference, the scatter about it (norm of per-axis RMS) says how steady the offset is.
    """
    ph = phantom[phantom[:, 0] >= since_at]
    if len(sensed) < 2 or len(ph) == 0:
        return np.inf, np.inf, 0, np.inf
    ph = ph[(ph[:, 0] >= sensed[0, 0]) & (ph[:, 0] <= sensed[-1, 0])]
    if len(ph) < 3:
        return np.inf, np.inf, len(ph), np.inf
    interp = np.stack([np.interp(ph[:, 0], sensed[:, 0], sensed[:, k]) for k in (1, 2, 3)], axis=1)
    offsets = ph[:, 1:] - interp
    dt = ph[:, 0] - ph[:, 0].mean()
    coef = np.polynomial.polynomial.polyfit(dt, offsets, 1)  # (2, 3): intercept, slope
    resid = offsets - (coef[0] + np.outer(dt, coef[1]))
    scatter = float(np.linalg.norm(np.sqrt((resid**2).mean(axis=0))))
    return float(np.linalg.norm(coef[1])), scatter, len(ph), float(np.linalg.norm(coef[0]))


def find_spoofs(
    table: TrackTable, cover: Coverage, now: float, cfg: TrackerConfig, claimed_by_other: bool = False
) -> list[tuple[int, int, float]]:
    """(phantom track id, sensed track id, mean offset m) of identity tracks to move onto radar tracks.

    With ``claimed_by_other`` the sensed track already carries another identity and must be
    within ``duplicate_m`` of the claim: a second identity claiming the same object (conflict).
    """
    n = len(table)
    if n == 0 or len(cover.pos_enu) == 0:
        return []
    has_id = np.array([table.facts[t].identity is not None for t in table.ids.tolist()], dtype=bool)
    no_support = np.isnan(table.last_noncoop_at) | (now - table.last_noncoop_at > cfg.spoof_after_s)
    phantom = (has_id & no_support & (now - table.first_seen_at >= cfg.spoof_after_s)
               & (now - table.last_update_at <= cfg.coast_s * 2))
    radar_fresh = now - table.last_noncoop_at <= cfg.coast_s * 2
    sensed = (has_id if claimed_by_other else ~has_id) & table.confirmed & radar_fresh
    if not phantom.any() or not sensed.any():
        return []
    p_rows = np.flatnonzero(phantom)
    p_rows = p_rows[cover.inside(table.x[p_rows, :3])]
    s_rows = np.flatnonzero(sensed)
    out: list[tuple[int, int, float]] = []
    taken: set[int] = set()
    for pr in p_rows.tolist():
        dv = np.linalg.norm(table.x[s_rows, 3:] - table.x[pr, 3:], axis=1)  # coarse pre-filter
        fits: list[tuple[int, float]] = []
        rivals = 0
        p_hist = table.history(pr)
        for sr in s_rows[dv <= 3.0 * cfg.spoof_vel_mps].tolist():
            # the whole overlapping history: a spoof offset stays constant through manoeuvres
            if sr == pr:
                continue
            drift, scatter, samples, offset_m = _offset_drift(p_hist, table.history(sr), -np.inf)
            if samples < cfg.spoof_min_samples or (claimed_by_other and offset_m >= cfg.duplicate_m):
                continue
            if drift <= cfg.spoof_vel_mps and scatter <= cfg.spoof_offset_std_m:
                fits.append((sr, offset_m))
            elif drift <= 2 * cfg.spoof_vel_mps and scatter <= 2 * cfg.spoof_offset_std_m:
                rivals += 1  # nearly fits: too close to call
        if len(fits) == 1 and rivals == 0 and fits[0][0] not in taken:
            taken.add(fits[0][0])
            out.append((int(table.ids[pr]), int(table.ids[fits[0][0]]), fits[0][1]))
    return out


def find_duplicates(table: TrackTable, now: float, cfg: TrackerConfig) -> list[tuple[int, int]]:
    """(older id, newer id) of live confirmed tracks that follow one object: within ``twin_m`` of
    each other over their shared history, with no drift. Candidates come from a k-d tree."""
    live = np.flatnonzero(table.confirmed & (now - table.last_update_at <= cfg.coast_s))
    if len(live) < 2:
        return []
    pairs = cKDTree(table.x[live, :3]).query_pairs(cfg.twin_m, output_type="ndarray")
    out: list[tuple[int, int]] = []
    taken: set[int] = set()
    for a, b in sorted(map(tuple, live[pairs].tolist())):
        old, new = (a, b) if table.ids[a] < table.ids[b] else (b, a)
        if old in taken or new in taken:
            continue
        drift, scatter, samples, offset_m = _offset_drift(table.history(new), table.history(old), -np.inf)
        if (samples >= cfg.spoof_min_samples and offset_m < cfg.twin_m and drift <= cfg.spoof_vel_mps
                and scatter <= cfg.spoof_offset_std_m):
            taken |= {old, new}
            out.append((int(table.ids[old]), int(table.ids[new])))
    return out


def add_claimer(table: TrackTable, id_map: dict[str, int], claimer_id: int, track_id: int) -> None:
    """A second identity claims the object ``track_id`` already carries an identity for: conflict."""
    src, dst = table.facts[claimer_id], table.facts[track_id]
    dst.other_identities += [i for i in (src.identity, *src.other_identities, *src.aliases) if i is not None]
    dst.sensors |= src.sensors
    for key, tid in list(id_map.items()):
        if tid == claimer_id:
            id_map[key] = track_id


def rebind(table: TrackTable, id_map: dict[str, int], phantom_id: int, sensed_id: int) -> None:
    """Move the phantom's identities, operator and claims onto the sensed track (phantom is then dropped)."""
    src, dst = table.facts[phantom_id], table.facts[sensed_id]
    dst.identity, dst.other_identities = src.identity, list(src.other_identities)
    dst.aliases, dst.heard, dst.driven_by = list(src.aliases), dict(src.heard), src.driven_by
    dst.broadcast_offset_m = src.broadcast_offset_m
    dst.operator, dst.home = src.operator, src.home
    dst.last_broadcast, dst.last_broadcast_enu = src.last_broadcast, src.last_broadcast_enu
    dst.last_broadcast_at = src.last_broadcast_at
    dst.claimed = src.last_broadcast
    row = table.row(sensed_id)
    if src.last_broadcast_enu is not None and src.last_broadcast_at is not None and row is not None:
        sensed = table.x[row, :3] + table.x[row, 3:] * (src.last_broadcast_at - table.t_at[row])
        dst.claimed_offset_m = float(np.linalg.norm(np.asarray(src.last_broadcast_enu) - sensed))
    dst.spoof_bound = True
    dst.sensors |= src.sensors
    for key, tid in list(id_map.items()):
        if tid == phantom_id:
            id_map[key] = sensed_id
