"""Global nearest neighbour: one-to-one assignment of gated (measurement, track) pairs.

The bipartite gate graph is split into connected clusters (scipy.sparse.csgraph) and each
cluster is solved with the Hungarian method (scipy.optimize.linear_sum_assignment), so cost
grows with cluster size, not with the number of tracks. Clusters are where JPDA can plug in.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_NO = 1e12


def gnn(n_meas: int, n_tracks: int, mi: np.ndarray, ti: np.ndarray, cost: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """Gated pairs with costs -> assigned (measurement indices, track indices), sorted by measurement."""
    if len(mi) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    finite = np.isfinite(cost)
    if not finite.all():  # a pair whose cost is not a number is not a pair
        mi, ti, cost = mi[finite], ti[finite], cost[finite]
        if len(mi) == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if len(np.unique(mi)) == len(mi) and len(np.unique(ti)) == len(ti):  # no contention: nothing to solve
        order = np.argsort(mi, kind="stable")
        return mi[order], ti[order]
    n = n_meas + n_tracks
    graph = coo_matrix((np.ones(len(mi)), (mi, ti + n_meas)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    pair_label = label[mi]
    out_m: list[np.ndarray] = []
    out_t: list[np.ndarray] = []
    order = np.argsort(pair_label, kind="stable")
    bounds = np.flatnonzero(np.diff(pair_label[order])) + 1
    for group in np.split(order, bounds):
        gm, gt, gc = mi[group], ti[group], cost[group]
        if len(group) == 1:
            out_m.append(gm)
            out_t.append(gt)
            continue
        um, rm = np.unique(gm, return_inverse=True)
        ut, rt = np.unique(gt, return_inverse=True)
        C = np.full((len(um), len(ut)), _NO)
        C[rm, rt] = np.where(np.isfinite(gc), gc, _NO)  # a broken covariance must not stop the scan
        r, c = linear_sum_assignment(C)
        ok = C[r, c] < _NO
        out_m.append(um[r[ok]])
        out_t.append(ut[c[ok]])
    am, at = np.concatenate(out_m), np.concatenate(out_t)
    order = np.argsort(am, kind="stable")
    return am[order], at[order]
