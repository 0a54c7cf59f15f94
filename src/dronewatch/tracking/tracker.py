"""The Tracker: Reports in, Tracks out. Groups reports into scans, predicts, gates, assigns
(GNN), updates (batched Kalman), starts, confirms, coasts and deletes tracks, binds identities.

One scan = the reports of one sensor within ``batch_window_s``. Predict and update run on all
affected tracks at once; the only per-item Python is reading Reports and writing Track facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dronewatch.config import SensorSpec
from dronewatch.geo import SiteFrame
from dronewatch.model import Bearing, Geodetic, LocalEnu, Radar, Report, Track
from dronewatch.tracking import management
from dronewatch.tracking.association import gnn
from dronewatch.tracking.bearings import fixes
from dronewatch.tracking.gating import coarse_pairs, coarse_radius_m, mahalanobis2
from dronewatch.tracking.identity import Coverage, add_claimer, find_duplicates, find_spoofs, rebind
from dronewatch.tracking.measurement import Observations, kalman_update, observe
from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.state import TrackTable

COOPERATIVE_KINDS = frozenset({"remoteid", "adsb", "dji"})


def _batches(reports: Sequence[Report], window_s: dict[str, float], default_s: float) -> list[list[Report]]:
    """Sort by (measured_at, sensor, id) and cut into per-sensor batches no longer than the sensor's
    window (a radar: most of one revisit, so each object appears at most once per batch); an
    identity appears at most once per batch."""
    ordered = sorted(reports, key=lambda r: (r.measured_at, r.sensor_id, r.report_id))
    open_: dict[str, list[Report]] = {}
    closed: list[list[Report]] = []
    for rep in ordered:
        batch = open_.get(rep.sensor_id)
        limit_s = window_s.get(rep.sensor_id, default_s)
        again = rep.identity is not None and batch is not None and any(
            r.identity is not None and r.identity.key == rep.identity.key for r in batch)
        if batch is not None and (again or rep.measured_at - batch[0].measured_at > limit_s):
            closed.append(batch)
            batch = None
        if batch is None:
            open_[rep.sensor_id] = batch = []
        batch.append(rep)
    closed.extend(open_.values())
    closed.sort(key=lambda b: (b[0].measured_at, b[0].sensor_id))
    return closed


class Tracker:
    """Multi-sensor multi-target tracker in the site ENU frame (see module docstring)."""

    def __init__(self, frame: SiteFrame, sensors: Sequence[SensorSpec], config: TrackerConfig | None = None
                 ) -> None:
        self.frame = frame
        self.cfg = config or TrackerConfig()
        self.table = TrackTable()
        self._id_map: dict[str, int] = {}  # identity key -> track id
        self._removed: list[int] = []
        self._sensor_enu: dict[str, np.ndarray] = {}
        for s in sensors:
            e, n, u = frame.ground_to_enu(s.lat, s.lon, s.alt_m)
            self._sensor_enu[s.id] = np.array([e, n, u], dtype=float)
        self._radars = {s.id: s for s in sensors if s.kind == "radar"}
        radars = list(self._radars.values())
        self._window_s = {s.id: self.cfg.radar_batch_fraction * s.scan_s for s in radars}
        self._cover = Coverage(
            pos_enu=np.array([self._sensor_enu[s.id] for s in radars]).reshape(-1, 3),
            min_range_m=np.array([s.min_range_m for s in radars]),
            max_range_m=np.array([s.range_m for s in radars]),
        )
        self.skipped = 0  # reports no measurement model uses yet (bearings, unknown sensors)

    # --- public face ------------------------------------------------------------------------

    def process(self, reports: Sequence[Report], now: float) -> None:
        """Fold reports (measured_at <= now) into the tracks, then confirm/rebind/delete at ``now``.

        Bearing-only reports of two sensors within ``batch_window_s`` (in the same call) are
        triangulated into position fixes first (``bearings.fixes``); unpaired bearings are skipped."""
        bearing_reps = [r for r in reports if isinstance(r.measurement, Bearing)]
        if bearing_reps:
            made = fixes(bearing_reps, self._sensor_enu, self.cfg.batch_window_s, self.cfg.bearing_max_range_m,
                         self.cfg.bearing_default_alt_m)
            self.skipped += len(bearing_reps) - 2 * len(made)
            reports = [r for r in reports if not isinstance(r.measurement, Bearing)] + made
        for batch in _batches(reports, self._window_s, self.cfg.batch_window_s):
            self._scan(batch)
        self._manage(now)

    def tracks(self, now: float) -> list[Track]:
        """All live tracks predicted to ``now`` (the table itself is not changed)."""
        t = self.table
        if len(t) == 0:
            return []
        xp, Pp = self.cfg.motion.predict(t.x, t.P, np.clip(now - t.t_at, 0.0, None))
        codes = management.status_codes(t, now, self.cfg)
        lat, lon, _ = self.frame.to_geodetic(xp[:, 0], xp[:, 1], xp[:, 2])
        sigma = np.sqrt(np.trace(Pp[:, :3, :3], axis1=1, axis2=2) / 3.0)
        out: list[Track] = []
        for i, tid in enumerate(t.ids.tolist()):
            f = t.facts[tid]
            out.append(Track(
                track_id=tid, at=now, status=management.STATUS_NAMES[codes[i]],  # type: ignore[arg-type]
                enu_m=(float(xp[i, 0]), float(xp[i, 1]), float(xp[i, 2])),
                vel_enu_mps=(float(xp[i, 3]), float(xp[i, 4]), float(xp[i, 5])),
                pos_sigma_m=float(sigma[i]), lat=float(lat[i]), lon=float(lon[i]), alt_m=float(xp[i, 2]),
                first_seen_at=float(t.first_seen_at[i]), last_update_at=float(t.last_update_at[i]),
                updates=int(t.updates[i]), sensors=tuple(sorted(f.sensors)), identity=f.identity,
                identity_conflict=bool(f.other_identities), operator=f.operator, home=f.home,
                claimed=f.claimed, claimed_offset_m=f.claimed_offset_m, class_votes=dict(f.class_votes),
                rcs_dbsm=f.rcs_dbsm,
            ))
        return out

    def removed(self) -> list[int]:
        """Track ids deleted since the last call (then cleared)."""
        gone, self._removed = self._removed, []
        return gone

    def history(self, track_id: int) -> np.ndarray:
        """(K, 4) last positions (t, e, n, u) of a live track, oldest first; empty if unknown."""
        row = self.table.row(track_id)
        return np.zeros((0, 4)) if row is None else self.table.history(row)

    # --- one scan ---------------------------------------------------------------------------

    def _predict_pairs(self, rows: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predict track rows (K,) each to its own instant at (K,): one vectorised call. A report
        older than the track's state (out of sequence) gets the state retrodicted to its time."""
        t = self.table
        return self.cfg.motion.predict(t.x[rows], t.P[rows], at - t.t_at[rows])

    def _scan(self, batch: list[Report]) -> None:
        """One sensor's reports over at most ``batch_window_s`` (a rotating radar stamps each plot
        as the beam passes it): each candidate pair is predicted to its own report's instant."""
        cfg, t = self.cfg, self.table
        obs = observe(batch, self.frame, self._sensor_enu)
        if batch[0].sensor_kind == "radar" and cfg.radar_floor_sigma_m > 0:
            obs.R += np.eye(3) * cfg.radar_floor_sigma_m**2
        self.skipped += int((~obs.valid).sum())
        t_m = np.array([r.measured_at for r in batch])
        t_b = float(t_m.max())
        m = len(batch)
        used = ~obs.valid  # reports already dealt with
        # 1. reports of an identity bound to a track go to that track (or only update its claim)
        bound = [(i, t.row(self._id_map[r.identity.key])) for i, r in enumerate(batch)
                 if not used[i] and r.identity is not None and r.identity.key in self._id_map]
        forced: list[tuple[int, int, np.ndarray, np.ndarray]] = []
        reinit: list[tuple[int, int, np.ndarray]] = []
        if bound:
            taken: set[int] = set()
            bi = np.array([i for i, _ in bound], dtype=np.intp)
            br = np.array([-1 if r is None else r for _, r in bound], dtype=np.intp)
            xb, Pb = self._predict_pairs(np.maximum(br, 0), t_m[bi])
            d2b = mahalanobis2(obs.z[bi] - xb[:, :3], Pb[:, :3, :3] + obs.R[bi])
            for k, (i, row) in enumerate(zip(bi.tolist(), br.tolist(), strict=True)):
                used[i] = True
                if row < 0 or row in taken:
                    continue
                taken.add(row)
                if d2b[k] <= cfg.gate_chi2:
                    forced.append((i, row, xb[k], Pb[k]))
                elif t.facts[int(t.ids[row])].spoof_bound or self._noncoop_support(row, t_m[i]):
                    self._claim(row, batch[i], obs.z[i], xb[k, :3])
                else:
                    reinit.append((i, row, xb[k]))
        # 2. the rest: coarse pre-gate at the batch's mid time, exact gate per pair, GNN
        free_t = np.ones(len(t), dtype=bool)
        free_t[[f[1] for f in forced] + [r[1] for r in reinit]] = False
        fm, ft = np.flatnonzero(~used), np.flatnonzero(free_t)
        mi = ti = np.zeros(0, dtype=np.intp)
        if len(fm) and len(ft):
            t_mid = float(t_m[fm].mean())
            xc, Pc = cfg.motion.predict(t.x[ft], t.P[ft], np.clip(t_mid - t.t_at[ft], 0.0, None))
            span_s = float(np.abs(t_m[fm] - t_mid).max())
            reach_m = span_s * float(np.linalg.norm(xc[:, 3:], axis=1).max() + 3 * cfg.init_vel_sigma_mps)
            radius = coarse_radius_m(Pc[:, :3, :3], obs.R[fm], cfg.gate_chi2, cfg.max_gate_m) + reach_m
            mi, ti = coarse_pairs(xc[:, :3], obs.z[fm], radius)
            mi, ti = fm[mi], ft[ti]
        xq, Pq = self._predict_pairs(ti, t_m[mi])
        d2 = mahalanobis2(obs.z[mi] - xq[:, :3], Pq[:, :3, :3] + obs.R[mi])
        keep = d2 <= cfg.gate_chi2
        cost = d2.copy()
        for k in np.flatnonzero([batch[i].identity is not None for i in mi.tolist()]).tolist():
            ident = batch[mi[k]].identity
            track_ident = t.facts[int(t.ids[ti[k]])].identity
            if ident is not None and track_ident is not None and track_ident.key != ident.key:
                keep[k] &= bool(d2[k] <= cfg.conflict_chi2)  # another identity's track: only if right on it
                cost[k] += cfg.gate_chi2
        pair = np.flatnonzero(keep)
        am, at = gnn(m, len(t), mi[pair], ti[pair], cost[pair])
        # which pair each assignment was (pairs are unique per (measurement, track))
        key = mi[pair] * (len(t) + 1) + ti[pair]
        order = np.argsort(key)
        sel = pair[order[np.searchsorted(key[order], am * (len(t) + 1) + at)]]
        upd_m = np.concatenate([np.asarray([f[0] for f in forced], dtype=np.intp), am])
        upd_t = np.concatenate([np.asarray([f[1] for f in forced], dtype=np.intp), at])
        x_pred = np.concatenate([np.array([f[2] for f in forced]).reshape(-1, 6), xq[sel]])
        P_pred = np.concatenate([np.array([f[3] for f in forced]).reshape(-1, 6, 6), Pq[sel]])
        self._update(batch, obs, t_m, x_pred, P_pred, upd_m, upd_t, reinit, t_b)
        born = np.ones(m, dtype=bool)
        born[used] = False
        born[am] = False
        self._birth(batch, obs, np.flatnonzero(born), t_m)
        management.confirm(t, cfg)

    def _noncoop_support(self, row: int, at: float) -> bool:
        last = self.table.last_noncoop_at[row]
        return bool(not np.isnan(last) and at - last <= self.cfg.delete_s)

    def _update(self, batch: list[Report], obs: Observations, t_m: np.ndarray, x_pred: np.ndarray,
                P_pred: np.ndarray, upd_m: np.ndarray, upd_t: np.ndarray,
                reinit: list[tuple[int, int, np.ndarray]], t_b: float) -> None:
        t = self.table
        if len(upd_m):
            x, P = kalman_update(x_pred, P_pred, obs.z[upd_m], obs.R[upd_m], 0)
            hv = obs.has_v[upd_m]
            if hv.any():
                x[hv], P[hv] = kalman_update(x[hv], P[hv], obs.v[upd_m[hv]], obs.Rv[upd_m[hv]], 3)
            late = t_m[upd_m] < t.t_at[upd_t]  # out of sequence: bring the update on to the state's time
            if late.any():
                ahead_s = t.t_at[upd_t[late]] - t_m[upd_m[late]]
                x[late], P[late] = self.cfg.motion.predict(x[late], P[late], ahead_s)
            t.x[upd_t], t.P[upd_t] = x, P
        for i, row, xr in reinit:
            t.x[row, :3] = obs.z[i]
            t.x[row, 3:] = obs.v[i] if obs.has_v[i] else xr[3:]
            t.P[row] = self._initial_cov(obs, i)
        rows = np.concatenate([upd_t, np.asarray([r[1] for r in reinit], dtype=np.intp)])
        meas = np.concatenate([upd_m, np.asarray([r[0] for r in reinit], dtype=np.intp)])
        sensed = np.concatenate([x_pred[:, :3], np.array([r[2][:3] for r in reinit]).reshape(-1, 3)])
        if batch[0].sensor_kind == "radar" and batch[0].sensor_id in self._radars:
            spec = self._radars[batch[0].sensor_id]
            pos = t.x[:, :3] + t.x[:, 3:] * np.clip(t_b - t.t_at, 0.0, None)[:, None]
            d = np.linalg.norm(pos - self._sensor_enu[spec.id], axis=1)
            seen = np.flatnonzero((d >= spec.min_range_m) & (d <= spec.range_m))
            management.record_scan(t, seen, rows, t_m[meas], t_b, spec.scan_s)
        elif len(rows):
            noncoop = np.array([batch[i].sensor_kind not in COOPERATIVE_KINDS for i in meas.tolist()])
            management.record_scan(t, rows[noncoop], rows[noncoop], t_m[meas[noncoop]], t_b, 1.0)
        if len(rows) == 0:
            return
        t.t_at[rows] = np.maximum(t.t_at[rows], t_m[meas])
        for k, (i, row) in enumerate(zip(meas.tolist(), rows.tolist(), strict=True)):
            self._note(row, batch[i], obs.z[i], sensed[k])
        t.record(rows)

    def _initial_cov(self, obs: Observations, i: int) -> np.ndarray:
        P = np.zeros((6, 6))
        P[:3, :3] = obs.R[i]
        P[3:, 3:] = obs.Rv[i] if obs.has_v[i] else np.eye(3) * self.cfg.init_vel_sigma_mps**2
        return P

    def _birth(self, batch: list[Report], obs: Observations, idx: np.ndarray, t_m: np.ndarray) -> None:
        keep: list[int] = []
        keys: set[str] = set()
        for i in idx.tolist():  # one new track per identity per scan
            ident = batch[i].identity
            if ident is not None:
                if ident.key in keys or ident.key in self._id_map:
                    continue
                keys.add(ident.key)
            keep.append(i)
        if not keep:
            return
        sel = np.asarray(keep, dtype=np.intp)
        x = np.concatenate([obs.z[sel], np.where(obs.has_v[sel, None], obs.v[sel], 0.0)], axis=1)
        P = np.stack([self._initial_cov(obs, i) for i in keep])
        ids = self.table.add(x, P, t_m[sel].copy())
        t = self.table
        rows = np.asarray([t.row(int(tid)) for tid in ids], dtype=np.intp)
        noncoop = np.array([batch[i].sensor_kind not in COOPERATIVE_KINDS for i in keep])
        t.hits[rows[noncoop]] = 1
        for i, row in zip(keep, rows.tolist(), strict=True):
            self._note(row, batch[i], obs.z[i], obs.z[i])
        t.record(rows)

    # --- facts of one updated track -------------------------------------------------------------

    def _note(self, row: int, rep: Report, z: np.ndarray, predicted: np.ndarray) -> None:
        """Bookkeeping after report ``rep`` (at ENU z) updated track ``row``."""
        t = self.table
        tid = int(t.ids[row])
        f = t.facts[tid]
        t.updates[row] += 1
        t.last_update_at[row] = max(t.last_update_at[row], rep.measured_at)
        f.sensors.add(rep.sensor_id)
        if isinstance(rep.measurement, Radar | LocalEnu) and rep.sensor_kind not in COOPERATIVE_KINDS:
            last = t.last_noncoop_at[row]
            t.last_noncoop_at[row] = rep.measured_at if np.isnan(last) else max(last, rep.measured_at)
        if rep.class_hint is not None:
            cls = rep.class_hint.cls
            f.class_votes[cls] = f.class_votes.get(cls, 0.0) + rep.class_hint.confidence
        if rep.rcs_dbsm is not None:
            a = self.cfg.rcs_alpha
            f.rcs_dbsm = rep.rcs_dbsm if f.rcs_dbsm is None else (1 - a) * f.rcs_dbsm + a * rep.rcs_dbsm
        ident = rep.identity
        if ident is None:
            return
        t.coop_updates[row] += 1
        bound = self._id_map.get(ident.key)
        if bound is None:
            self._id_map[ident.key] = tid
            if f.identity is None:
                f.identity = ident
            elif f.identity.key != ident.key:
                f.other_identities.append(ident)
        elif bound == tid and f.identity is not None and f.identity.key == ident.key:
            f.identity = ident  # keeps a callsign that arrived later
        self._claim(row, rep, z, predicted)

    def _claim(self, row: int, rep: Report, z: np.ndarray, sensed: np.ndarray) -> None:
        """Record an identity report's own position; a claim vs sensed offset when a radar sees it."""
        f = self.table.facts[int(self.table.ids[row])]
        if rep.operator is not None:
            f.operator = rep.operator
        if rep.home is not None:
            f.home = rep.home
        if not isinstance(rep.measurement, Geodetic):
            return
        f.last_broadcast = rep.measurement
        f.last_broadcast_enu = (float(z[0]), float(z[1]), float(z[2]))
        f.last_broadcast_at = rep.measured_at
        if f.spoof_bound or self._noncoop_support(row, rep.measured_at):
            f.claimed = rep.measurement
            f.claimed_offset_m = float(np.linalg.norm(z - sensed))

    # --- management at `now` ----------------------------------------------------------------

    def _merge(self, old_id: int, new_id: int) -> int:
        """Track old_id takes over new_id (state, history, facts, identities); returns new_id to drop."""
        t = self.table
        t.adopt(t.row(old_id), t.row(new_id))  # type: ignore[arg-type]
        self._id_map = {k: (old_id if v == new_id else v) for k, v in self._id_map.items()}
        return new_id

    def _manage(self, now: float) -> None:
        t = self.table
        drop: list[int] = []
        for phantom_id, sensed_id, offset_m in find_spoofs(t, self._cover, now, self.cfg):
            rebind(t, self._id_map, phantom_id, sensed_id)
            sensed = t.facts[sensed_id]
            if offset_m < self.cfg.duplicate_m and phantom_id < sensed_id:
                # not a spoof: a duplicate of the identity's own track; the older id lives on
                sensed.spoof_bound = False
                t.adopt(t.row(phantom_id), t.row(sensed_id))  # type: ignore[arg-type]
                t.facts[phantom_id].claimed = sensed.claimed
                t.facts[phantom_id].claimed_offset_m = sensed.claimed_offset_m
                self._id_map = {k: (phantom_id if v == sensed_id else v) for k, v in self._id_map.items()}
                drop.append(sensed_id)
            else:
                sensed.spoof_bound = offset_m >= self.cfg.duplicate_m
                drop.append(phantom_id)
        for old, new in management.reacquisitions(t, now, self.cfg):
            fo, fn = t.facts[int(t.ids[old])], t.facts[int(t.ids[new])]
            if fo.identity is not None and fn.identity is not None and fo.identity.key != fn.identity.key:
                continue
            drop.append(self._merge(int(t.ids[old]), int(t.ids[new])))
        for old_id, new_id in find_duplicates(t, now, self.cfg):
            if old_id not in drop and new_id not in drop:
                drop.append(self._merge(old_id, new_id))
        for claimer_id, track_id, _ in find_spoofs(t, self._cover, now, self.cfg, claimed_by_other=True):
            if claimer_id not in drop and track_id not in drop:
                add_claimer(t, self._id_map, claimer_id, track_id)
                drop.append(claimer_id)
        rows = [t.row(tid) for tid in drop]
        stale = management.stale_rows(t, now, self.cfg)
        all_rows = np.union1d(np.asarray([r for r in rows if r is not None], dtype=np.intp), stale)
        gone = t.remove(all_rows.astype(np.intp))
        if gone:
            dead = set(gone)
            self._id_map = {k: v for k, v in self._id_map.items() if v not in dead}
            self._removed.extend(gone)
