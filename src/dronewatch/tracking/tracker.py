"""The Tracker: Reports (or arrays of plots) in, Tracks out. One tracking loop for the product and
the benchmark: groups reports into per-sensor scans, predicts with an IMM (``prediction``), gates
through a k-d tree plus the exact chi² test, associates per cluster (JPDA for small ambiguous
clusters, GNN for large ones: ``clusters``), updates every model at once (a track whose JPDA choice
is ambiguous by PDA over its plots), starts, confirms (track score or M of N), coasts and deletes
tracks, binds identities and handles spoofs.

One scan = the reports of one sensor within ``batch_window_s`` (a radar: most of one revisit), or
one ``process_plots`` call. Predict and update run on all affected tracks at once; the only
per-item Python is reading Reports and writing Track facts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from dronewatch.config import SensorSpec
from dronewatch.geo import SiteFrame
from dronewatch.model import Bearing, Geodetic, LocalEnu, Radar, Report, Track
from dronewatch.tracking import imm, management
from dronewatch.tracking.bearings import azimuth_update, fixes_and_rest
from dronewatch.tracking.clusters import ClusterSettings, Soft, assign
from dronewatch.tracking.gating import neighbours
from dronewatch.tracking.identity import Coverage, add_claimer, find_duplicates, find_spoofs, rebind
from dronewatch.tracking.measurement import Observations, kalman_update, observe, range_rate_update
from dronewatch.tracking.prediction import advance, combined_at, initial_probs, mean_at, predict_rows
from dronewatch.tracking.settings import TrackerConfig, radar_figures, range_rate_sigma
from dronewatch.tracking.state import TrackTable

COOPERATIVE_KINDS = frozenset({"remoteid", "adsb", "dji"})
Arr = np.ndarray

log = logging.getLogger(__name__)


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
            r.identity is not None and r.identity.aircraft_key == rep.identity.aircraft_key for r in batch)
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
        self.cfg = cfg = config or TrackerConfig()
        self.table = TrackTable(len(cfg.models))
        self._mu0 = initial_probs(cfg)
        self._assoc = ClusterSettings(pd=cfg.pd, clutter_per_m3=cfg.clutter_per_m3,
                                      max_tracks=cfg.jpda_max_tracks, max_pairs=cfg.jpda_max_pairs)
        self._score = management.score_limits(cfg)
        self.stats: dict[str, int] = {"jpda_clusters": 0, "gnn_clusters": 0}
        self._id_map: dict[str, int] = {}  # identity aircraft_key -> track id
        self._removed: list[int] = []
        self._sensor_codes: dict[str, int] = {}  # sensor id -> code (TrackTable.sensor_code)
        self._sensor_enu: dict[str, np.ndarray] = {}
        for s in sensors:
            e, n, u = frame.ground_to_enu(s.lat, s.lon, s.alt_m)
            self._sensor_enu[s.id] = np.array([e, n, u], dtype=float)
        self._radars = {s.id: s for s in sensors if s.kind == "radar"}
        radars = list(self._radars.values())
        # each radar's own Pd and clutter density: its plots' association and, with radar_score, score
        self._radar_assoc: dict[str, ClusterSettings] = {}
        self._radar_score: dict[str, management.ScoreLimits] = {}
        for s in radars:
            pd, clutter = radar_figures(s, cfg)
            self._radar_assoc[s.id] = ClusterSettings(pd=pd, clutter_per_m3=clutter, max_tracks=cfg.jpda_max_tracks,
                                                      max_pairs=cfg.jpda_max_pairs)
            self._radar_score[s.id] = management.score_limits(cfg, pd, clutter)
        self._window_s = {s.id: cfg.radar_batch_fraction * s.scan_s for s in radars}
        self._rr_var = {s.id: range_rate_sigma(s, cfg) ** 2 for s in radars}  # range-rate variance per radar
        self._cover = Coverage(
            pos_enu=np.array([self._sensor_enu[s.id] for s in radars]).reshape(-1, 3),
            min_range_m=np.array([s.min_range_m for s in radars]),
            max_range_m=np.array([s.range_m for s in radars]),
        )
        self.skipped = 0  # reports no measurement model uses yet (bearings, unknown sensors)
        # serial of the scan being folded when it holds at most one plot per object (a radar batch,
        # a plot scan), else -1: rows it starts or updates note it (``born_scan``, ``last_scan``)
        self._scans = 0
        self._scan_id = -1

    # --- public face ------------------------------------------------------------------------

    def process(self, reports: Sequence[Report], now: float) -> None:
        """Fold reports (measured_at <= now) into the tracks, then confirm/rebind/delete at ``now``.

        Bearing-only reports of two sensors within ``batch_window_s`` (in the same call) are
        triangulated into position fixes first (``bearings.fixes_and_rest``); an unpaired bearing
        then updates the one confirmed track in its gate, if there is exactly one, else it is
        skipped."""
        bearing_reps = [r for r in reports if isinstance(r.measurement, Bearing)]
        rest: list[Report] = []
        if bearing_reps:
            made, rest = fixes_and_rest(bearing_reps, self._sensor_enu, self.cfg.batch_window_s,
                                        self.cfg.bearing_max_range_m, self.cfg.bearing_default_alt_m)
            self.skipped += len(bearing_reps) - 2 * len(made) - len(rest)
            reports = [r for r in reports if not isinstance(r.measurement, Bearing)] + made
        for batch in _batches(reports, self._window_s, self.cfg.batch_window_s):
            self._scan(batch)
        for rep in rest:
            self.skipped += int(not self._bearing(rep))
        self._manage(now)

    def _bearing(self, rep: Report) -> bool:
        """A bearing that made no fix updates the one confirmed track inside its gate (azimuth only,
        ``bearing_gate_chi2``, within ``bearing_max_range_m`` of its sensor); False if none or
        several (it never starts a track)."""
        t, cfg, meas = self.table, self.cfg, rep.measurement
        assert isinstance(meas, Bearing)
        rows = np.flatnonzero(t.confirmed & (t.t_at <= rep.measured_at))
        if len(rows) == 0:
            return False
        origin = self._sensor_enu[rep.sensor_id]
        xs, Ps, c = predict_rows(t, cfg, rows, rep.measured_at - t.t_at[rows])
        xc, Pc = imm.combine(xs, Ps, c)
        _, _, d2 = azimuth_update(xc, Pc, origin, meas.azimuth_deg, meas.sigma_deg)
        near = np.linalg.norm(xc[:, :2] - origin[:2], axis=1) <= cfg.bearing_max_range_m
        inside = np.flatnonzero((d2 <= cfg.bearing_gate_chi2) & near)
        if len(inside) != 1:
            return False
        k, row = int(inside[0]), int(rows[inside[0]])
        r = len(cfg.models)
        xo, Po, ll = np.empty((r, 6)), np.empty((r, 6, 6)), np.empty(r)
        for j in range(r):
            x1, P1, d2j = azimuth_update(xs[j, k:k + 1], Ps[j, k:k + 1], origin, meas.azimuth_deg, meas.sigma_deg)
            xo[j], Po[j] = x1[0], P1[0]
            ll[j] = -0.5 * float(d2j[0])
        w = c[k] * np.exp(ll - ll.max())
        mu = w / w.sum()
        t.xm[row], t.Pm[row], t.mu[row] = xo, Po, mu
        t.x[row] = imm.combine_mean(xo[:, None], mu[None])[0]
        t.t_at[row] = rep.measured_at
        one = np.array([row], dtype=np.intp)
        self._touch(one, np.zeros(1, dtype=np.intp), rep.sensor_id, rep.sensor_kind,
                    np.array([rep.measured_at]), [rep])
        t.record(one)
        return True

    def process_plots(self, sensor_id: str, z: Arr, R: Arr, at: float) -> None:
        """Fold one scan of a non-cooperative sensor's position plots, z (M,3) site ENU metres with
        covariances R (M,3,3), all taken at ``at``; then confirm/delete at ``at``. The same scan
        step as ``process`` (which reaches it through Reports), without building Report objects."""
        m = len(z)
        obs = Observations(z=np.asarray(z, dtype=float), R=np.asarray(R, dtype=float), v=np.zeros((m, 3)),
                           Rv=np.zeros((m, 3, 3)), has_v=np.zeros(m, dtype=bool), valid=np.ones(m, dtype=bool))
        if m:
            self._fold(sensor_id, "plots", obs, np.full(m, float(at)), None)
        else:  # an empty scan: every track missed it
            t = self.table
            none = np.zeros(0, dtype=np.intp)
            management.record_scan(t, np.arange(len(t)), none, np.zeros(0), float(at), 1.0, self._score.miss, True)
        self._manage(at, plots_only=True)

    def tracks(self, now: float) -> list[Track]:
        """All live tracks predicted to ``now`` (the table itself is not changed)."""
        t = self.table
        if len(t) == 0:
            return []
        xp, Pp = combined_at(t, self.cfg, np.arange(len(t)), now)
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
                claimed=f.claimed, claimed_offset_m=f.claimed_offset_m, aliases=tuple(f.aliases),
                broadcast_offset_m=f.broadcast_offset_m, class_votes=dict(f.class_votes),
                rcs_dbsm=f.rcs_dbsm,
            ))
        return out

    def reported(self, now: float, plot_cov: Arr | None = None) -> tuple[Arr, Arr]:
        """What an operator is shown at ``now``, as arrays: (ids (K,), states (K,6) predicted to now).

        Confirmed tracks updated within ``coast_s``; a coasting one for ``ambiguous_coast_s`` longer
        while another confirmed track is ambiguous with it (a plot of either could fall in the
        other's gate, covariance P1 + P2 + 2 ``plot_cov``): hiding it would let the neighbour's
        label stand in for it."""
        t, cfg = self.table, self.cfg
        if len(t) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 6))
        if cfg.track_score:  # shown while its score is less than show_drop below its peak
            drop = t.score_peak - t.score
            show = t.confirmed & ((drop < self._score.show_drop) | ((t.hits & 1) == 1))  # or just seen
            longer = t.confirmed & (drop < self._score.show_drop - (self._score.miss if cfg.ambiguous_coast_s else 0.0))
        else:
            silent = now - t.last_update_at
            show = t.confirmed & (silent <= cfg.coast_s)
            longer = t.confirmed & (silent <= cfg.coast_s + cfg.ambiguous_coast_s)
        extra = np.flatnonzero(longer & ~show)
        rows_c = np.flatnonzero(show)
        if len(extra) == 0:
            return t.ids[rows_c].copy(), mean_at(t, cfg, rows_c, now)
        rows_c = np.flatnonzero(longer | show)
        x = mean_at(t, cfg, rows_c, now)
        where = np.searchsorted(rows_c, extra)
        R2 = np.zeros((3, 3)) if plot_cov is None else 2.0 * plot_cov
        Pe = combined_at(t, cfg, extra, now)[1][:, :3, :3]  # covariances only where needed
        radius = np.sqrt(cfg.gate_chi2 * (np.trace(Pe, axis1=1, axis2=2) + np.trace(R2)))
        ek, nb = neighbours(x[where, :3], radius, x[:, :3])  # (extra track, neighbour) pairs
        keep = show[rows_c]
        ek, nb = ek[nb != where[ek]], nb[nb != where[ek]]
        un, back = np.unique(nb, return_inverse=True)
        Pn = combined_at(t, cfg, rows_c[un], now)[1][back, :3, :3]
        Sinv, _ = imm.inv3(Pn + Pe[ek] + R2)
        close = imm.mahalanobis2(x[nb, :3] - x[where[ek], :3], Sinv) <= cfg.gate_chi2
        keep[where] = np.bincount(ek[close], minlength=len(where)) > 0
        return t.ids[rows_c[keep]].copy(), x[keep]

    def removed(self) -> list[int]:
        """Track ids deleted since the last call (then cleared)."""
        gone, self._removed = self._removed, []
        return gone

    def history(self, track_id: int) -> np.ndarray:
        """(K, 4) last positions (t, e, n, u) of a live track, oldest first; empty if unknown."""
        row = self.table.row(track_id)
        return np.zeros((0, 4)) if row is None else self.table.history(row)

    # --- one scan ---------------------------------------------------------------------------

    def _scan(self, batch: list[Report]) -> None:
        """One sensor's reports over at most ``batch_window_s`` (a rotating radar stamps each plot
        as the beam passes it): each candidate pair is predicted to its own report's instant."""
        obs = observe(batch, self.frame, self._sensor_enu)
        if batch[0].sensor_kind == "radar" and self.cfg.radar_floor_sigma_m > 0:
            obs.R += np.eye(3) * self.cfg.radar_floor_sigma_m**2
        self.skipped += int((~obs.valid).sum())
        t_m = np.array([r.measured_at for r in batch])
        self._fold(batch[0].sensor_id, batch[0].sensor_kind, obs, t_m, batch)

    def _candidates(self, fm: Arr, ft: Arr, obs: Observations, t_m: Arr
                    ) -> tuple[Arr, Arr, Arr | None, tuple[Arr, ...] | None]:
        """Coarse pairs (plot index, track row) from a k-d tree on the plots: each free track's
        ``gate_max_plots`` nearest plots within its own radius. When all plots share one instant the
        free tracks' IMM predictions to it are returned too (ft, dt, xs, Ps, c and the combined
        xc, Pc) with each pair's index into them; else None, None."""
        cfg, t = self.cfg, self.table
        t_mid = float(t_m[fm].mean())
        span_s = float(np.abs(t_m[fm] - t_mid).max())
        dt = t_mid - t.t_at[ft]
        xs, Ps, c = predict_rows(t, cfg, ft, dt if span_s == 0.0 else np.clip(dt, 0.0, None))
        xc, Pc = imm.combine_position(xs, Ps, c)
        every = len(fm) == len(t_m)  # all plots free (a plot scan): no gathers
        r_max = float(np.trace(obs.R if every else obs.R[fm], axis1=1, axis2=2).max())
        radius = np.minimum(np.sqrt(cfg.gate_chi2 * (np.trace(Pc, axis1=1, axis2=2) + r_max)), cfg.max_gate_m)
        if span_s != 0.0:
            radius = radius + span_s * (np.linalg.norm(xc[:, 3:], axis=1) + 3 * cfg.init_vel_sigma_mps)
        k = min(cfg.gate_max_plots, len(fm))
        dist, idx = cKDTree(obs.z if every else obs.z[fm]).query(xc[:, :3], k=k,
                                                                  distance_upper_bound=float(radius.max()))
        dist, idx = dist.reshape(len(ft), k), idx.reshape(len(ft), k)
        tk, col = np.nonzero(dist <= radius[:, None])  # row-major: by track, then nearest first
        mk = idx[tk, col]
        if span_s != 0.0:
            return fm[mk], ft[tk], None, None
        return fm[mk], ft[tk], tk, (ft, dt, xs, Ps, c, xc, Pc)

    def _coast(self, whole: tuple[Arr, ...], updated: Arr, at: float) -> None:
        """Free tracks of a one-instant scan that got no plot take their IMM prediction to ``at`` as
        their state (the IMM step of a scan without a measurement), so each track is mixed and
        predicted once a scan and nothing later (display, re-acquisition) predicts it again."""
        ft, dt, xs, Ps, c = whole[:5]
        t = self.table
        got = np.zeros(len(t), dtype=bool)
        got[updated] = True
        keep = (dt > 0) & ~got[ft]
        if not keep.any():
            return
        rows = ft[keep]
        xk, Pk, ck = xs[:, keep], Ps[:, keep], c[keep]
        t.xm[rows], t.Pm[rows], t.mu[rows] = xk.transpose(1, 0, 2), Pk.transpose(1, 0, 2, 3), ck
        t.x[rows] = imm.combine_mean(xk, ck)
        t.t_at[rows] = at

    def _fold(self, sensor_id: str, kind: str, obs: Observations, t_m: Arr, batch: list[Report] | None) -> None:
        """The scan step shared by Reports and plots: identity-bound reports first, then gating,
        cluster association (confirmed tracks first), IMM update, births, confirmation."""
        cfg, t = self.cfg, self.table
        m, r = len(t_m), len(cfg.models)
        self._scans += 1
        self._scan_id = self._scans if kind == "radar" or batch is None else -1
        used = ~obs.valid  # reports already dealt with
        # 1. reports of an identity bound to a track go to that track (or only update its claim)
        forced_m: list[int] = []
        forced_t: list[int] = []
        forced_k: list[int] = []
        reinit: list[tuple[int, int, Arr]] = []
        fx, fP, fc = np.zeros((r, 0, 6)), np.zeros((r, 0, 6, 6)), np.zeros((0, r))
        bound = [] if batch is None else [
            (i, t.row(self._id_map[rep.identity.aircraft_key])) for i, rep in enumerate(batch)
            if not used[i] and rep.identity is not None and rep.identity.aircraft_key in self._id_map]
        if bound and batch is not None:
            taken: set[int] = set()
            bi = np.array([i for i, _ in bound], dtype=np.intp)
            br = np.array([-1 if row is None else row for _, row in bound], dtype=np.intp)
            fx, fP, fc = predict_rows(t, cfg, np.maximum(br, 0), t_m[bi] - t.t_at[np.maximum(br, 0)])
            xb, Pb = imm.combine_position(fx, fP, fc)
            Sinv, _ = imm.inv3(Pb + obs.R[bi])
            d2b = imm.mahalanobis2(obs.z[bi] - xb[:, :3], Sinv)
            for k, (i, row) in enumerate(zip(bi.tolist(), br.tolist(), strict=True)):
                used[i] = True
                if row < 0 or row in taken:
                    continue
                taken.add(row)
                if d2b[k] <= cfg.gate_chi2:
                    forced_m.append(i)
                    forced_t.append(row)
                    forced_k.append(k)
                elif (t.facts[int(t.ids[row])].spoof_bound or self._noncoop_support(row, t_m[i])
                      or self._other_voice(row, batch[i], t_m[i])):
                    self._claim(row, batch[i], obs.z[i], xb[k, :3])
                else:
                    reinit.append((i, row, xb[k]))
        # 2. the rest: k-d tree pre-gate, exact gate per pair at its own instant, cluster association
        free_t = np.ones(len(t), dtype=bool)
        free_t[forced_t + [x[1] for x in reinit]] = False
        fm, ft = np.flatnonzero(~used), np.flatnonzero(free_t)
        mi = ti = np.zeros(0, dtype=np.intp)
        pk: Arr | None = None  # each pair's index into the scan-wide predictions (one-instant scans)
        whole: tuple[Arr, ...] | None = None
        xs, Ps, c = np.zeros((r, 0, 6)), np.zeros((r, 0, 6, 6)), np.zeros((0, r))
        if len(fm) and len(ft):
            mi, ti, pk, whole = self._candidates(fm, ft, obs, t_m)
            if whole is None:
                xs, Ps, c = predict_rows(t, cfg, ti, t_m[mi] - t.t_at[ti])
        if pk is not None and whole is not None:
            xs, Ps, c, xc, Pc = whole[2:]
            xq, Pq = xc[pk], Pc[pk]
        else:
            pk = np.arange(len(mi))
            xq, Pq = imm.combine_position(xs, Ps, c)
        Sinv, logdet = imm.inv3(Pq + obs.R[mi])
        d2 = imm.mahalanobis2(obs.z[mi] - xq[:, :3], Sinv)
        keep = d2 <= cfg.gate_chi2
        cost = d2 + logdet
        if batch is not None:
            for k in np.flatnonzero([batch[i].identity is not None for i in mi.tolist()]).tolist():
                ident = batch[mi[k]].identity
                track_ident = t.facts[int(t.ids[ti[k]])].identity
                if ident is not None and track_ident is not None and track_ident.aircraft_key != ident.aircraft_key:
                    keep[k] &= bool(d2[k] <= cfg.conflict_chi2)  # another identity's track: only if right on it
                    cost[k] += cfg.gate_chi2
        pair = np.flatnonzero(keep)
        conf = t.confirmed[ti[pair]]
        conf |= self._not_duplicates(ti[pair], mi[pair], conf, m)
        p1 = pair[conf]
        clutter = kind not in COOPERATIVE_KINDS
        assoc = self._radar_assoc.get(sensor_id, self._assoc) if kind == "radar" else self._assoc
        c1 = cost[p1]  # a tentative track's plot likelihoods weighed by its existence 1 / (1 + e^-score)
        tent = ~t.confirmed[ti[p1]]
        c1[tent] += 2.0 * np.logaddexp(0.0, -t.score[ti[p1][tent]])
        at1, am1, soft1 = assign(ti[p1], mi[p1], c1, len(t), m, assoc, self.stats, clutter)
        plot_taken = np.zeros(m, dtype=bool)
        plot_taken[am1] = True
        p2 = pair[~conf & ~plot_taken[mi[pair]]]
        at2, am2, soft2 = assign(ti[p2], mi[p2], cost[p2], len(t), m, assoc, self.stats, clutter)
        at, am = np.concatenate([at1, at2]), np.concatenate([am1, am2])
        # which pair each assignment was (pairs are unique per (measurement, track))
        key = mi[pair] * (len(t) + 1) + ti[pair]
        order = np.argsort(key)
        sel = pair[order[np.searchsorted(key[order], am * (len(t) + 1) + at)]]
        fk = np.asarray(forced_k, dtype=np.intp)
        upd_m = np.concatenate([np.asarray(forced_m, dtype=np.intp), am])
        upd_t = np.concatenate([np.asarray(forced_t, dtype=np.intp), at])
        ps = pk[sel]
        if len(fk):
            x_pred = np.concatenate([fx[:, fk], xs[:, ps]], axis=1)
            P_pred = np.concatenate([fP[:, fk], Ps[:, ps]], axis=1)
            c_pred = np.concatenate([fc[fk], c[ps]])
        else:  # nothing forced (every plot scan): no second copy of the chosen predictions
            x_pred, P_pred, c_pred = xs[:, ps], Ps[:, ps], c[ps]
        soft = self._pda(obs, t_m, mi, ti, xs, Ps, c, pk, Soft(
            np.concatenate([p1[soft1.pairs], p2[soft2.pairs]]), np.concatenate([soft1.beta, soft2.beta]),
            np.concatenate([soft1.tracks, soft2.tracks]), np.concatenate([soft1.beta0, soft2.beta0])), at, am)
        self._update(sensor_id, kind, obs, t_m, x_pred, P_pred, c_pred, upd_m, upd_t, reinit, batch, soft)
        if whole is not None and batch is None:  # a whole scan of plots (a Reports batch may be one sensor's part)
            self._coast(whole, np.concatenate([upd_t, soft[0]]) if soft else upd_t, float(t_m[0]))
        born = np.ones(m, dtype=bool)
        born[used] = False
        born[am] = False
        self._birth(sensor_id, kind, obs, np.flatnonzero(born), t_m, batch)
        self._scan_id = -1
        management.confirm(t, cfg)

    def _range_rate_var(self, sensor_id: str) -> float:
        """Range-rate variance (m²/s²) of this radar's plots (``settings.range_rate_sigma``)."""
        return self._rr_var.get(sensor_id, self.cfg.range_rate_sigma_mps**2)

    def _not_duplicates(self, pt: Arr, pm: Arr, conf: Arr, m: int) -> Arr:
        """Per gated pair (track pt, plot pm): its track is tentative and no younger than every
        confirmed track it shares a plot with, so it cannot be their duplicate (a duplicate is born
        of its original's target after it) and associates jointly with them rather than taking
        the plots they leave (its likelihoods weighed by its existence from its score). Two targets
        born close together start two tracks in one scan; the one confirmed first must not take
        the other's plot because the other is still tentative."""
        born = self.table.first_seen_at
        oldest = np.full(m, np.inf)  # per plot: birth of the oldest confirmed track gating it
        np.minimum.at(oldest, pm[conf], born[pt[conf]])
        rival = np.full(len(self.table), np.inf)  # per track: the oldest confirmed rival's birth
        np.minimum.at(rival, pt[~conf], oldest[pm[~conf]])
        return ~conf & (born[pt] <= rival[pt]) & np.isfinite(rival[pt])

    def _pda(self, obs: Observations, t_m: Arr, mi: Arr, ti: Arr, xs: Arr, Ps: Arr, c: Arr, pk: Arr,
             soft: Soft, hard_t: Arr, hard_m: Arr) -> tuple[Arr, Arr, Arr, Arr, Arr] | None:
        """PDA states of the tracks of the small ambiguous (JPDA) clusters whose chosen plot has a
        marginal below ``ambiguous_beta`` (all such tracks if 0), each from all its gated plots
        weighted by their marginals (``imm.pda_update``; without ``pda`` its prediction), for the
        tracks whose plots share one instant not older than the track's state: (rows, xm (r,T,6),
        Pm (r,T,6,6), mu (T,r), instants (T,)), or None. Their hard choice still makes their score,
        hits and history."""
        if len(soft.pairs) == 0:
            return None
        rows = soft.tracks
        pos = np.full(len(self.table), -1, dtype=np.intp)
        pos[rows] = np.arange(len(rows))
        tk = pos[ti[soft.pairs]]
        at = t_m[mi[soft.pairs]]
        lo, hi = np.full(len(rows), np.inf), np.full(len(rows), -np.inf)
        np.minimum.at(lo, tk, at)
        np.maximum.at(hi, tk, at)
        ok = (lo == hi) & (lo >= self.table.t_at[rows])
        if not ok.all():
            keep = ok[tk]
            pos[rows[~ok]] = -1
            rows, soft = rows[ok], Soft(soft.pairs[keep], soft.beta[keep], rows[ok], soft.beta0[ok])
            tk, at = np.cumsum(ok)[tk[keep]] - 1, at[keep]
            if len(rows) == 0:
                return None
        if self.cfg.ambiguous_beta > 0:  # only tracks whose hard choice's marginal is below it
            chosen = np.zeros(len(self.table), dtype=np.intp) - 1
            chosen[hard_t] = hard_m
            hit = chosen[ti[soft.pairs]] == mi[soft.pairs]
            best = np.zeros(len(rows))
            np.maximum.at(best, tk, np.where(hit, soft.beta, 0.0))
            amb = (best > 0) & (best < self.cfg.ambiguous_beta)
            if not amb.any():
                return None
            keep = amb[tk]
            rows, tk, at = rows[amb], np.cumsum(amb)[tk[keep]] - 1, at[keep]
            soft = Soft(soft.pairs[keep], soft.beta[keep], rows, soft.beta0[amb])
        beta, beta0 = soft.beta, soft.beta0
        if not self.cfg.pda:  # prediction only
            beta, beta0 = np.zeros(len(beta)), np.ones(len(beta0))
        first = np.zeros(len(rows), dtype=np.intp)
        first[tk[::-1]] = np.arange(len(tk))[::-1]  # a pair of each track: its prediction is the track's
        k = pk[soft.pairs]
        xo, Po, mu = imm.pda_update(xs[:, k[first]], Ps[:, k[first]], c[k[first]], tk, xs[:, k], Ps[:, k],
                                    obs.z[mi[soft.pairs]], obs.R[mi[soft.pairs]], beta, beta0)
        return rows, xo, Po, mu, at[first]

    def _score_of(self, sensor_id: str, kind: str) -> management.ScoreLimits | None:
        """Score figures of this sensor's plots: a site radar's own (``radar_score``), else the
        configured ones (``track_score``), else None: its plots do not change the track score."""
        if kind == "radar" and self.cfg.radar_score and sensor_id in self._radar_score:
            return self._radar_score[sensor_id]
        return self._score if self.cfg.track_score else None

    def _noncoop_support(self, row: int, at: float) -> bool:
        last = self.table.last_noncoop_at[row]
        return bool(not np.isnan(last) and at - last <= self.cfg.delete_s)

    def _update(self, sensor_id: str, kind: str, obs: Observations, t_m: Arr, xm: Arr, Pm: Arr, c: Arr,
                upd_m: Arr, upd_t: Arr, reinit: list[tuple[int, int, Arr]], batch: list[Report] | None,
                soft: tuple[Arr, Arr, Arr, Arr, Arr] | None = None) -> None:
        t = self.table
        lim = self._score_of(sensor_id, kind)
        sensed = imm.combine_mean(xm, c)[:, :3] if batch is not None else np.zeros((xm.shape[1], 3))
        if len(upd_m):
            xo, Po, mu, loglik = imm.update_position(xm, Pm, c, obs.z[upd_m], obs.R[upd_m])
            nc = self._noncoop(kind, upd_m, batch)
            if lim is not None:
                if not self.cfg.track_score:  # a radar's plot: its LLR starts with the first one
                    first = upd_t[nc][~t.scored[upd_t[nc]]]
                    t.score[first] = t.score_peak[first] = 0.0
                    t.scored[upd_t[nc]] = True
                management.score_hits(t, upd_t[nc], loglik[nc], lim)
            hv = obs.has_v[upd_m]
            if hv.any():
                for j in range(xo.shape[0]):
                    xo[j][hv], Po[j][hv] = kalman_update(xo[j][hv], Po[j][hv], obs.v[upd_m[hv]],
                                                         obs.Rv[upd_m[hv]], 3)
            if self.cfg.use_range_rate and obs.rr is not None and obs.los is not None:  # along the beam
                hr = np.isfinite(obs.rr[upd_m])
                var = self._range_rate_var(sensor_id)
                ll = np.zeros((int(hr.sum()), xo.shape[0]))
                for j in range(xo.shape[0]):
                    xo[j][hr], Po[j][hr], ll[:, j] = range_rate_update(xo[j][hr], Po[j][hr], obs.rr[upd_m[hr]],
                                                                       obs.los[upd_m[hr]], var)
                w = mu[hr] * np.exp(ll - ll.max(axis=1, keepdims=True))  # the models weighed by the rate too
                mu[hr] = w / w.sum(axis=1, keepdims=True)
            late = t_m[upd_m] < t.t_at[upd_t]  # out of sequence: bring the update on to the state's time
            if late.any():
                xo[:, late], Po[:, late] = advance(self.cfg, xo[:, late], Po[:, late],
                                                   t.t_at[upd_t[late]] - t_m[upd_m[late]])
            t.xm[upd_t], t.Pm[upd_t], t.mu[upd_t] = xo.transpose(1, 0, 2), Po.transpose(1, 0, 2, 3), mu
            t.x[upd_t] = imm.combine_mean(xo, mu)
        if soft is not None:  # the JPDA clusters' tracks take their PDA state instead
            srow, sx, sP, smu, s_at = soft
            t.xm[srow], t.Pm[srow], t.mu[srow] = sx.transpose(1, 0, 2), sP.transpose(1, 0, 2, 3), smu
            t.x[srow] = imm.combine_mean(sx, smu)
            t.t_at[srow] = np.maximum(t.t_at[srow], s_at)
        for i, row, xr in reinit:
            t.x[row, :3] = obs.z[i]
            t.x[row, 3:] = obs.v[i] if obs.has_v[i] else xr[3:]
            t.xm[row], t.Pm[row], t.mu[row] = t.x[row], self._initial_cov(obs, i), self._mu0
        rows = np.concatenate([upd_t, np.asarray([x[1] for x in reinit], dtype=np.intp)])
        meas = np.concatenate([upd_m, np.asarray([x[0] for x in reinit], dtype=np.intp)])
        sensed = np.concatenate([sensed, np.array([x[2][:3] for x in reinit]).reshape(-1, 3)])
        t_b = float(t_m.max())
        if kind == "radar" and sensor_id in self._radars:
            spec = self._radars[sensor_id]
            pos = t.x[:, :3] + t.x[:, 3:] * np.clip(t_b - t.t_at, 0.0, None)[:, None]
            d = np.linalg.norm(pos - self._sensor_enu[spec.id], axis=1)
            seen = np.flatnonzero((d >= spec.min_range_m) & (d <= spec.range_m))
            management.record_scan(t, seen, rows, t_m[meas], t_b, spec.scan_s, 0.0 if lim is None else lim.miss)
        elif batch is None:  # a whole scan of a plot sensor that sees every track
            management.record_scan(t, np.arange(len(t)), rows, t_m[meas], t_b, 1.0, self._score.miss, True)
        elif len(rows):
            noncoop = self._noncoop(kind, meas, batch)
            management.record_scan(t, rows[noncoop], rows[noncoop], t_m[meas[noncoop]], t_b, 1.0)
        if len(rows) == 0:
            return
        t.t_at[rows] = np.maximum(t.t_at[rows], t_m[meas])
        self._touch(rows, meas, sensor_id, kind, t_m, batch)
        if batch is not None:
            for k, (i, row) in enumerate(zip(meas.tolist(), rows.tolist(), strict=True)):
                self._note(row, batch[i], obs.z[i], sensed[k])
        t.record(rows)

    @staticmethod
    def _noncoop(kind: str, meas: Arr, batch: list[Report] | None) -> Arr:
        """(K,) bool: measurement meas[k] is from a non-cooperative sensor (sensed, not claimed)."""
        if batch is None:
            return np.full(len(meas), kind not in COOPERATIVE_KINDS)
        return np.array([batch[i].sensor_kind not in COOPERATIVE_KINDS for i in meas.tolist()], dtype=bool)

    def _touch(self, rows: Arr, meas: Arr, sensor_id: str, kind: str, t_m: Arr, batch: list[Report] | None
               ) -> None:
        """Vectorised bookkeeping of updated rows: update count, last update, sensor, last sensed."""
        t = self.table
        t.updates[rows] += 1
        t.last_update_at[rows] = np.maximum(t.last_update_at[rows], t_m[meas])
        t.last_scan[rows] = self._scan_id
        if batch is None:
            mask = np.full(len(rows), kind not in COOPERATIVE_KINDS)
        else:
            mask = np.array([isinstance(batch[i].measurement, Radar | LocalEnu)
                             and batch[i].sensor_kind not in COOPERATIVE_KINDS for i in meas.tolist()], dtype=bool)
        sr, sm = rows[mask], meas[mask]
        last = t.last_noncoop_at[sr]
        t.last_noncoop_at[sr] = np.where(np.isnan(last), t_m[sm], np.fmax(last, t_m[sm]))
        code = self._sensor_codes.setdefault(sensor_id, len(self._sensor_codes))
        new = rows[t.sensor_code[rows] != code]  # rows whose facts may not name this sensor yet
        t.sensor_code[new] = code
        for tid in t.ids[new].tolist():
            t.facts[tid].sensors.add(sensor_id)

    def _initial_cov(self, obs: Observations, i: int) -> np.ndarray:
        P = np.zeros((6, 6))
        P[:3, :3] = obs.R[i]
        if obs.has_v[i]:
            P[3:, 3:] = obs.Rv[i]
        else:
            sv = self.cfg.init_vel_sigma_mps
            su = sv if self.cfg.init_vert_vel_sigma_mps is None else self.cfg.init_vert_vel_sigma_mps
            P[3, 3] = P[4, 4] = sv**2
            P[5, 5] = su**2
        return P

    def _birth(self, sensor_id: str, kind: str, obs: Observations, idx: Arr, t_m: Arr,
               batch: list[Report] | None) -> None:
        keep: list[int] = idx.tolist()
        if batch is not None:
            keep = []
            keys: set[str] = set()
            for i in idx.tolist():  # one new track per identity per scan
                ident = batch[i].identity
                if ident is not None:
                    if ident.aircraft_key in keys or ident.aircraft_key in self._id_map:
                        continue
                    keys.add(ident.aircraft_key)
                keep.append(i)
        if not keep:
            return
        sel = np.asarray(keep, dtype=np.intp)
        x = np.concatenate([obs.z[sel], np.where(obs.has_v[sel, None], obs.v[sel], 0.0)], axis=1)
        P = np.zeros((len(sel), 6, 6))
        P[:, :3, :3] = obs.R[sel]
        if obs.has_v[sel].any():
            P[:] = np.stack([self._initial_cov(obs, i) for i in keep])
        else:
            P[:] = self._initial_cov(Observations(z=obs.z[:1], R=np.zeros((1, 3, 3)), v=obs.v[:1], Rv=obs.Rv[:1],
                                                  has_v=np.zeros(1, dtype=bool), valid=obs.valid[:1]), 0)
            P[:, :3, :3] = obs.R[sel]
        if self.cfg.use_range_rate and obs.rr is not None and obs.los is not None:  # velocity along the beam
            hr = np.isfinite(obs.rr[sel])
            if hr.any():
                x[hr], P[hr], _ = range_rate_update(x[hr], P[hr], obs.rr[sel[hr]], obs.los[sel[hr]],
                                                    self._range_rate_var(sensor_id))
        t = self.table
        n0 = len(t)
        t.add(x, P, t_m[sel].copy(), self._mu0)
        rows = np.arange(n0, len(t), dtype=np.intp)
        noncoop = self._noncoop(kind, sel, batch)
        t.hits[rows[noncoop]] = 1
        t.scored[rows[noncoop]] = kind == "radar" and self._score_of(sensor_id, kind) is not None
        t.born_scan[rows] = self._scan_id
        self._touch(rows, sel, sensor_id, kind, t_m, batch)
        if batch is not None:
            for i, row in zip(keep, rows.tolist(), strict=True):
                self._note(row, batch[i], obs.z[i], obs.z[i])
        t.record(rows)

    # --- facts of one updated track -------------------------------------------------------------

    def _note(self, row: int, rep: Report, z: np.ndarray, predicted: np.ndarray) -> None:
        """Facts of report ``rep`` (at ENU z) that updated track ``row``: class, RCS, identity."""
        t = self.table
        tid = int(t.ids[row])
        f = t.facts[tid]
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
        bound = self._id_map.get(ident.aircraft_key)
        if bound is None:
            self._id_map[ident.aircraft_key] = tid
            if f.identity is None:
                f.identity = ident
            elif f.identity.aircraft_key != ident.aircraft_key:
                f.other_identities.append(ident)
        if bound in (None, tid) and f.identity is not None and f.identity.key == ident.key:
            f.identity = ident  # keeps a callsign that arrived later
        if f.identity is not None and f.identity.aircraft_key == ident.aircraft_key:
            f.driven_by = ident.key  # this link's report moved the state
        self._claim(row, rep, z, predicted)

    def _claim(self, row: int, rep: Report, z: np.ndarray, sensed: np.ndarray) -> None:
        """Record an identity report's own position; a claim vs sensed offset when a radar sees it,
        and the distance from the same airframe's broadcast on another link."""
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
        ident = rep.identity
        if ident is not None and f.identity is not None and f.identity.aircraft_key == ident.aircraft_key:
            if ident.key != f.identity.key and all(a.key != ident.key for a in f.aliases):
                f.aliases.append(ident)  # the same airframe on another link
            f.heard[ident.key] = (rep.measured_at, f.last_broadcast_enu)
            f.broadcast_offset_m = self._broadcast_offset(row, ident.key)
        if f.spoof_bound or self._noncoop_support(row, rep.measured_at):
            f.claimed = rep.measurement
            f.claimed_offset_m = float(np.linalg.norm(z - sensed))

    def _broadcast_offset(self, row: int, key: str) -> float | None:
        """Horizontal distance from identity ``key``'s latest broadcast to the most recent one of
        another identity of the same airframe heard within ``pair_s`` of it, brought to the same
        instant with the track's velocity; None when no other link was heard that recently."""
        t = self.table
        heard = t.facts[int(t.ids[row])].heard
        at, enu = heard[key]
        others = [(a, e) for k, (a, e) in heard.items() if k != key and abs(at - a) <= self.cfg.pair_s]
        if not others:
            return None
        a, e = max(others)
        there = np.asarray(e[:2]) + t.x[row, 3:5] * (at - a)
        return float(np.hypot(*(np.asarray(enu[:2]) - there)))

    def _other_voice(self, row: int, rep: Report, at: float) -> bool:
        """Another identity of the same airframe moves this track and was heard within ``coast_s``:
        a far report of this one is then a claim to compare, not a jump of the track."""
        f = self.table.facts[int(self.table.ids[row])]
        key = rep.identity.key if rep.identity is not None else None
        if f.driven_by is None or f.driven_by == key or f.driven_by not in f.heard:
            return False
        return at - f.heard[f.driven_by][0] <= self.cfg.coast_s
    # --- management at `now` ----------------------------------------------------------------

    def _merge(self, old_id: int, new_id: int) -> int:
        """Track old_id takes over new_id (state, history, facts, identities); returns new_id to drop."""
        t = self.table
        t.adopt(t.row(old_id), t.row(new_id))  # type: ignore[arg-type]
        self._id_map = {k: (old_id if v == new_id else v) for k, v in self._id_map.items()}
        return new_id

    def _manage(self, now: float, plots_only: bool = False) -> None:
        """Re-acquisitions, then (unless ``plots_only``: a plot scan brings no identity and moves no
        track onto another) spoofs, duplicates and identity claims, then deletion."""
        t = self.table
        # a NaN or inf anywhere in a row's model states makes its sum non-finite (one pass, no masks)
        broken = np.flatnonzero(~np.isfinite(t.xm.sum(axis=(1, 2)) + t.Pm.sum(axis=(1, 2, 3))))
        if len(broken):  # a track whose numbers broke (NaN/inf) goes, rather than the whole picture
            log.warning("tracker: %d track(s) with non-finite state dropped", len(broken))
            gone = t.remove(broken.astype(np.intp))
            self._id_map = {k: v for k, v in self._id_map.items() if v not in set(gone)}
            self._removed.extend(gone)
        drop: list[int] = []
        identities = bool(self._id_map) and not plots_only
        for phantom_id, sensed_id, offset_m in (find_spoofs(t, self._cover, now, self.cfg) if identities else []):
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
            if (fo.identity is not None and fn.identity is not None
                    and fo.identity.aircraft_key != fn.identity.aircraft_key):
                continue
            drop.append(self._merge(int(t.ids[old]), int(t.ids[new])))
        for old_id, new_id in ([] if plots_only else find_duplicates(t, now, self.cfg)):
            if old_id not in drop and new_id not in drop:
                drop.append(self._merge(old_id, new_id))
        for claimer_id, track_id, _ in (find_spoofs(t, self._cover, now, self.cfg, claimed_by_other=True)
                                        if identities else []):
            if claimer_id not in drop and track_id not in drop:
                add_claimer(t, self._id_map, claimer_id, track_id)
                drop.append(claimer_id)
        rows = [t.row(tid) for tid in drop]
        stale = management.stale_rows(t, now, self.cfg)
        all_rows = np.union1d(np.asarray([r for r in rows if r is not None], dtype=np.intp), stale)
        gone = t.remove(all_rows.astype(np.intp))
        t.shown |= t.confirmed
        if gone:
            dead = set(gone)
            self._id_map = {k: v for k, v in self._id_map.items() if v not in dead}
            self._removed.extend(gone)
