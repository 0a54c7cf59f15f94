"""A radar's range rate in the update, and a single bearing updating (never starting) a track."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from dronewatch.config import SensorSpec
from dronewatch.model import Bearing, Radar, Report
from dronewatch.tracking import Tracker, TrackerConfig

from .synth_reports import T0, Synth


def _with_rate(rep: Report, rate: float | None) -> Report:
    assert isinstance(rep.measurement, Radar)
    return msgspec.structs.replace(rep, measurement=msgspec.structs.replace(rep.measurement, range_rate_mps=rate))


RATES = TrackerConfig(use_range_rate=True)


def test_a_range_rate_gives_a_new_track_its_velocity_along_the_beam(synth: Synth) -> None:
    trk = synth.tracker(RATES)
    pos = np.array([600.0, 800.0, 60.0])
    trk.process([_with_rate(synth.radar_plot(pos, T0), 12.0)], T0)
    (t,) = trk.tracks(T0)
    los = (pos - synth.radar_enu) / np.linalg.norm(pos - synth.radar_enu)
    assert abs(float(np.dot(t.vel_enu_mps, los)) - 12.0) < 1.0


def test_range_rates_sharpen_the_radial_velocity_of_a_noisy_track(synth: Synth) -> None:
    """An object receding at 15 m/s seen by a radar with 40 m range noise: with the radar's range
    rates its radial speed is right to well under 1 m/s after a few scans; from positions alone not."""
    errors = []
    for rate_given in (True, False):
        s = Synth(seed=3)
        trk = s.tracker(RATES)
        los = np.array([0.6, 0.8, 0.0])
        for k in range(6):
            pos = np.array([300.0, 400.0, 80.0]) + los * 15.0 * k
            rep = s.radar_plot(pos, T0 + k, noise=False)
            assert isinstance(rep.measurement, Radar)
            noisy = msgspec.structs.replace(rep.measurement, range_m=rep.measurement.range_m + s.rng.normal(0, 40.0),
                                            sigma_range_m=40.0, range_rate_mps=15.0 if rate_given else None)
            trk.process([msgspec.structs.replace(rep, measurement=noisy)], T0 + k)
        (t,) = trk.tracks(T0 + 5)
        errors.append(abs(float(np.dot(t.vel_enu_mps, los)) - 15.0))
    assert errors[0] < 0.5 and errors[0] < errors[1] / 3


def test_the_range_rate_error_is_the_radars_stated_figure(synth: Synth) -> None:
    """A new track's velocity variance along the beam is the radar's stated range-rate variance
    (its ``sigma_range_rate_mps``; the tracker's ``range_rate_sigma_mps`` where it states none),
    shrunk a little by the initial velocity uncertainty."""
    pos = np.array([600.0, 800.0, 60.0])
    los = (pos - synth.radar_enu) / np.linalg.norm(pos - synth.radar_enu)
    for stated, expected in ((None, 1.0), (0.3, 0.3), (2.5, 2.5)):
        radar = msgspec.structs.replace(synth.radar, sigma_range_rate_mps=stated)
        trk = Tracker(synth.frame, [radar, synth.rid, synth.adsb], RATES)
        trk.process([_with_rate(synth.radar_plot(pos, T0, noise=False), 12.0)], T0)
        P = trk.table.P[0, 3:, 3:]
        prior = TrackerConfig().init_vel_sigma_mps ** 2
        assert float(los @ P @ los) == pytest.approx(1.0 / (1.0 / expected**2 + 1.0 / prior), rel=0.05)


def _df(synth: Synth) -> tuple[Tracker, np.ndarray]:
    df = SensorSpec(id="df1", kind="rf", lat=51.556, lon=-0.2650, alt_m=5.0)  # ~1 km east of the radar
    trk = Tracker(synth.frame, [*synth.sensors, df])
    return trk, np.array(synth.frame.ground_to_enu(df.lat, df.lon, df.alt_m))


def _azimuth(origin: np.ndarray, p: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(p[0] - origin[0], p[1] - origin[1])) % 360.0)


def test_a_lone_bearing_updates_the_confirmed_track_in_its_gate(synth: Synth) -> None:
    """A radar track of an object that then turns north; the radar goes quiet and one direction
    finder's bearings alone pull the track towards the object's true bearing."""
    trk, origin = _df(synth)
    pos = lambda k: np.array([300.0 + 10.0 * k, 500.0, 60.0])  # noqa: E731
    for k in range(8):
        trk.process([synth.radar_plot(pos(k), T0 + k)], T0 + k)
    truth = pos(7)
    before = None
    for k in range(8, 12):  # the object turns north at 10 m/s; only bearings now
        truth = truth + np.array([0.0, 10.0, 0.0])
        if before is None:
            (p,) = trk.tracks(T0 + k)
            before = abs(_azimuth(origin, np.asarray(p.enu_m)) - _azimuth(origin, truth))
        rep = Report(report_id=f"df1-{k}", sensor_id="df1", sensor_kind="rf", measured_at=T0 + k, received_at=T0 + k,
                     measurement=Bearing(azimuth_deg=_azimuth(origin, truth), sigma_deg=0.5))
        trk.process([rep], T0 + k)
    (t,) = trk.tracks(T0 + 11)
    after = abs(_azimuth(origin, np.asarray(t.enu_m)) - _azimuth(origin, truth))
    assert t.last_update_at == T0 + 11 and "df1" in t.sensors and t.track_id == 1
    assert after < 1.0 and after < before / 2
    assert trk.skipped == 0


def test_a_lone_bearing_never_starts_a_track(synth: Synth) -> None:
    trk, _ = _df(synth)
    for k in range(5):
        rep = Report(report_id=f"df1-{k}", sensor_id="df1", sensor_kind="rf", measured_at=T0 + k, received_at=T0 + k,
                     measurement=Bearing(azimuth_deg=300.0, sigma_deg=1.0))
        trk.process([rep], T0 + k)
    assert trk.tracks(T0 + 4) == [] and trk.skipped == 5
