"""Cluster association: gated (track, plot) pairs -> one-to-one assignments.

The bipartite gate graph is split into independent clusters. A track whose gated plots are in no
other gate is its own cluster and takes its best plot (vectorised over all such tracks) if that is
likelier its own than "no plot" (Pd N(z) / clutter density > 1 - Pd, the same rule as a JPDA
track's; in heavy clutter a plot far out in a wide gate is not); the other
pairs are split into connected clusters (``components``). A small ambiguous cluster (at most ``max_tracks``
tracks and ``max_pairs`` pairs) gets JPDA marginals (two-track clusters in closed form, all at
once; larger ones by enumeration, ``jpda.py``) and each track then takes its most probable plot if
that beats "no plot" (the track's hard choice: its score, hits and history); the marginals are
returned too, so the caller can update those tracks' states by PDA (``imm.pda_update``: the
weighted mixture of all their plots and of "no plot", which holds identity through close
crossings); a large cluster gets GNN (``linear_sum_assignment``) over the pairs that beat "no
plot" by the same rule.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from msgspec import Struct

from dronewatch.tracking.association import gnn
from dronewatch.tracking.jpda import jpda_marginals

Arr = np.ndarray
_LOG2PI = float(np.log(2.0 * np.pi))


class Soft(NamedTuple):
    """JPDA marginals of the small ambiguous clusters: per pair (index into the pairs given to
    ``assign``) its probability, and per track row its probability of no plot."""

    pairs: Arr
    beta: Arr
    tracks: Arr
    beta0: Arr


NO_SOFT = Soft(np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0, dtype=np.intp), np.zeros(0))


class ClusterSettings(Struct, frozen=True, kw_only=True):
    """What the association needs of the sensor and the tracker's settings."""

    pd: float
    clutter_per_m3: float
    max_tracks: int
    max_pairs: int


def most_probable(pt: Arr, pm: Arr, beta: Arr, beta0: dict[int, float]) -> tuple[Arr, Arr]:
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


def jpda_two(pairs: Arr, plabel: Arr, ti: Arr, mi: Arr, lik: Arr, pd: float) -> tuple[Arr, Arr, Arr]:
    """JPDA marginals of every two-track cluster at once -> (beta per pair, tracks, beta0 per track).

    With w = 1 - Pd, S1, S2 the tracks' summed likelihood ratios and L1a, L2a those of plot a:
    Z = w² + w(S1 + S2) + S1 S2 - sum_a L1a L2a, beta1(a) = L1a (w + S2 - L2a) / Z,
    beta1(none) = w (w + S2) / Z."""
    w = 1.0 - pd
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
    beta = L * (w + S[lab, 1 - side] - other) / Z[lab]
    beta0 = np.concatenate([w * (w + S[:, 1]) / Z, w * (w + S[:, 0]) / Z])
    return beta, np.concatenate([tmin, tmax]), beta0


def _jpda_cluster(group: Arr, ti: Arr, mi: Arr, lik: Arr, pd: float) -> tuple[Arr, Arr, Arr]:
    """Marginals of one cluster by enumeration -> (beta per pair, tracks, beta0 per track)."""
    gt, gm = ti[group].tolist(), mi[group].tolist()
    tracks = sorted(set(gt))
    plots = sorted(set(gm))
    tpos = {t: k for k, t in enumerate(tracks)}
    mpos = {m: k for k, m in enumerate(plots)}
    L = np.zeros((len(tracks), len(plots)))
    lt = [tpos[t] for t in gt]
    lm = [mpos[m] for m in gm]
    L[lt, lm] = lik[group]
    beta = jpda_marginals(L, 1.0 - pd)
    return beta[lt, [k + 1 for k in lm]], np.asarray(tracks, dtype=np.intp), beta[:, 0].copy()


def components(tk: Arr, mk: Arr, n_t: int, n_m: int) -> Arr:
    """Connected clusters of a bipartite graph, edges (track tk[e], plot mk[e]) -> (n_t,) label
    per track, 0..K-1. Smallest-label propagation through the plots, as arrays: a few passes, as
    the ambiguous clusters are small."""
    lt = np.arange(n_t, dtype=np.intp)
    while True:
        lm = np.full(n_m, n_t, dtype=np.intp)
        np.minimum.at(lm, mk, lt[tk])
        new = lt.copy()
        np.minimum.at(new, tk, lm[mk])
        new = new[new]  # jump along the chain of labels
        if np.array_equal(new, lt):
            break
        lt = new
    return np.unique(lt, return_inverse=True)[1].astype(np.intp)


