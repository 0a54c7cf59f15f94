"""JPDA marginals: exact enumeration checked against closed forms."""

from __future__ import annotations

import numpy as np

from dronewatch.tracking.jpda import jpda_marginals


def test_one_track_one_plot_is_the_pda_weight() -> None:
    beta = jpda_marginals(np.array([[3.0]]), 0.1)
    assert np.allclose(beta, [[0.1 / 3.1, 3.0 / 3.1]])


def test_two_tracks_two_plots_matches_hand_enumeration() -> None:
    L = np.array([[4.0, 1.0], [2.0, 5.0]])
    w = 0.1
    events = {  # (plot of track 0, plot of track 1) -> weight; -1 = none
        (-1, -1): w * w, (0, -1): 4 * w, (1, -1): 1 * w, (-1, 0): w * 2, (-1, 1): w * 5,
        (0, 1): 4 * 5, (1, 0): 1 * 2,
    }
    z = sum(events.values())
    beta = jpda_marginals(L, w)
    want = np.zeros((2, 3))
    for (a, b), v in events.items():
        want[0, a + 1] += v / z
        want[1, b + 1] += v / z
    assert np.allclose(beta, want)
    assert np.allclose(beta.sum(axis=1), 1.0)


def test_a_plot_outside_a_gate_gets_no_weight() -> None:
    beta = jpda_marginals(np.array([[1.0, 0.0], [1.0, 1.0]]), 0.1)
    assert beta[0, 2] == 0.0 and beta[1, 2] > 0.5


def test_two_track_closed_form_matches_enumeration() -> None:
    """The vectorised two-track JPDA of the cluster association equals the exact enumeration."""
    from dronewatch.tracking.clusters import jpda_two

    rng = np.random.default_rng(0)
    # two clusters: tracks (3, 7) on plots (0, 1, 2); tracks (4, 5) on plots (5, 6)
    ti = np.array([3, 3, 7, 7, 7, 4, 5, 5], dtype=np.intp)
    mi = np.array([0, 1, 0, 1, 2, 5, 5, 6], dtype=np.intp)
    plabel = np.array([0, 0, 0, 0, 0, 1, 1, 1], dtype=np.intp)
    lik = rng.uniform(0.1, 5.0, len(ti))
    pairs = np.arange(len(ti), dtype=np.intp)
    beta_pair, tracks, beta0 = jpda_two(pairs, plabel, ti, mi, lik, 0.8)
    for rows, plots, sel in (([3, 7], [0, 1, 2], slice(0, 5)), ([4, 5], [5, 6], slice(5, 8))):
        L = np.zeros((2, len(plots)))
        for t, m, v in zip(ti[sel], mi[sel], lik[sel], strict=True):
            L[rows.index(int(t)), plots.index(int(m))] = v
        want = jpda_marginals(L, 0.2)
        for k in range(sel.start, sel.stop):
            assert np.isclose(beta_pair[k], want[rows.index(int(ti[k])), 1 + plots.index(int(mi[k]))])
        for r, t in enumerate(rows):
            assert np.isclose(beta0[tracks.tolist().index(t)], want[r, 0])
