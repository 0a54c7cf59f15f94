"""ScanTracker: the array core for scans of position plots at scale (thousands of targets).

Every track is one row of contiguous arrays (IMM model states, covariances, model probabilities,
hit/miss counters, a fixed history ring); deleting a track compacts the arrays, so nothing is left
behind. One ``step(z, R, now)`` per scan:

1. IMM mixing and prediction of all tracks at once (``imm``);
2. gating through a k-d tree on the scan's plots with a per-track radius, then the exact
   Mahalanobis test on the surviving pairs;
3. the gate graph is split into independent clusters; a cluster of one track takes its nearest
   plot (vectorised over all such clusters), a small ambiguous cluster (several tracks sharing
   plots) gets JPDA, a large one GNN (``linear_sum_assignment``) — chosen automatically;
4. confirmed tracks associate first, tentative ones take what is left, the rest start tracks;
5. M-of-N style confirmation (``confirm_hits``), coasting through misses with growing
   uncertainty, deletion after ``delete_misses`` misses or on leaving the covered area.

Deterministic for a given input order. Plots are in site ENU metres; a 2-D sensor gives u = 0
with its own sigma.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from msgspec import Meta, Struct
from scipy.spatial import cKDTree

from dronewatch.tracking import imm
from dronewatch.tracking.association import gnn
from dronewatch.tracking.jpda import jpda_marginals

Arr = np.ndarray
Pos = Annotated[float, Meta(gt=0)]
Count = Annotated[int, Meta(ge=1)]


class ScanConfig(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of the scan core; sensor figures (pd, clutter density) come from the sensor."""

    models: tuple[imm.MotionModel, ...] = imm.default_models()
    model_stay_prob: Annotated[float, Meta(gt=0, le=1)] = 0.95
    initial_model_probs: tuple[float, ...] = (0.6, 0.3, 0.1)
    pd: Annotated[float, Meta(gt=0, lt=1)] = 0.9
    clutter_per_m3: Pos = 1e-9  # false plots per cubic metre per scan (a plane sensor: see bench)
    gate_chi2: Pos = 16.0  # 3 dof
    init_vel_sigma_mps: Pos = 20.0
    init_vert_vel_sigma_mps: Pos = 5.0
    confirm_hits: Count = 2  # hits (the birth plot included) to confirm
    tentative_max_misses: Annotated[int, Meta(ge=0)] = 1
    report_max_misses: Annotated[int, Meta(ge=0)] = 1  # confirmed tracks reported while coasting
    delete_misses: Count = 3  # consecutive misses that delete a confirmed track
    area_m: tuple[float, float, float, float] | None = None  # e_min, e_max, n_min, n_max covered
    jpda_max_tracks: Count = 5  # larger ambiguous clusters get GNN
    jpda_max_pairs: Count = 14
    history_len: Count = 8


