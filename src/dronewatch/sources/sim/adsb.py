"""Simulated ADS-B receiver: airborne position/velocity of equipped aircraft as Report frames.

For every object with ``adsb`` within ``range_m`` of the receiver, a position every
``1 / rate_hz`` s, lost with probability ``loss``: truth plus noise (5 m horizontal, 7 m
vertical, 1-sigma; declared 10 m / 15 m), geometric altitude above the WGS84 ellipsoid, the
true velocity, and the ICAO address (upper case) with the callsign as identity.
"""

from __future__ import annotations

from dronewatch.model import Geodetic, Identity, Report
from dronewatch.sources.sim.sensors import CooperativeReceiver, SimObject

LATENCY_S = 0.1
H_NOISE_M = 5.0
V_NOISE_M = 7.0
H_SIGMA_M = 10.0
V_SIGMA_M = 15.0


class AdsbModel(CooperativeReceiver):
    """One ADS-B receiver."""

    noise_m = (H_NOISE_M, H_NOISE_M, V_NOISE_M)
    sigma_m = (H_SIGMA_M, V_SIGMA_M)

    def hears(self, obj: SimObject) -> bool:
        return obj.adsb is not None

    def report(self, obj: SimObject, at: float, position: Geodetic) -> Report:
        adsb = obj.adsb
        assert adsb is not None
        return Report(
            report_id=self.next_report_id(),
            sensor_id=self.sensor_id,
            sensor_kind="adsb",
            measured_at=at,
            received_at=at + LATENCY_S,
            measurement=position,
            identity=Identity(scheme="icao", value=adsb.icao.upper(), callsign=adsb.callsign),
        )
