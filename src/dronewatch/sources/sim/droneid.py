"""Simulated DroneID receiver (site sensor ``kind: rf``): what a DJI drone says on OcuSync.

For every object with ``dji`` within ``range_m``, a DroneID burst every ``1 / rate_hz`` s
(real drones: about 0.6 s, so ``rate_hz: 1.6``), lost with probability ``loss``. The frame is
the 176-byte block a real burst decodes to (``sources.ocusync.encode``), link ``dji-ocusync``,
so the pipeline takes the simulator's DroneID through the same decoder as a real SDR's.

Contents: the true position plus GNSS noise (1.5 m horizontal, 2 m vertical, 1-sigma),
altitude and height in whole metres (height above the origin's ground), velocities in cm/s,
yaw from the velocity, the product type, the pilot position if the scenario gives one and the
home point (given, or the object's first waypoint).
"""

from __future__ import annotations

import math

from dronewatch.config import DjiSpec
from dronewatch.model import Frame, Geodetic, Identity, Report
from dronewatch.sources.dji.droneid_wifi import DjiTelemetry
from dronewatch.sources.ocusync.encode import block_bytes
from dronewatch.sources.ocusync.link import LINK
from dronewatch.sources.sim.remoteid import H_NOISE_M, H_SIGMA_M, V_NOISE_M, V_SIGMA_M  # the same GNSS
from dronewatch.sources.sim.sensors import CooperativeReceiver, SimObject

LATENCY_S = 0.01


def _clamp16(v: float) -> int:
    return max(-32768, min(32767, round(v)))


class DroneIdModel(CooperativeReceiver):
    """One DroneID (OcuSync) receiver."""

    noise_m = (H_NOISE_M, H_NOISE_M, V_NOISE_M)
    sigma_m = (H_SIGMA_M, V_SIGMA_M)

    def hears(self, obj: SimObject) -> bool:
        return obj.dji is not None

    def _spec(self, serial: str) -> DjiSpec:
        return next(o.dji for o in self.objects if o.dji is not None and o.dji.serial == serial)

    def report(self, obj: SimObject, at: float, position: Geodetic) -> Report:
        dji = obj.dji
        assert dji is not None
        pilot = None if dji.pilot is None else Geodetic(lat=dji.pilot.lat, lon=dji.pilot.lon)
        home = None if obj.dji_home is None else Geodetic(lat=obj.dji_home[0], lon=obj.dji_home[1])
        return Report(
            report_id=self.next_report_id(),
            sensor_id=self.sensor_id,
            sensor_kind="dji",
            measured_at=at,
            received_at=at + LATENCY_S,
            measurement=position,
            identity=Identity(scheme="dji", value=dji.serial),
            operator=pilot,
            home=home,
        )

    def encode(self, report: Report) -> Frame:
        m = report.measurement
        assert isinstance(m, Geodetic) and report.identity is not None and m.alt_m is not None
        dji = self._spec(report.identity.value)
        seqs: dict[str, int] = self.__dict__.setdefault("_seqs", {})
        seqs[dji.serial] = (seqs.get(dji.serial, -1) + 1) & 0xFFFF
        ve, vn, vu = m.vel_enu_mps or (0.0, 0.0, 0.0)
        yaw = math.degrees(math.atan2(ve, vn)) if ve or vn else 0.0
        height = m.alt_m - self.frame.h0
        t = DjiTelemetry(
            version=2,
            sequence=seqs[dji.serial],
            state_info=0,
            serial=dji.serial,
            lat=m.lat,
            lon=m.lon,
            altitude_raw=_clamp16(m.alt_m),
            height_raw=_clamp16(height),
            v_north_raw=_clamp16(vn * 100),
            v_east_raw=_clamp16(ve * 100),
            v_up_raw=_clamp16(vu * 100),
            yaw_raw=_clamp16(yaw * 100),
            gps_time_raw=int(report.measured_at * 1000),
            pilot_lat=report.operator.lat if report.operator else None,
            pilot_lon=report.operator.lon if report.operator else None,
            home_lat=report.home.lat if report.home else None,
            home_lon=report.home.lon if report.home else None,
            product_type=dji.product_type,
            uuid="",
        )
        return Frame(sensor_id=self.sensor_id, received_at=report.received_at, link=LINK, data=block_bytes(t))
