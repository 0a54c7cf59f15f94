"""Simulated Remote ID receiver: each drone's broadcast, as the real Wi-Fi beacon it would send.

For every object with ``remote_id`` whose true position is within ``range_m`` of the
receiver, a message every ``1 / rate_hz`` s, lost with probability ``loss``. The broadcast
position is the truth plus ``remote_id_offset_m`` (a spoofer's lie) plus GNSS noise
(1.5 m horizontal, 2 m vertical, 1-sigma; declared accuracy 3 m / 4 m); altitude is height
above the WGS84 ellipsoid; the velocity is the true one; the operator position, if the
scenario gives it, is on the origin's ground. ``encode`` turns it into an ASTM F3411 message
pack in an 802.11 beacon vendor IE (``sources.remoteid.encode``), so the pipeline decodes the
simulator's Remote ID through the same path as a real receiver's.
"""

from __future__ import annotations

import numpy as np

from dronewatch.config import SensorSpec
from dronewatch.geo import SiteFrame
from dronewatch.model import Frame, Geodetic, Identity, Report
from dronewatch.sources.remoteid.encode import report_frame as beacon_frame
from dronewatch.sources.sim.sensors import Broadcasts, SimObject
from dronewatch.sources.sim.truth import TruthTable

LATENCY_S = 0.02
H_NOISE_M = 1.5
V_NOISE_M = 2.0
H_SIGMA_M = 3.0
V_SIGMA_M = 4.0


def encode(report: Report) -> Frame:
    """Report -> the Wi-Fi beacon frame (link ``odid-wifi-beacon``) carrying it."""
    return beacon_frame(report)


class RemoteIdModel:
    """One Remote ID receiver."""

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
        self.objects = [o for o in objects if o.remote_id is not None]
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
            out.append(encode(self._report(obj, at, s, noise)))
        return out

    def _report(self, obj: SimObject, at: float, s: np.ndarray, noise: np.ndarray) -> Report:
        rid = obj.remote_id
        assert rid is not None
        e, n, u = s[:3] + np.asarray(obj.remote_id_offset_enu_m) + noise
        lat, lon, hae = self.frame.to_geodetic(float(e), float(n), float(u))
        operator = None
        if rid.operator is not None:
            operator = Geodetic(
                lat=rid.operator.lat,
                lon=rid.operator.lon,
                alt_m=self.frame.h0,
                h_sigma_m=H_SIGMA_M,
                v_sigma_m=V_SIGMA_M,
            )
        self.seq += 1
        return Report(
            report_id=f"{self.sensor_id}:{self.seq}",
            sensor_id=self.sensor_id,
            sensor_kind="remoteid",
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
            identity=Identity(scheme="serial", value=rid.serial),
            operator=operator,
        )
