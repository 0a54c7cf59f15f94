"""Measurement models: converted radar measurement, geodetic self-reports, the batched update."""

from __future__ import annotations

import numpy as np

from dronewatch.geo import radar_to_enu
from dronewatch.model import Geodetic, LocalEnu, Report
from dronewatch.tracking.measurement import kalman_update, observe, radar_converted

from .synth_reports import T0, Synth


def test_converted_radar_covariance_matches_monte_carlo() -> None:
    rng = np.random.default_rng(0)
    r, az, el = 800.0, 37.0, 6.0
    sr, saz, sel = 5.0, 0.3, 0.6
    z, R = radar_converted(np.zeros((1, 3)), np.array([r]), np.array([az]), np.array([el]),
                           np.array([sr]), np.array([saz]), np.array([sel]))
    n = 200_000
    noisy = (r + rng.normal(0, sr, n), az + rng.normal(0, saz, n), el + rng.normal(0, sel, n))
    de, dn, du = radar_to_enu(*noisy)
    cloud = np.stack([de, dn, du], axis=1)
    assert np.allclose(z[0], cloud.mean(axis=0), atol=0.2)
    assert np.allclose(R[0], np.cov(cloud.T), rtol=0.05, atol=0.3)


def test_observe_places_reports_in_the_site_frame(synth: Synth) -> None:
    radar = synth.radar_plot((400.0, -300.0, 80.0), T0, noise=False)
    rid = synth.remote_id("S1", (400.0, -300.0, 80.0), (1.0, 2.0, 0.0), T0)
    exact = Geodetic(lat=rid.measurement.lat, lon=rid.measurement.lon, alt_m=None, h_sigma_m=4.0)  # type: ignore[union-attr]
    no_alt = Report(report_id="x", sensor_id="rid1", sensor_kind="remoteid", measured_at=T0, received_at=T0,
                    measurement=exact)
    local = Report(report_id="y", sensor_id="fusion", sensor_kind="camera", measured_at=T0, received_at=T0,
                   measurement=LocalEnu(e=1.0, n=2.0, u=3.0, sigma_m=7.0))
    obs = observe([radar, rid, no_alt, local], synth.frame, {"radar1": synth.radar_enu})
    assert obs.valid.all()
    assert np.allclose(obs.z[0], (400.0, -300.0, 80.0), atol=1e-6)
    assert np.allclose(obs.z[1], (400.0, -300.0, 80.0), atol=15.0)  # 3 m noise per axis
    assert obs.has_v.tolist() == [False, True, False, False] and np.allclose(obs.v[1], (1.0, 2.0, 0.0))
    assert np.isclose(obs.R[2, 0, 0], 16.0) and obs.R[2, 2, 2] > 1e5  # no altitude: vertical unknown
    assert np.allclose(obs.z[3], (1.0, 2.0, 3.0)) and np.isclose(obs.R[3, 1, 1], 49.0)


def test_kalman_update_pulls_towards_the_measurement_and_shrinks_p() -> None:
    x = np.zeros((2, 6))
    P = np.stack([np.eye(6) * 100.0, np.eye(6) * 100.0])
    z = np.array([[10.0, 0.0, 0.0], [0.0, -20.0, 5.0]])
    R = np.stack([np.eye(3) * 100.0, np.eye(3) * 1e-6])
    xn, Pn = kalman_update(x, P, z, R, 0)
    assert np.allclose(xn[0, :3], (5.0, 0.0, 0.0))  # equal weights: half way
    assert np.allclose(xn[1, :3], z[1], atol=1e-5)  # exact measurement wins
    assert np.isclose(Pn[0, 0, 0], 50.0) and np.isclose(Pn[0, 3, 3], 100.0)
    xv, _ = kalman_update(x, P, np.array([[1.0, 1.0, 1.0]] * 2), R, 3)
    assert np.allclose(xv[:, :3], 0.0) and np.all(xv[:, 3:] > 0.49)
