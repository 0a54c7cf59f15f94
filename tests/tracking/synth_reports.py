"""Test helper (not a test): truth in site ENU -> radar plots, Remote ID and ADS-B reports."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dronewatch.config import SensorSpec
from dronewatch.geo import SiteFrame, enu_to_radar
from dronewatch.model import ClassHint, Geodetic, Identity, Radar, Report
from dronewatch.tracking import Tracker, TrackerConfig

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class Synth:
    """Makes reports for objects whose true ENU position the test gives."""

    def __init__(self, seed: int = 7) -> None:
        self.frame = SiteFrame(51.556, -0.2796, 40.0)
        self.radar = SensorSpec(id="radar1", kind="radar", lat=51.556, lon=-0.2796, alt_m=10.0,
                                range_m=3000.0, sigma_range_m=5.0, sigma_az_deg=0.3, sigma_el_deg=0.6)
        self.rid = SensorSpec(id="rid1", kind="remoteid", lat=51.556, lon=-0.2796)
        self.adsb = SensorSpec(id="adsb1", kind="adsb", lat=51.556, lon=-0.2796)
        self.sensors = [self.radar, self.rid, self.adsb]
        e, n, u = self.frame.ground_to_enu(self.radar.lat, self.radar.lon, self.radar.alt_m)
        self.radar_enu = np.array([e, n, u])
        self.rng = np.random.default_rng(seed)
        self.seq = 0

    def tracker(self, config: TrackerConfig | None = None) -> Tracker:
        return Tracker(self.frame, self.sensors, config)

    def _id(self, sensor: str) -> str:
        self.seq += 1
        return f"{sensor}-{self.seq}"

    def radar_plot(self, enu: Sequence[float], at: float, noise: bool = True) -> Report:
        d = np.asarray(enu, float) - self.radar_enu
        rng, az, el = (float(v) for v in enu_to_radar(d[0], d[1], d[2]))
        if noise:
            rng += self.rng.normal(0, 5.0)
            az += self.rng.normal(0, 0.3)
            el += self.rng.normal(0, 0.6)
        meas = Radar(range_m=rng, azimuth_deg=az, elevation_deg=el, sigma_range_m=5.0,
                     sigma_az_deg=0.3, sigma_el_deg=0.6)
        return Report(report_id=self._id("radar1"), sensor_id="radar1", sensor_kind="radar",
                      measured_at=at, received_at=at, measurement=meas,
                      class_hint=ClassHint(cls="drone", confidence=0.7), rcs_dbsm=-20.0)

    def clutter(self, at: float, count: int) -> list[Report]:
        out = []
        for _ in range(count):
            r = self.rng.uniform(100, 3000)
            az, el = self.rng.uniform(0, 360), self.rng.uniform(0, 30)
            meas = Radar(range_m=r, azimuth_deg=az, elevation_deg=el, sigma_range_m=5.0,
                         sigma_az_deg=0.3, sigma_el_deg=0.6)
            out.append(Report(report_id=self._id("radar1"), sensor_id="radar1", sensor_kind="radar",
                              measured_at=at, received_at=at, measurement=meas))
        return out

    def geodetic(self, enu: Sequence[float], vel: Sequence[float] | None, sigma_m: float = 3.0) -> Geodetic:
        e, n, u = (float(v) + self.rng.normal(0, sigma_m) for v in enu)
        lat, lon, hae = self.frame.to_geodetic(e, n, u)
        stated = None if vel is None else (float(vel[0]), float(vel[1]), float(vel[2]))
        return Geodetic(lat=float(lat), lon=float(lon), alt_m=float(hae), h_sigma_m=sigma_m,
                        v_sigma_m=sigma_m, vel_enu_mps=stated)

    def remote_id(self, serial: str, enu: Sequence[float], vel: Sequence[float], at: float,
                  operator: Geodetic | None = None) -> Report:
        return Report(report_id=self._id("rid1"), sensor_id="rid1", sensor_kind="remoteid", measured_at=at,
                      received_at=at, measurement=self.geodetic(enu, vel),
                      identity=Identity(scheme="serial", value=serial), operator=operator)

    def adsb_report(self, icao: str, enu: Sequence[float], vel: Sequence[float], at: float) -> Report:
        return Report(report_id=self._id("adsb1"), sensor_id="adsb1", sensor_kind="adsb", measured_at=at,
                      received_at=at, measurement=self.geodetic(enu, vel, sigma_m=8.0),
                      identity=Identity(scheme="icao", value=icao, callsign="TEST1"))


def stadium_stream(synth: Synth, seconds: int, n_objects: int = 20) -> list[tuple[float, list[Report]]]:
    """(now, reports) steps of 0.5 s: objects on circles, a 1 Hz radar with 3 false alarms a scan,
    Remote ID (1 Hz) on every other object, ADS-B (2 Hz) on two of them."""
    rng = np.random.default_rng(1)
    centre = rng.uniform(-1200, 1200, (n_objects, 2))
    radius = rng.uniform(50, 300, n_objects)
    omega = rng.uniform(0.01, 0.08, n_objects) * rng.choice([-1, 1], n_objects)
    alt = rng.uniform(30, 150, n_objects)

    def truth(i: int, at: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        a = omega[i] * (at - T0)
        pos = (centre[i, 0] + radius[i] * np.cos(a), centre[i, 1] + radius[i] * np.sin(a), alt[i])
        vel = (-radius[i] * omega[i] * np.sin(a), radius[i] * omega[i] * np.cos(a), 0.0)
        return pos, vel

    steps = []
    for k in range(seconds * 2):
        now = T0 + 0.5 * k
        reports: list[Report] = []
        if k % 2 == 0:
            for i in range(n_objects):
                if synth.rng.random() < 0.9:
                    reports.append(synth.radar_plot(truth(i, now)[0], now))
            reports += synth.clutter(now, 3)
        for i in range(0, n_objects, 2):
            at = now + 0.01 * i
            if k % 2 == 1 and synth.rng.random() < 0.9:
                pos, vel = truth(i, at)
                reports.append(synth.remote_id(f"RID{i}", pos, vel, at))
        for i in (1, 3):
            pos, vel = truth(i, now + 0.2)
            reports.append(synth.adsb_report(f"ABC00{i}", pos, vel, now + 0.2))
        steps.append((now + 0.5, reports))
    return steps