class ScanTracker:
    """Array-based multi-target tracker for position plots (see module docstring)."""

    def __init__(self, config: ScanConfig | None = None) -> None:
        self.cfg = cfg = config or ScanConfig()
        r = len(cfg.models)
        self._trans = imm.default_switching(r, cfg.model_stay_prob)
        p0 = np.asarray(cfg.initial_model_probs[:r], dtype=float)
        self._mu0 = p0 / p0.sum() if len(p0) == r else np.full(r, 1.0 / r)
        self.ids = np.zeros(0, dtype=np.int64)
        self.xm = np.zeros((r, 0, 6))
        self.Pm = np.zeros((r, 0, 6, 6))
        self.mu = np.zeros((0, r))
        self.t_at = np.zeros(0)
        self.hits = np.zeros(0, dtype=np.int64)
        self.misses = np.zeros(0, dtype=np.int64)
        self.confirmed = np.zeros(0, dtype=bool)
        self.hist = np.zeros((0, cfg.history_len, 4))
        self.hist_count = np.zeros(0, dtype=np.int64)
        self.next_id = 1
        self.stats = {"jpda_clusters": 0, "gnn_clusters": 0}

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    # --- public face ------------------------------------------------------------------------

    def step(self, z: Arr, R: Arr, now: float) -> None:
        """Fold one scan of plots z (M,3) with covariances R (M,3,3), all taken at ``now``."""
        cfg = self.cfg
        n = len(self)
        x0, P0, c = imm.mix(self.xm, self.Pm, self.mu, self._trans)
        xs, Ps = imm.predict(cfg.models, x0, P0, now - self.t_at)
        self.xm, self.Pm, self.mu = xs, Ps, c
        self.t_at[:] = now
        free = np.ones(len(z), dtype=bool)
        hit = np.zeros(n, dtype=bool)
        if n and len(z):
            xc, Pc = imm.combine(xs, Ps, c)
            for rows in (np.flatnonzero(self.confirmed), np.flatnonzero(~self.confirmed)):
                self._associate(rows, xc, Pc, z, R, free, hit)
        self.hits[hit] += 1
        self.misses[hit] = 0
        self.misses[~hit] += 1
        self._record(np.flatnonzero(hit))
        self.confirmed |= self.hits >= cfg.confirm_hits
        self._delete()
        self._birth(z[free], R[free], now)

    def reported(self) -> tuple[Arr, Arr]:
        """Confirmed tracks an operator sees now: (ids (K,), combined states (K,6))."""
        rows = np.flatnonzero(self.confirmed & (self.misses <= self.cfg.report_max_misses))
        x, _ = imm.combine(self.xm[:, rows], self.Pm[:, rows], self.mu[rows])
        return self.ids[rows].copy(), x

    def state(self) -> tuple[Arr, Arr]:
        """Combined (x (N,6), P (N,6,6)) of every live track, rows in ``ids`` order."""
        return imm.combine(self.xm, self.Pm, self.mu)

    def history(self, track_id: int) -> Arr:
        """(K, 4) oldest-first (t, e, n, u) of a live track's last updates; empty if unknown."""
        row = np.flatnonzero(self.ids == track_id)
        if len(row) == 0:
            return np.zeros((0, 4))
        i, k = int(row[0]), self.cfg.history_len
        c = int(self.hist_count[i])
        if c <= k:
            return self.hist[i, :c].copy()
        s = c % k
        return np.concatenate([self.hist[i, s:], self.hist[i, :s]])

    # --- association --------------------------------------------------------------------------

    def _gate(self, rows: Arr, xc: Arr, Pc: Arr, z: Arr, R: Arr, cand: Arr) -> tuple[Arr, Arr, Arr, Arr]:
        """Gated (track row, plot index, d², log det S) pairs between rows and plots cand."""
        cfg = self.cfg
        empty = np.zeros(0, dtype=np.intp)
        if len(rows) == 0 or len(cand) == 0:
            return empty, empty, np.zeros(0), np.zeros(0)
        Ppos = Pc[rows, :3, :3]
        r_max = float(np.trace(R[cand], axis1=1, axis2=2).max())
        radius = np.sqrt(cfg.gate_chi2 * (np.trace(Ppos, axis1=1, axis2=2) + r_max))
        tree = cKDTree(z[cand])
        found = tree.query_ball_point(xc[rows, :3], radius, return_sorted=True)
        counts = np.fromiter((len(f) for f in found), dtype=np.intp, count=len(found))
        if counts.sum() == 0:
            return empty, empty, np.zeros(0), np.zeros(0)
        ti = np.repeat(rows, counts)
        mi = cand[np.concatenate([np.asarray(f, dtype=np.intp) for f in found if f])]
        S = Pc[ti, :3, :3] + R[mi]
        nu = z[mi] - xc[ti, :3]
        d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(S, nu[:, :, None])[:, :, 0])
        keep = d2 <= cfg.gate_chi2
        _, logdet = np.linalg.slogdet(S[keep])
        return ti[keep], mi[keep], d2[keep], logdet

    def _associate(self, rows: Arr, xc: Arr, Pc: Arr, z: Arr, R: Arr, free: Arr, hit: Arr) -> None:
        cfg = self.cfg
        ti, mi, d2, logdet = self._gate(rows, xc, Pc, z, R, np.flatnonzero(free))
        if len(ti) == 0:
            return
        cost = d2 + logdet
        # clusters of the bipartite gate graph
        ut, ti_c = np.unique(ti, return_inverse=True)
        um, mi_c = np.unique(mi, return_inverse=True)
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components
        nt = len(ut)
        g = coo_matrix((np.ones(len(ti)), (ti_c, mi_c + nt)), shape=(nt + len(um), nt + len(um)))
        _, label = connected_components(g, directed=False)
        plabel = label[ti_c]
        n_tr = np.bincount(label[:nt], minlength=label.max() + 1)
        n_pairs = np.bincount(plabel, minlength=label.max() + 1)
        single = n_tr[plabel] == 1
        # 1. clusters of one track: its best plot (vectorised)
        gt, gm, gc = ti[single], mi[single], cost[single]
        order = np.lexsort((gc, gt))
        first = np.ones(len(order), dtype=bool)
        first[1:] = gt[order][1:] != gt[order][:-1]
        up_t, up_m = [gt[order][first]], [gm[order][first]]
        # 2. ambiguous clusters: JPDA when small, else GNN
        amb = np.flatnonzero(~single)
        jp_rows: list[Arr] = []
        jp_beta: list[Arr] = []
        jp_meas: list[Arr] = []
        if len(amb):
            lab = plabel[amb]
            order = amb[np.argsort(lab, kind="stable")]
            bounds = np.flatnonzero(np.diff(plabel[order])) + 1
            for group in np.split(order, bounds):
                lbl = int(plabel[group[0]])
                if n_tr[lbl] <= cfg.jpda_max_tracks and n_pairs[lbl] <= cfg.jpda_max_pairs:
                    self.stats["jpda_clusters"] += 1
                    rws, ms, beta = self._jpda_cluster(ti[group], mi[group], d2[group], logdet[group])
                    jp_rows.append(rws)
                    jp_meas.append(ms)
                    jp_beta.append(beta)
                else:
                    self.stats["gnn_clusters"] += 1
                    am, at = gnn(len(z), len(xc), mi[group], ti[group], cost[group])
                    up_t.append(at)
                    up_m.append(am)
        t_up, m_up = np.concatenate(up_t), np.concatenate(up_m)
        if len(t_up):
            self._update_rows(t_up, z[m_up], R[m_up])
            hit[t_up] = True
            free[m_up] = False
        for rws, ms, beta in zip(jp_rows, jp_meas, jp_beta, strict=True):
            self._pda_update(rws, ms, beta, z, R)
            hit[rws[beta[:, 1:].sum(axis=1) > 0.5]] = True
            free[ms] = False

    def _jpda_cluster(self, ti: Arr, mi: Arr, d2: Arr, logdet: Arr) -> tuple[Arr, Arr, Arr]:
        """Marginal association probabilities of one cluster -> (rows, plots, beta (T, 1+M))."""
        cfg = self.cfg
        rows, t_idx = np.unique(ti, return_inverse=True)
        ms, m_idx = np.unique(mi, return_inverse=True)
        lik = np.zeros((len(rows), len(ms)))
        # pd * N(nu; S) / clutter density, relative to a miss weight of (1 - pd)
        lik[t_idx, m_idx] = cfg.pd * np.exp(-0.5 * (d2 + logdet) - 1.5 * np.log(2 * np.pi)) / cfg.clutter_per_m3
        beta = jpda_marginals(lik, 1.0 - cfg.pd)
        return rows, ms, beta

    # --- updates ------------------------------------------------------------------------------

    def _update_rows(self, rows: Arr, z: Arr, R: Arr) -> None:
        xo, Po, mu, _ = imm.update_position(self.xm[:, rows], self.Pm[:, rows], self.mu[rows], z, R)
        self.xm[:, rows], self.Pm[:, rows], self.mu[rows] = xo, Po, mu

    def _pda_update(self, rows: Arr, ms: Arr, beta: Arr, z: Arr, R: Arr) -> None:
        """Probabilistic data association update of each model of each track of a JPDA cluster."""
        b0 = beta[:, 0]
        for j in range(self.xm.shape[0]):
            x, P = self.xm[j, rows], self.Pm[j, rows]
            nu = z[ms][None, :, :] - x[:, None, :3]  # (T,M,3)
            # one gain per track from the mean plot covariance of the cluster
            S = P[:, :3, :3] + R[ms].mean(axis=0)[None]
            K = P[:, :, :3] @ np.linalg.inv(S)
            nu_bar = np.einsum("tm,tmi->ti", beta[:, 1:], nu)
            spread = np.einsum("tm,tmi,tmj->tij", beta[:, 1:], nu, nu) - nu_bar[:, :, None] * nu_bar[:, None, :]
            Pc = P - K @ P[:, :3, :]
            self.xm[j, rows] = x + np.einsum("tij,tj->ti", K, nu_bar)
            self.Pm[j, rows] = b0[:, None, None] * P + (1 - b0)[:, None, None] * Pc + \
                K @ spread @ K.transpose(0, 2, 1)

    def _record(self, rows: Arr) -> None:
        if len(rows) == 0:
            return
        x, _ = imm.combine(self.xm[:, rows], self.Pm[:, rows], self.mu[rows])
        slot = self.hist_count[rows] % self.cfg.history_len
        self.hist[rows, slot, 0] = self.t_at[rows]
        self.hist[rows, slot, 1:] = x[:, :3]
        self.hist_count[rows] += 1

    # --- birth and death ----------------------------------------------------------------------

    def _birth(self, z: Arr, R: Arr, now: float) -> None:
        k, r, cfg = len(z), self.xm.shape[0], self.cfg
        if k == 0:
            return
        x = np.concatenate([z, np.zeros((k, 3))], axis=1)
        P = np.zeros((k, 6, 6))
        P[:, :3, :3] = R
        P[:, 3, 3] = P[:, 4, 4] = cfg.init_vel_sigma_mps**2
        P[:, 5, 5] = cfg.init_vert_vel_sigma_mps**2
        self.ids = np.concatenate([self.ids, np.arange(self.next_id, self.next_id + k, dtype=np.int64)])
        self.next_id += k
        self.xm = np.concatenate([self.xm, np.broadcast_to(x, (r, k, 6))], axis=1)
        self.Pm = np.concatenate([self.Pm, np.broadcast_to(P, (r, k, 6, 6))], axis=1)
        self.mu = np.concatenate([self.mu, np.broadcast_to(self._mu0, (k, r))])
        self.t_at = np.concatenate([self.t_at, np.full(k, now)])
        self.hits = np.concatenate([self.hits, np.ones(k, dtype=np.int64)])
        self.misses = np.concatenate([self.misses, np.zeros(k, dtype=np.int64)])
        self.confirmed = np.concatenate([self.confirmed, np.zeros(k, dtype=bool)])
        hist = np.zeros((k, cfg.history_len, 4))
        hist[:, 0, 0] = now
        hist[:, 0, 1:] = z
        self.hist = np.concatenate([self.hist, hist])
        self.hist_count = np.concatenate([self.hist_count, np.ones(k, dtype=np.int64)])

    def _delete(self) -> None:
        cfg = self.cfg
        limit = np.where(self.confirmed, cfg.delete_misses, cfg.tentative_max_misses + 1)
        gone = self.misses >= limit
        if cfg.area_m is not None and len(self):
            e0, e1, n0, n1 = cfg.area_m
            xc = np.einsum("nr,rnk->nk", self.mu, self.xm[:, :, :2])
            gone |= (xc[:, 0] < e0) | (xc[:, 0] > e1) | (xc[:, 1] < n0) | (xc[:, 1] > n1)
        if gone.any():
            keep = ~gone
            self.ids, self.mu, self.t_at = self.ids[keep], self.mu[keep], self.t_at[keep]
            self.xm, self.Pm = self.xm[:, keep], self.Pm[:, keep]
            self.hits, self.misses, self.confirmed = self.hits[keep], self.misses[keep], self.confirmed[keep]
            self.hist, self.hist_count = self.hist[keep], self.hist_count[keep]