def assign(ti: Arr, mi: Arr, cost: Arr, n_tracks: int, n_plots: int, s: ClusterSettings,
           stats: dict[str, int], clutter: bool = True) -> tuple[Arr, Arr, Soft]:
    """Gated pairs (track ti, plot mi, cost = d² + log det S [+ penalties]) -> assigned
    (tracks, plots), one-to-one, and the JPDA clusters' marginals. ``stats`` counts the JPDA and
    GNN clusters solved. ``clutter``: the plots are a non-cooperative sensor's, which may be false
    (a self-report is not clutter: a lone track then takes its best report in the gate)."""
    empty = np.zeros(0, dtype=np.intp)
    soft = NO_SOFT
    if len(ti) == 0:
        return empty, empty, soft
    plot_deg = np.bincount(mi, minlength=n_plots)
    shared = plot_deg[mi] > 1
    track_shared = np.zeros(n_tracks, dtype=bool)
    track_shared[ti[shared]] = True
    single = ~track_shared[ti]
    # a plot whose likelihood ratio Pd N(z) / clutter density is below a miss's weight 1 - Pd is
    # likelier clutter (or another target) than this track's plot: cost >= miss_cost
    miss_cost = -2.0 * (np.log((1.0 - s.pd) * s.clutter_per_m3 / s.pd) + 1.5 * _LOG2PI) if clutter else np.inf
    # 1. clusters of one track: its best plot (vectorised), if that beats no plot
    gt, gm, gc = ti[single], mi[single], cost[single]
    order = np.lexsort((gc, gt))
    first = np.ones(len(order), dtype=bool)
    first[1:] = gt[order][1:] != gt[order][:-1]
    first &= gc[order] < miss_cost
    out_t, out_m = [gt[order][first]], [gm[order][first]]
    amb = np.flatnonzero(~single)
    if len(amb):
        plabel = np.full(len(ti), -1, dtype=np.intp)
        ut, ti_c = np.unique(ti[amb], return_inverse=True)
        um, mi_c = np.unique(mi[amb], return_inverse=True)
        nt = len(ut)
        label = components(ti_c, mi_c, nt, len(um))
        plabel[amb] = label[ti_c]
        n_tr = np.bincount(label[:nt], minlength=label.max() + 1)
        n_pairs = np.bincount(label[ti_c], minlength=label.max() + 1)
        # 2. ambiguous clusters: JPDA when small, else GNN
        lik = s.pd * np.exp(-0.5 * cost - 1.5 * _LOG2PI) / s.clutter_per_m3
        jp_pairs: list[Arr] = []
        jp_beta: list[Arr] = []
        jp_tracks: list[Arr] = []
        jp_beta0: list[Arr] = []
        lab = plabel[amb]
        two = (n_tr[lab] == 2) & (n_pairs[lab] <= s.max_pairs) & (s.max_tracks >= 2)
        if two.any():  # the common ambiguous case, in closed form for all such clusters at once
            stats["jpda_clusters"] = stats.get("jpda_clusters", 0) + len(np.unique(lab[two]))
            b, tr, b0 = jpda_two(amb[two], plabel, ti, mi, lik, s.pd)
            jp_pairs.append(amb[two])
            jp_beta.append(b)
            jp_tracks.append(tr)
            jp_beta0.append(b0)
        rest = amb[~two]
        order = rest[np.argsort(plabel[rest], kind="stable")]
        bounds = np.flatnonzero(np.diff(plabel[order])) + 1
        for group in np.split(order, bounds) if len(order) else []:
            lbl = int(plabel[group[0]])
            if n_tr[lbl] <= s.max_tracks and n_pairs[lbl] <= s.max_pairs:
                stats["jpda_clusters"] = stats.get("jpda_clusters", 0) + 1
                b, tr, b0 = _jpda_cluster(group, ti, mi, lik, s.pd)
                jp_pairs.append(group)
                jp_beta.append(b)
                jp_tracks.append(tr)
                jp_beta0.append(b0)
            else:
                stats["gnn_clusters"] = stats.get("gnn_clusters", 0) + 1
                group = group[cost[group] < miss_cost]
                am, at = gnn(n_plots, n_tracks, mi[group], ti[group], cost[group])
                out_t.append(at)
                out_m.append(am)
        if jp_pairs:
            pairs = np.concatenate(jp_pairs)
            rows_j = np.concatenate(jp_tracks)
            beta0 = dict(zip(rows_j.tolist(), np.concatenate(jp_beta0).tolist(), strict=True))
            beta = np.concatenate(jp_beta)
            et, em = most_probable(ti[pairs], mi[pairs], beta, beta0)
            out_t.append(et)
            out_m.append(em)
            soft = Soft(pairs, beta, rows_j, np.concatenate(jp_beta0))
    return np.concatenate(out_t).astype(np.intp), np.concatenate(out_m).astype(np.intp), soft
