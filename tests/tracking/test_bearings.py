"""Bearing-only reports: triangulation and track initiation from two direction finders."""

from __future__ import annotations

import numpy as np

from dronewatch.config import SensorSpec
from dronewatch.model import Bearing, Report
from dronewatch.tracking import Tracker
from dronewatch.tracking.bearings import fixes, triangulate

from .synth_reports import T0, Synth


def _bearing(origin: np.ndarray, target: np.ndarray, sigma_deg: float, rng: np.random.Generator,
             with_el: bool = True) -> tuple[float, float]:
    d = target - origin
    az = float(np.degrees(np.arctan2(d[0], d[1]))) + rng.normal(0, sigma_deg)
    el = float(np.degrees(np.arctan2(d[2], np.hypot(d[0], d[1])))) + rng.normal(0, sigma_deg)
    return az, (el if with_el else float("nan"))


def test_triangulate_two_bearings_lands_on_the_target_within_its_covariance() -> None:
    rng = np.random.default_rng(3)
    origins = np.array([[0.0, 0.0, 5.0], [800.0, 0.0, 5.0]])
    target = np.array([300.0, 900.0, 120.0])
    errs = []
    for _ in range(200):
        obs = [_bearing(o, target, 1.0, rng) for o in origins]
        got = triangulate(origins, np.array([a for a, _ in obs]), np.array([e for _, e in obs]),
                          np.array([1.0, 1.0]))
        assert got is not None
        p, cov = got
        err = p - target
        errs.append(float(err @ np.linalg.solve(cov, err)))
    # the stated covariance is honest: mean squared Mahalanobis error ~ 3 (3 dof)
    assert 1.5 < np.mean(errs) < 5.0


def test_parallel_or_backward_bearings_make_no_fix() -> None:
    origins = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]])
    assert triangulate(origins, np.array([0.0, 0.0]), np.array([np.nan, np.nan]), np.ones(2)) is None
    # the lines cross south of the sensors, but the rays diverge northwards
    assert triangulate(origins, np.array([-30.0, 30.0]), np.array([np.nan, np.nan]), np.ones(2)) is None


def test_bearings_from_two_sensors_start_a_track_near_the_true_position() -> None:
    synth = Synth()
    df1 = SensorSpec(id="df1", kind="rf", lat=51.556, lon=-0.2796, alt_m=5.0)
    df2 = SensorSpec(id="df2", kind="rf", lat=51.556, lon=-0.2650, alt_m=5.0)  # ~1 km east
    trk = Tracker(synth.frame, [*synth.sensors, df1, df2])
    origin = {s.id: np.array(synth.frame.ground_to_enu(s.lat, s.lon, s.alt_m)) for s in (df1, df2)}
    rng = np.random.default_rng(5)
    for k in range(6):
        at = T0 + k
        truth = np.array([400.0 + 4.0 * k, 1200.0, 80.0])
        reps = []
        for s in ("df1", "df2"):
            az, _ = _bearing(origin[s], truth, 1.0, rng, with_el=False)
            reps.append(Report(report_id=f"{s}-{k}", sensor_id=s, sensor_kind="rf", measured_at=at,
                               received_at=at, measurement=Bearing(azimuth_deg=az, sigma_deg=1.0)))
        trk.process(reps, at)
    tracks = trk.tracks(T0 + 5)
    assert len(tracks) == 1
    (t,) = tracks
    assert t.status == "confirmed"
    assert np.hypot(t.enu_m[0] - 420.0, t.enu_m[1] - 1200.0) < 40.0
    assert t.sensors == ("bearings:df1+df2",)


def test_one_sensor_alone_makes_no_fix() -> None:
    synth = Synth()
    sensor_enu = {"df1": np.zeros(3)}
    reps = [Report(report_id=f"df1-{k}", sensor_id="df1", sensor_kind="rf", measured_at=T0 + 0.1 * k,
                   received_at=T0, measurement=Bearing(azimuth_deg=10.0 * k)) for k in range(3)]
    assert fixes(reps, sensor_enu, 0.4, 5000.0) == []
    assert synth.frame is not None
