"""Simulated ADS-B receiver: airborne position/velocity of equipped aircraft as Report frames.

For every object with ``adsb`` within ``range_m`` of the receiver, a position every
``1 / rate_hz`` s, lost with probability ``loss``: truth plus noise (5 m horizontal, 7 m
vertical, 1-sigma; declared 10 m / 15 m), geometric altitude above the WGS84 ellipsoid, the
true velocity, and the ICAO address (upper case) with the callsign as identity.
"""

from __future__ import annotations

import numpy as np

from dronewatch.config import SensorSpec
from dronewatch.geo import SiteFrame
from dronewatch.model import Frame, Geodetic, Identity, Report
from dronewatch.sources.sim.sensors import Broadcasts, SimObject, report_frame
from dronewatch.sources.sim.truth import TruthTable

LATENCY_S = 0.1
H_NOISE_M = 5.0
V_NOISE_M = 7.0
H_SIGMA_M = 10.0
V_SIGMA_M = 15.0


class AdsbModel:
    """One ADS-B receiver."""

    def __init__(
        self,
        spec: SensorSpec,
        frame: SiteFrame,
        truth: TruthTable,
        objects: list[SimObject],
        seed: np.random.SeedSequence,
        start_at: float,
        end_at: float,
    ) -> None:
        self.sensor_id = spec.id
        self.spec = spec
        self.frame = frame
        self.truth = truth
        self.objects = [o for o in objects if o.adsb is not None]
        self.pos_enu = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
        self.broadcasts = Broadcasts(len(self.objects), spec.rate_hz, start_at, end_at, seed)
        self.seq = 0

    def frames_until(self, to_at: float) -> list[Frame]:
        out: list[Frame] = []
        for j, at, rng in self.broadcasts.due(to_at):
            lost = rng.random() < self.spec.loss
            noise = rng.standard_normal(3) * (H_NOISE_M, H_NOISE_M, V_NOISE_M)
            obj = self.objects[j]
            s = self.truth.state_of(obj.row, at)
            if s is None or lost or np.linalg.norm(s[:3] - self.pos_enu) > self.spec.range_m:
                continue
            out.append(report_frame(self._report(obj, at, s, noise)))
        return out

    def _report(self, obj: SimObject, at: float, s: np.ndarray, noise: np.ndarray) -> Report:
        adsb = obj.adsb
        assert adsb is not None
        e, n, u = s[:3] + noise
        lat, lon, hae = self.frame.to_geodetic(float(e), float(n), float(u))
        self.seq += 1
        return Report(
            report_id=f"{self.sensor_id}:{self.seq}",
            sensor_id=self.sensor_id,
            sensor_kind="adsb",
            measured_at=at,
            received_at=at + LATENCY_S,
            measurement=Geodetic(
                lat=float(lat),
                lon=float(lon),
                alt_m=round(float(hae), 2),
                h_sigma_m=H_SIGMA_M,
                v_sigma_m=V_SIGMA_M,
                vel_enu_mps=(round(float(s[3]), 2), round(float(s[4]), 2), round(float(s[5]), 2)),
            ),
            identity=Identity(scheme="icao", value=adsb.icao.upper(), callsign=adsb.callsign),
        )
