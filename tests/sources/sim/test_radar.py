"""Radar model: noise matches the sigmas, pd and class errors are respected, range limits hold,
clutter arrives at the configured rate, plots are timed by the beam."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import ScenarioFactory, sensor, wp

from dronewatch.geo import enu_to_radar
from dronewatch.model import Radar, Report
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.sim import Simulation

RADAR = {
    "range_m": 800.0,
    "scan_s": 1.0,
    "sigma_range_m": 5.0,
    "sigma_az_deg": 0.3,
    "sigma_el_deg": 0.6,
    "min_range_m": 20.0,
}


def _hover(object_id: str, e: float, n: float, alt_m: float, duration_s: float) -> dict[str, object]:
    return {"id": object_id, "kind": "multirotor", "waypoints": [wp(e, n, alt_m, hold_s=duration_s + 10)]}


def _reports(sim: Simulation) -> list[Report]:
    return [r for f in sim.advance(sim.end_at + 1.0) for r in decode_frame(f)]


def test_noise_matches_sigmas_and_plots_come_when_the_beam_passes(make_scenario: ScenarioFactory) -> None:
    radar = sensor("r1", "radar", **RADAR, pd=1.0, false_alarms_per_scan=0.0)
    sim = Simulation(make_scenario([_hover("d", 500.0, 0.0, 80.0, 600.0)], [radar], duration_s=600.0))
    reports = _reports(sim)
    assert len(reports) == 600
    res = []
    for r in reports:
        m = r.measurement
        assert isinstance(m, Radar)
        (truth,) = sim.truth(r.measured_at)
        rng_m, az, el = enu_to_radar(truth.e, truth.n, truth.u)
        res.append((m.range_m - rng_m, (m.azimuth_deg - az + 180) % 360 - 180, m.elevation_deg - el))
        assert (m.sigma_range_m, m.sigma_az_deg, m.sigma_el_deg) == (5.0, 0.3, 0.6)
        # azimuth ~90°: the beam passes a quarter of the way through each 1 s scan
        assert (r.measured_at - sim.start_at) % 1.0 == pytest.approx(az / 360.0, abs=2e-3)
    res_a = np.array(res)
    for col, sigma in enumerate((5.0, 0.3, 0.6)):
        assert res_a[:, col].std() == pytest.approx(sigma, rel=0.12)
        assert abs(res_a[:, col].mean()) < 4 * sigma / np.sqrt(len(res_a))


@pytest.mark.parametrize("stated", [None, 0.3, 2.0])
def test_range_rate_noise_is_the_stated_figure(make_scenario: ScenarioFactory, stated: float | None) -> None:
    # The plots' range rates minus the true ones (a hovering object, truth interpolated) have the
    # noise of the radar's stated sigma_range_rate_mps (1 m/s when it states none), as the tracker assumes.
    extra = {} if stated is None else {"sigma_range_rate_mps": stated}
    radar = sensor("r1", "radar", **RADAR, **extra, pd=1.0, false_alarms_per_scan=0.0)
    sim = Simulation(make_scenario([_hover("d", 500.0, 0.0, 80.0, 600.0)], [radar], duration_s=600.0))
    res = []
    for r in _reports(sim):
        assert isinstance(r.measurement, Radar) and r.measurement.range_rate_mps is not None
        (truth,) = sim.truth(r.measured_at)
        p, v = np.array([truth.e, truth.n, truth.u]), np.array([truth.ve, truth.vn, truth.vu])
        res.append(r.measurement.range_rate_mps - float(p @ v) / float(np.linalg.norm(p)))
    assert len(res) == 600
    assert np.std(res) == pytest.approx(1.0 if stated is None else stated, rel=0.12)


def test_pd_and_class_error_rate_respected(make_scenario: ScenarioFactory) -> None:
    radar = sensor("r1", "radar", **RADAR, pd=0.7, class_error_rate=0.2, false_alarms_per_scan=0.0)
    sim = Simulation(make_scenario([_hover("d", 300.0, 200.0, 60.0, 1000.0)], [radar], duration_s=1000.0))
    reports = _reports(sim)
    assert len(reports) / 1000 == pytest.approx(0.7, abs=0.05)
    hints = [r.class_hint for r in reports]
    wrong = sum(h is not None and h.cls != "drone" for h in hints) / len(hints)
    assert wrong == pytest.approx(0.2, abs=0.05)
    assert all(r.rcs_dbsm is not None and -30 < r.rcs_dbsm < 0 for r in reports)


def test_range_limits_respected(make_scenario: ScenarioFactory) -> None:
    radar = sensor("r1", "radar", **RADAR, pd=1.0, false_alarms_per_scan=0.0)
    objects = [
        _hover("far", 850.0, 0.0, 50.0, 100.0),  # beyond range_m
        _hover("blind", 5.0, 5.0, 10.0, 100.0),  # inside the blind range
        _hover("near", 0.0, 750.0, 50.0, 100.0),  # in coverage
        _hover("ground", -300.0, 0.0, 0.0, 100.0),  # on the ground
    ]
    sim = Simulation(make_scenario(objects, [radar], duration_s=100.0))
    reports = _reports(sim)
    assert len(reports) == 100
    for r in reports:
        assert isinstance(r.measurement, Radar)
        assert 725 < r.measurement.range_m < 780  # 751.7 m ± 5 sigma


def test_clutter_rate_and_coverage(make_scenario: ScenarioFactory) -> None:
    radar = sensor("r1", "radar", **RADAR, pd=1.0, false_alarms_per_scan=3.0)
    sim = Simulation(make_scenario([], [radar], duration_s=500.0))
    reports = _reports(sim)
    assert len(reports) / 500 == pytest.approx(3.0, abs=0.3)
    for r in reports:
        m = r.measurement
        assert isinstance(m, Radar)
        assert RADAR["min_range_m"] <= m.range_m <= RADAR["range_m"]
        assert r.class_hint is not None and r.class_hint.confidence <= 0.4
        assert m.elevation_deg > 0.0
