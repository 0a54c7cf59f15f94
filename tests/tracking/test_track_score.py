"""Track score (log-likelihood ratio, SPRT): confirmation, display and deletion from the sensor's
stated Pd and clutter density."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dronewatch.geo import SiteFrame
from dronewatch.tracking import Tracker
from dronewatch.tracking.management import score_limits
from dronewatch.tracking.settings import plot_sensor_config

HALF_M = 5000.0
NONE_Z, NONE_R = np.zeros((0, 3)), np.zeros((0, 3, 3))


def _density(clutter_per_scan: float, sigma: float) -> float:
    """Clutter per m³ of a plane sensor's plots over the 10 km square (as bench/tracking.py)."""
    return clutter_per_scan / (2 * HALF_M) ** 2 / math.sqrt(2 * math.pi * 2 * sigma**2)


def _plots(truth: np.ndarray, rng: np.random.Generator, pd: float, clutter: int, sigma: float) -> np.ndarray:
    seen = truth[rng.random(len(truth)) < pd]
    z = seen + rng.normal(0, sigma, seen.shape)
    cz = np.column_stack([rng.uniform(-HALF_M, HALF_M, (clutter, 2)), np.zeros(clutter)])
    z = np.vstack([z, cz])
    z[:, 2] = 0.0
    return z[rng.permutation(len(z))]


def test_limits_are_walds_thresholds_and_the_sensor_figures() -> None:
    cfg = plot_sensor_config(0.7, 1e-9)
    lim = score_limits(cfg)
    a, b = cfg.score_false_track, cfg.score_true_loss
    assert lim.confirm == pytest.approx(math.log((1 - b) / a))
    assert lim.tentative_delete == pytest.approx(math.log(b / (1 - a)))
    assert lim.delete_drop == pytest.approx(-math.log(cfg.score_delete_prob))
    assert lim.show_drop == pytest.approx(-math.log(cfg.score_show_prob))
    assert lim.miss == pytest.approx(math.log(0.3))
    assert lim.hit_bias == pytest.approx(math.log(0.7) - math.log(1e-9))
    # denser clutter makes each plot weaker evidence
    assert score_limits(plot_sensor_config(0.7, 1e-7)).hit_bias < lim.hit_bias


@pytest.mark.parametrize(("pd", "shown_misses", "kept_misses"), [(0.9, 1, 3), (0.7, 2, 5)])
def test_misses_a_confirmed_track_survives_follow_pd(pd: float, shown_misses: int, kept_misses: int) -> None:
    """A run of k misses is shown while (1 - Pd)^k >= score_show_prob (0.05) and kept while
    (1 - Pd)^k >= score_delete_prob (0.001): Pd 0.9 shows one miss and keeps three, Pd 0.7 shows
    two and keeps five."""
    rng = np.random.default_rng(21)
    trk = Tracker(SiteFrame(40.0, -80.0), [], plot_sensor_config(pd, _density(10, 10.0)))
    R = np.broadcast_to(np.eye(3) * 100.0, (1, 3, 3))
    k = 0
    for k in range(10):
        z = np.array([[100.0 + 12.0 * k + rng.normal(0, 10), rng.normal(0, 10), 0.0]])
        trk.process_plots("a", z, R, float(k))
    assert trk.reported(float(k))[0].tolist() == [1]
    for miss in range(1, kept_misses + 2):
        at = float(k + miss)
        trk.process_plots("a", NONE_Z, NONE_R, at)
        shown = trk.reported(at)[0].tolist()
        assert shown == ([1] if miss <= shown_misses else []), miss
        assert len(trk.table) == (1 if miss <= kept_misses else 0), miss


def test_heavy_clutter_low_pd_makes_targets_not_clutter_tracks() -> None:
    """Pd 0.7, 50 clutter plots a scan, 25 m noise: the score confirms the five targets and next
    to no clutter; two-plot (M-of-N) confirmation on the same plots shows many clutter tracks."""
    sigma, clutter, pd = 25.0, 50, 0.7
    start = np.array([[-2000.0, -1500.0], [0.0, 0.0], [1500.0, 2500.0], [-3000.0, 3000.0], [3000.0, -3000.0]])
    vel = np.array([[15.0, 0.0], [0.0, -12.0], [-10.0, -10.0], [8.0, -5.0], [-20.0, 4.0]])
    false_rows = {True: 0, False: 0}
    found = {True: 0, False: 0}
    scans = 40
    for score in (True, False):
        rng = np.random.default_rng(22)
        trk = Tracker(SiteFrame(40.0, -80.0), [], plot_sensor_config(pd, _density(clutter, sigma),
                                                                    area_m=(-HALF_M, HALF_M, -HALF_M, HALF_M),
                                                                    track_score=score))
        for k in range(scans):
            truth = np.column_stack([start + vel * k, np.zeros(len(start))])
            z = _plots(truth, rng, pd, clutter, sigma)
            trk.process_plots("radar", z, np.broadcast_to(np.eye(3) * sigma**2, (len(z), 3, 3)), float(k))
            _, x = trk.reported(float(k))
            d = np.hypot(x[:, None, 0] - truth[None, :, 0], x[:, None, 1] - truth[None, :, 1])
            if k >= 10:
                false_rows[score] += int((d.min(axis=1, initial=np.inf) > 100.0).sum())
                found[score] += int((d.min(axis=0, initial=np.inf) <= 100.0).sum()) if len(x) else 0
    n = scans - 10
    assert found[True] >= 0.9 * 5 * n  # the targets are shown (through their missed scans too)
    assert false_rows[True] <= 0.5 * n  # at most one false row every other scan
    assert false_rows[False] >= 10 * max(false_rows[True], 1)  # M-of-N lets clutter pairs through
