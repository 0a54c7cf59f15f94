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

from dronewatch.model import Frame, Geodetic, Identity, Report
from dronewatch.sources.remoteid.encode import report_frame as beacon_frame
from dronewatch.sources.sim.sensors import CooperativeReceiver, SimObject

LATENCY_S = 0.02
H_NOISE_M = 1.5
V_NOISE_M = 2.0
H_SIGMA_M = 3.0
V_SIGMA_M = 4.0


def encode(report: Report) -> Frame:
    """Report -> the Wi-Fi beacon frame (link ``odid-wifi-beacon``) carrying it."""
    return beacon_frame(report)


class RemoteIdModel(CooperativeReceiver):
    """One Remote ID receiver."""

    noise_m = (H_NOISE_M, H_NOISE_M, V_NOISE_M)
    sigma_m = (H_SIGMA_M, V_SIGMA_M)

    def hears(self, obj: SimObject) -> bool:
        return obj.remote_id is not None

    def offset_enu_m(self, obj: SimObject) -> tuple[float, float, float]:
        return obj.remote_id_offset_enu_m

    def encode(self, report: Report) -> Frame:
        return encode(report)

    def report(self, obj: SimObject, at: float, position: Geodetic) -> Report:
        rid = obj.remote_id
        assert rid is not None
        operator = None
        if rid.operator is not None:
            operator = Geodetic(
                lat=rid.operator.lat,
                lon=rid.operator.lon,
                alt_m=self.frame.h0,
                h_sigma_m=H_SIGMA_M,
                v_sigma_m=V_SIGMA_M,
            )
        return Report(
            report_id=self.next_report_id(),
            sensor_id=self.sensor_id,
            sensor_kind="remoteid",
            measured_at=at,
            received_at=at + LATENCY_S,
            measurement=position,
            identity=Identity(scheme="serial", value=rid.serial),
            operator=operator,
        )
