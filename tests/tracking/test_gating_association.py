"""Gating (k-d tree pre-gate + Mahalanobis), global nearest neighbour assignment, and a lone
track's choice of plot against a miss."""

from __future__ import annotations

import numpy as np

from dronewatch.geo import SiteFrame
from dronewatch.tracking import Tracker
from dronewatch.tracking.association import gnn
from dronewatch.tracking.gating import gate
from dronewatch.tracking.prediction import combined_at
from dronewatch.tracking.settings import plot_sensor_config


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


def _far_plot_taken(clutter_per_m3: float, gate_d2: float) -> bool:
    """A confirmed track (Pd 0.7, 25 m plots) misses its plot; one plot lies at Mahalanobis d² =
    ``gate_d2`` from its prediction, inside the gate: does the track take it?"""
    sigma = 25.0
    trk = Tracker(SiteFrame(0.0, 0.0), [], plot_sensor_config(0.7, clutter_per_m3))
    R1 = np.eye(3) * sigma**2
    rng = np.random.default_rng(4)
    for k in range(12):
        z = np.array([[-5.0 * k + rng.normal(0, sigma), 4.0 * k + rng.normal(0, sigma), 0.0]])
        trk.process_plots("radar", z, R1[None], float(k))
    t = trk.table
    assert len(t) == 1 and bool(t.confirmed[0])
    updates = int(t.updates[0])
    x, P = combined_at(t, trk.cfg, np.array([0]), 12.0)
    along = float(np.sqrt(gate_d2 * (P[0, 0, 0] + sigma**2)))  # east of the prediction
    trk.process_plots("radar", np.array([[x[0, 0] + along, x[0, 1], 0.0]]), R1[None], 12.0)
    return int(t.updates[trk.table.row(int(t.ids[0])) or 0]) > updates


def test_a_track_takes_a_far_plot_in_its_gate_only_when_it_beats_a_miss() -> None:
    """Exact nearest-neighbour association for a track alone with its plots, as for a JPDA
    cluster: a plot is taken only if Pd N(z) / clutter density > 1 - Pd. In heavy clutter (50
    plots a scan over 10 km x 10 km, 25 m noise) a plot at d² = 15, inside the 16 gate, is likelier
    a false plot or another target than this track's (seed 11 of the harsh bench: a slow target's
    track jumped 120 m onto an overtaking one and the two swapped ids); with sparse clutter it is
    taken; a near plot is taken in heavy clutter too."""
    heavy = 50 / 1e8 / np.sqrt(2 * np.pi * 2 * 25.0**2)
    assert not _far_plot_taken(heavy, 15.0)
    assert _far_plot_taken(1e-12, 15.0)
    assert _far_plot_taken(heavy, 2.0)
