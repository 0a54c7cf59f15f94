"""ScanTracker: the array core for scans of position plots at scale (thousands of targets).

Every track is one row of contiguous arrays (IMM model states, covariances, model probabilities,
hit/miss counters, a fixed history ring); deleting a track compacts the arrays, so nothing is left
behind. One ``step(z, R, now)`` per scan:

1. IMM mixing and prediction of all tracks at once (``imm``);
2. gating through a k-d tree on the scan's plots with a per-track radius, then the exact
   Mahalanobis test on the surviving pairs;
3. the gate graph is split into independent clusters; a cluster of one track takes its nearest
   plot (vectorised over all such clusters), a small ambiguous cluster (several tracks sharing
   plots) gets JPDA (two-track clusters in closed form, all at once; each track then takes its
   most probable plot, or with ``jpda_update="pda"`` all plots weighted), a large one GNN
   (``linear_sum_assignment``) — chosen automatically;
4. confirmed tracks associate first, tentative ones take what is left, the rest start tracks;
5. M-of-N style confirmation (``confirm_hits``), coasting through misses with growing
   uncertainty, deletion after ``delete_misses`` misses or on leaving the covered area.

Deterministic for a given input order. Plots are in site ENU metres; a 2-D sensor gives u = 0
with its own sigma.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from msgspec import Meta, Struct
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
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
    model_stay_prob: Annotated[float, Meta(gt=0, le=1)] = 0.98
    initial_model_probs: tuple[float, ...] = (0.7, 0.15, 0.15)  # uniform if the length differs
    pd: Annotated[float, Meta(gt=0, lt=1)] = 0.9
    clutter_per_m3: Pos = 1e-9  # false plots per cubic metre per scan (a plane sensor: see bench)
    gate_chi2: Pos = 16.0  # 3 dof
    init_vel_sigma_mps: Pos = 20.0
    init_vert_vel_sigma_mps: Pos = 5.0
    confirm_hits: Count = 2  # hits (the birth plot included) to confirm
    tentative_max_misses: Annotated[int, Meta(ge=0)] = 1
    # Coasting: confirmed tracks are shown through report_max_misses consecutive misses and deleted
    # at delete_misses. None derives both from the existence probability r_k after k misses (Bayes
    # with pd and a death hazard per scan): shown while r_k >= report_min_existence, kept while
    # r_k >= delete_below_existence. At pd 0.9 that gives the defaults (1, 3); at low pd in heavy
    # clutter it keeps clutter-made tracks too long (no track score yet), hence explicit defaults.
    death_hazard_per_scan: Annotated[float, Meta(gt=0, lt=1)] = 0.01
    report_min_existence: Annotated[float, Meta(gt=0, lt=1)] = 0.5
    delete_below_existence: Annotated[float, Meta(gt=0, lt=1)] = 0.1
    report_max_misses: Annotated[int, Meta(ge=0)] | None = 1
    delete_misses: Count | None = 3
    report_ambiguous_extra: Annotated[int, Meta(ge=0)] = 1  # shown this much longer next to a neighbour
    area_m: tuple[float, float, float, float] | None = None  # e_min, e_max, n_min, n_max covered
    gate_max_plots: Count = 8  # nearest plots per track tested against its gate
    jpda_max_tracks: Count = 5  # larger ambiguous clusters get GNN
    jpda_max_pairs: Count = 14
    # "enn": a JPDA track is updated with its most probable plot (exact nearest-neighbour JPDA,
    # no coalescence of close parallel targets); "pda": with all plots weighted by probability
    jpda_update: Literal["enn", "pda"] = "enn"
    history_len: Count = 8


def _most_probable(pt: Arr, pm: Arr, beta: Arr, beta0: dict[int, float]) -> tuple[Arr, Arr]:
    """One-to-one choice from JPDA marginals, greedily by probability: a track takes a plot only
    if that is likelier than its taking none (exact nearest-neighbour JPDA)."""
    order = np.lexsort((pm, pt, -beta))
    used_t: set[int] = set()
    used_m: set[int] = set()
    out_t: list[int] = []
    out_m: list[int] = []
    for t, m, b in zip(pt[order].tolist(), pm[order].tolist(), beta[order].tolist(), strict=True):
        if t in used_t or m in used_m or b <= beta0[t]:
            continue
        used_t.add(t)
        used_m.add(m)
        out_t.append(t)
        out_m.append(m)
    return np.asarray(out_t, dtype=np.intp), np.asarray(out_m, dtype=np.intp)


def coast_limits(cfg: ScanConfig, longest: int = 50) -> tuple[int, int]:
    """(misses still shown, misses still kept) from the existence probability after k misses:
    r <- r (1 - h); r <- r (1 - pd) / (1 - r pd), starting from r = 1 at the last hit."""
    r, shown, kept = 1.0, 0, 0
    for k in range(1, longest + 1):
        r *= 1.0 - cfg.death_hazard_per_scan
        r = r * (1.0 - cfg.pd) / (1.0 - r * cfg.pd)
        if r >= cfg.report_min_existence:
            shown = k
        if r >= cfg.delete_below_existence:
            kept = k
    return shown, max(kept, shown)


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
        shown, kept = coast_limits(cfg)
        self.report_max_misses = shown if cfg.report_max_misses is None else cfg.report_max_misses
        self.delete_misses = kept + 1 if cfg.delete_misses is None else cfg.delete_misses

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
            xc, Pc = imm.combine_position(xs, Ps, c)
            for rows in (np.flatnonzero(self.confirmed), np.flatnonzero(~self.confirmed)):
                self._associate(rows, xc, Pc, z, R, free, hit)
        self.hits[hit] += 1
        self.misses[hit] = 0
        self.misses[~hit] += 1
        self._record(np.flatnonzero(hit))
        self.confirmed |= self.hits >= cfg.confirm_hits
        self._delete()
        self._birth(z[free], R[free], now)

    def reported(self, plot_cov: Arr | None = None) -> tuple[Arr, Arr]:
        """Confirmed tracks an operator sees now: (ids (K,), combined states (K,6)).

        A confirmed track is shown while coasting for ``report_max_misses`` scans, and for
        ``report_ambiguous_extra`` more when another confirmed track is ambiguous with it (a plot of
        either could fall in the other's gate; hiding it would let the neighbour's label stand in
        for it). ``plot_cov`` (3,3) is the sensor's plot covariance (default: none)."""
        cfg = self.cfg
        show = self.confirmed & (self.misses <= self.report_max_misses)
        extra = np.flatnonzero(self.confirmed & ~show
                               & (self.misses <= self.report_max_misses + cfg.report_ambiguous_extra))
        if len(extra):
            rows_c = np.flatnonzero(self.confirmed)
            x = imm.combine_mean(self.xm[:, rows_c], self.mu[rows_c])
            where = np.searchsorted(rows_c, extra)
            _, Pe = imm.combine_position(self.xm[:, extra], self.Pm[:, extra], self.mu[extra])
            R2 = np.zeros((3, 3)) if plot_cov is None else 2.0 * plot_cov
            radius = np.sqrt(cfg.gate_chi2 * (np.trace(Pe, axis1=1, axis2=2) + np.trace(R2)))
            near = cKDTree(x[:, :3]).query_ball_point(x[where, :3], radius)
            for k, found in enumerate(near):
                i = int(where[k])
                others = np.asarray([j for j in found if j != i], dtype=np.intp)
                if len(others):
                    ro = rows_c[others]
                    _, Po = imm.combine_position(self.xm[:, ro], self.Pm[:, ro], self.mu[ro])
                    d = x[others, :3] - x[i, :3]
                    d2 = imm.mahalanobis2(d, imm.inv3(Po + Pe[k] + R2)[0])
                    show[extra[k]] = bool((d2 <= cfg.gate_chi2).any())
        rows = np.flatnonzero(show)
        return self.ids[rows].copy(), imm.combine_mean(self.xm[:, rows], self.mu[rows])

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
        k = min(cfg.gate_max_plots, len(cand))
        dist, idx = cKDTree(z[cand]).query(xc[rows, :3], k=k, distance_upper_bound=float(radius.max()))
        dist, idx = dist.reshape(len(rows), k), idx.reshape(len(rows), k)
        inside = dist <= radius[:, None]
        if not inside.any():
            return empty, empty, np.zeros(0), np.zeros(0)
        ti = np.broadcast_to(rows[:, None], inside.shape)[inside]
        mi = cand[idx[inside]]
        S = Pc[ti, :3, :3] + R[mi]
        nu = z[mi] - xc[ti, :3]
        Sinv, logdet = imm.inv3(S)
        d2 = imm.mahalanobis2(nu, Sinv)
        keep = d2 <= cfg.gate_chi2
        return ti[keep], mi[keep], d2[keep], logdet[keep]

    def _associate(self, rows: Arr, xc: Arr, Pc: Arr, z: Arr, R: Arr, free: Arr, hit: Arr) -> None:
        cfg = self.cfg
        ti, mi, d2, logdet = self._gate(rows, xc, Pc, z, R, np.flatnonzero(free))
        if len(ti) == 0:
            return
        cost = d2 + logdet
        # clusters of the bipartite gate graph: a track whose plots are in no other gate is a
        # cluster of its own (no graph search needed); the rest are split by connected components
        plot_deg = np.bincount(mi, minlength=len(z))
        shared = plot_deg[mi] > 1
        track_shared = np.zeros(len(xc), dtype=bool)
        track_shared[ti[shared]] = True
        single = ~track_shared[ti]
        plabel = np.full(len(ti), -1, dtype=np.intp)
        n_tr = n_pairs = np.zeros(0, dtype=np.intp)
        amb = np.flatnonzero(~single)
        if len(amb):
            ut, ti_c = np.unique(ti[amb], return_inverse=True)
            um, mi_c = np.unique(mi[amb], return_inverse=True)
            nt = len(ut)
            g = coo_matrix((np.ones(len(amb)), (ti_c, mi_c + nt)), shape=(nt + len(um), nt + len(um)))
            _, label = connected_components(g, directed=False)
            plabel[amb] = label[ti_c]
            n_tr = np.bincount(label[:nt], minlength=label.max() + 1)
            n_pairs = np.bincount(label[ti_c], minlength=label.max() + 1)
        # 1. clusters of one track: its best plot (vectorised)
        gt, gm, gc = ti[single], mi[single], cost[single]
        order = np.lexsort((gc, gt))
        first = np.ones(len(order), dtype=bool)
        first[1:] = gt[order][1:] != gt[order][:-1]
        up_t, up_m = [gt[order][first]], [gm[order][first]]
        # 2. ambiguous clusters: JPDA when small, else GNN
        jp_pairs: list[Arr] = []  # pair indices of JPDA clusters
        jp_beta: list[Arr] = []  # their marginal association probabilities
        jp_tracks: list[Arr] = []
        jp_beta0: list[Arr] = []  # probability that the track took no plot
        if len(amb):
            lik = cfg.pd * np.exp(-0.5 * (d2 + logdet) - 1.5 * np.log(2 * np.pi)) / cfg.clutter_per_m3
            lab = plabel[amb]
            two = (n_tr[lab] == 2) & (n_pairs[lab] <= cfg.jpda_max_pairs) & (cfg.jpda_max_tracks >= 2)
            if two.any():  # the common ambiguous case, in closed form for all such clusters at once
                self.stats["jpda_clusters"] += len(np.unique(lab[two]))
                self._jpda_two(amb[two], plabel, ti, mi, lik, jp_pairs, jp_beta, jp_tracks, jp_beta0)
            rest = amb[~two]
            order = rest[np.argsort(plabel[rest], kind="stable")]
            bounds = np.flatnonzero(np.diff(plabel[order])) + 1
            for group in np.split(order, bounds) if len(order) else []:
                lbl = int(plabel[group[0]])
                if n_tr[lbl] <= cfg.jpda_max_tracks and n_pairs[lbl] <= cfg.jpda_max_pairs:
                    self.stats["jpda_clusters"] += 1
                    self._jpda_cluster(group, ti, mi, lik, jp_pairs, jp_beta, jp_tracks, jp_beta0)
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
        if jp_pairs:
            pairs = np.concatenate(jp_pairs)
            rows_j = np.concatenate(jp_tracks)
            beta0 = np.concatenate(jp_beta0)
            beta = np.concatenate(jp_beta)
            free[mi[pairs]] = False
            if cfg.jpda_update == "pda":
                self._pda_update(rows_j, beta0, ti[pairs], mi[pairs], beta, z, R)
                hit[rows_j[beta0 < 0.5]] = True
            else:  # "enn": each track takes its most probable plot (no averaging, no coalescence)
                et, em = _most_probable(ti[pairs], mi[pairs], beta, dict(zip(rows_j.tolist(), beta0.tolist(),
                                                                               strict=True)))
                if len(et):
                    self._update_rows(et, z[em], R[em])
                    hit[et] = True

    def _jpda_two(self, pairs: Arr, plabel: Arr, ti: Arr, mi: Arr, lik: Arr, out_pairs: list[Arr],
                  out_beta: list[Arr], out_tracks: list[Arr], out_beta0: list[Arr]) -> None:
        """JPDA marginals of every two-track cluster at once. With w = 1 - Pd, S1, S2 the tracks'
        summed likelihood ratios and L1a, L2a those of plot a: Z = w² + w(S1 + S2) + S1 S2 -
        sum_a L1a L2a, beta1(a) = L1a (w + S2 - L2a) / Z, beta1(none) = w (w + S2) / Z."""
        w = 1.0 - self.cfg.pd
        labels, lab = np.unique(plabel[pairs], return_inverse=True)
        t = ti[pairs]
        tmin = np.full(len(labels), np.iinfo(np.intp).max, dtype=np.intp)
        tmax = np.full(len(labels), -1, dtype=np.intp)
        np.minimum.at(tmin, lab, t)
        np.maximum.at(tmax, lab, t)
        side = (t != tmin[lab]).astype(np.intp)
        L = lik[pairs]
        S = np.zeros((len(labels), 2))
        np.add.at(S, (lab, side), L)
        m = mi[pairs]
        order = np.lexsort((side, m))
        same = m[order][1:] == m[order][:-1]  # a plot in both gates: (side 0, side 1) in a row
        i0, i1 = order[:-1][same], order[1:][same]
        other = np.zeros(len(pairs))
        other[i0], other[i1] = L[i1], L[i0]
        cross = np.bincount(lab[i0], weights=L[i0] * L[i1], minlength=len(labels))
        Z = w * w + w * (S[:, 0] + S[:, 1]) + S[:, 0] * S[:, 1] - cross
        out_pairs.append(pairs)
        out_beta.append(L * (w + S[lab, 1 - side] - other) / Z[lab])
        out_tracks.append(np.concatenate([tmin, tmax]))
        out_beta0.append(np.concatenate([w * (w + S[:, 1]) / Z, w * (w + S[:, 0]) / Z]))

    def _jpda_cluster(self, group: Arr, ti: Arr, mi: Arr, lik: Arr, out_pairs: list[Arr],
                      out_beta: list[Arr], out_tracks: list[Arr], out_beta0: list[Arr]) -> None:
        """Marginal association probabilities of one cluster's pairs (appended to the out lists)."""
        gt, gm = ti[group].tolist(), mi[group].tolist()
        tracks = sorted(set(gt))
        plots = sorted(set(gm))
        tpos = {t: k for k, t in enumerate(tracks)}
        mpos = {m: k for k, m in enumerate(plots)}
        L = np.zeros((len(tracks), len(plots)))
        lt = [tpos[t] for t in gt]
        lm = [mpos[m] for m in gm]
        L[lt, lm] = lik[group]
        beta = jpda_marginals(L, 1.0 - self.cfg.pd)
        out_pairs.append(group)
        out_beta.append(beta[lt, [k + 1 for k in lm]])
        out_tracks.append(np.asarray(tracks, dtype=np.intp))
        out_beta0.append(beta[:, 0].copy())

    # --- updates ------------------------------------------------------------------------------

    def _update_rows(self, rows: Arr, z: Arr, R: Arr) -> None:
        xo, Po, mu, _ = imm.update_position(self.xm[:, rows], self.Pm[:, rows], self.mu[rows], z, R)
        self.xm[:, rows], self.Pm[:, rows], self.mu[rows] = xo, Po, mu

    def _pda_update(self, rows: Arr, beta0: Arr, pt: Arr, pm: Arr, pbeta: Arr, z: Arr, R: Arr) -> None:
        """Probabilistic data association update of every model of JPDA tracks ``rows`` (T,), given
        the pairs (track row pt, plot pm, probability pbeta) and each track's miss probability."""
        slot = np.searchsorted(rows, pt) if np.all(rows[:-1] <= rows[1:]) else None
        if slot is None:
            order = np.argsort(rows)
            rows, beta0 = rows[order], beta0[order]
            slot = np.searchsorted(rows, pt)
        n = len(rows)
        # one gain per track: plot covariance averaged over its pairs, weighted by beta
        wsum = np.bincount(slot, weights=pbeta, minlength=n)
        Rbar = np.zeros((n, 3, 3))
        np.add.at(Rbar, slot, pbeta[:, None, None] * R[pm])
        Rbar = np.where(wsum[:, None, None] > 1e-12, Rbar / np.maximum(wsum, 1e-12)[:, None, None],
                        R[pm].mean(axis=0)[None])
        mu_post = np.zeros((n, self.xm.shape[0]))
        for j in range(self.xm.shape[0]):
            x, P = self.xm[j, rows], self.Pm[j, rows]
            nu = z[pm] - x[slot, :3]  # (pairs, 3)
            S = P[:, :3, :3] + Rbar
            Sinv, logdet = imm.inv3(S)
            K = P[:, :, :3] @ Sinv
            nu_bar = np.zeros((n, 3))
            np.add.at(nu_bar, slot, pbeta[:, None] * nu)
            outer = np.zeros((n, 3, 3))
            np.add.at(outer, slot, pbeta[:, None, None] * nu[:, :, None] * nu[:, None, :])
            spread = outer - nu_bar[:, :, None] * nu_bar[:, None, :]
            Pc = P - K @ P[:, :3, :]
            self.xm[j, rows] = x + np.einsum("tij,tj->ti", K, nu_bar)
            self.Pm[j, rows] = (beta0[:, None, None] * P + (1 - beta0)[:, None, None] * Pc
                                + K @ spread @ K.transpose(0, 2, 1))
            # model likelihood: miss weight plus the plots' gaussian likelihoods under model j
            d2 = imm.mahalanobis2(nu, Sinv[slot])
            g = np.exp(-0.5 * (d2 + logdet[slot]) - 1.5 * np.log(2 * np.pi))
            mu_post[:, j] = (1 - self.cfg.pd) * self.cfg.clutter_per_m3 + self.cfg.pd * np.bincount(
                slot, weights=g, minlength=n) / np.maximum(np.bincount(slot, minlength=n), 1)
        w = self.mu[rows] * mu_post
        self.mu[rows] = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)

    def _record(self, rows: Arr) -> None:
        if len(rows) == 0:
            return
        x = imm.combine_mean(self.xm[:, rows], self.mu[rows])
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
        limit = np.where(self.confirmed, self.delete_misses, cfg.tentative_max_misses + 1)
        gone = self.misses >= limit
        if cfg.area_m is not None and len(self):
            e0, e1, n0, n1 = cfg.area_m
            xc = imm.combine_mean(self.xm, self.mu)
            gone |= (xc[:, 0] < e0) | (xc[:, 0] > e1) | (xc[:, 1] < n0) | (xc[:, 1] > n1)
        if gone.any():
            keep = ~gone
            self.ids, self.mu, self.t_at = self.ids[keep], self.mu[keep], self.t_at[keep]
            self.xm, self.Pm = self.xm[:, keep], self.Pm[:, keep]
            self.hits, self.misses, self.confirmed = self.hits[keep], self.misses[keep], self.confirmed[keep]
            self.hist, self.hist_count = self.hist[keep], self.hist_count[keep]
