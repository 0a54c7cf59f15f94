"""Gating (k-d tree pre-gate + Mahalanobis) and global nearest neighbour assignment."""

from __future__ import annotations

import numpy as np

from dronewatch.tracking.association import gnn
from dronewatch.tracking.gating import gate


def test_gate_keeps_only_pairs_inside_the_mahalanobis_gate() -> None:
    tracks = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]])
    cov = np.stack([np.diag([100.0, 1.0, 1.0]), np.eye(3)])  # track 0 is uncertain along east only
    z = np.array([[30.0, 0.0, 0.0], [0.0, 30.0, 0.0], [101.0, 0.0, 0.0], [500.0, 0.0, 0.0]])
    R = np.broadcast_to(np.eye(3), (4, 3, 3))
    mi, ti, d2 = gate(tracks, cov, z, R, chi2=16.0, max_radius_m=300.0)
    assert list(zip(mi.tolist(), ti.tolist(), strict=True)) == [(0, 0), (2, 1)]
    assert np.isclose(d2[0], 900 / 101) and np.isclose(d2[1], 0.5)


def test_gate_with_nothing() -> None:
    mi, _, _ = gate(np.zeros((0, 3)), np.zeros((0, 3, 3)), np.ones((2, 3)), np.ones((2, 3, 3)), 9.0, 100.0)
    assert len(mi) == 0


def test_gnn_takes_the_globally_best_assignment_per_cluster() -> None:
    # cluster 1: m0-t0 (1), m0-t1 (2), m1-t0 (2): greedy would take m0-t0 and leave m1; GNN: m0-t1, m1-t0
    # cluster 2: m2-t2 only; m3 gates nothing
    mi = np.array([0, 0, 1, 2])
    ti = np.array([0, 1, 0, 2])
    cost = np.array([1.0, 2.0, 2.0, 5.0])
    am, at = gnn(4, 3, mi, ti, cost)
    assert list(zip(am.tolist(), at.tolist(), strict=True)) == [(0, 1), (1, 0), (2, 2)]


def test_gnn_scales_with_clusters_not_tracks() -> None:
    n = 5000
    rng = np.random.default_rng(0)
    mi = np.arange(n)
    ti = rng.permutation(n)
    am, at = gnn(n, n, mi, ti, np.ones(n))
    assert np.array_equal(am, mi) and np.array_equal(at, ti)


def test_gnn_skips_pairs_whose_cost_is_not_a_number() -> None:
    """A track whose covariance broke (NaN/inf cost) gets no plot; the scan goes on."""
    mi = np.array([0, 0, 1, 1])
    ti = np.array([0, 1, 0, 1])
    cost = np.array([np.nan, 2.0, 1.0, np.inf])
    am, at = gnn(2, 2, mi, ti, cost)
    assert am.tolist() == [0, 1] and at.tolist() == [1, 0]
    am, at = gnn(1, 1, np.array([0]), np.array([0]), np.array([np.nan]))
    assert len(am) == 0 and len(at) == 0


def test_cluster_components_match_scipy_connected_components() -> None:
    """The array label propagation splits a bipartite gate graph as scipy's graph search does."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from dronewatch.tracking.clusters import components

    rng = np.random.default_rng(5)
    for _ in range(200):
        nt, nm, ne = (int(v) for v in rng.integers(1, 40, 3))
        tk = np.r_[rng.integers(0, nt, ne), np.arange(nt)]  # every track has a plot
        mk = rng.integers(0, nm, len(tk))
        g = coo_matrix((np.ones(len(tk)), (tk, mk + nt)), shape=(nt + nm, nt + nm))
        _, want = connected_components(g, directed=False)
        got = components(tk, mk, nt, nm)
        pairs = set(zip(got.tolist(), want[:nt].tolist(), strict=True))
        assert len(pairs) == len(set(got.tolist())) == len(set(want[:nt].tolist()))
        assert set(got.tolist()) == set(range(len(set(got.tolist()))))
