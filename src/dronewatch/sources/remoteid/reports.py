"""Decoded Remote ID / DJI messages -> ``model.Report`` for the tracker. Pure.

Accuracy codes state a 95 % bound; the 1-sigma used is half of it. Unknown accuracy gives
``UNKNOWN_H_SIGMA_M`` / ``UNKNOWN_V_SIGMA_M``. ``measured_at`` is the Location timestamp
(tenths of a second after the full hour) put in the hour nearest to ``received_at``.
"""

from __future__ import annotations

import math

from dronewatch.model import Geodetic, Identity, Report
from dronewatch.sources.dji.droneid_wifi import DjiTelemetry
from dronewatch.sources.remoteid.messages import BasicId, Location, System

UNKNOWN_H_SIGMA_M = 50.0
UNKNOWN_V_SIGMA_M = 75.0
DJI_H_SIGMA_M = 10.0
_SCHEMES = {1: "serial", 2: "registration", 4: "session", 3: "session"}
_PREFERENCE = {1: 0, 2: 1, 4: 2, 3: 3}


def resolve_hour(timestamp_s: float | None, received_at: float) -> float:
    """The instant ``timestamp_s`` seconds after a full hour that lies nearest ``received_at``."""
    if timestamp_s is None:
        return received_at
    at = math.floor(received_at / 3600.0) * 3600.0 + timestamp_s
    if at - received_at > 1800.0:
        at -= 3600.0
    elif received_at - at > 1800.0:
        at += 3600.0
    return at


def identity_of(basic_ids: list[BasicId] | tuple[BasicId, ...]) -> Identity | None:
    """The best identity among Basic IDs: serial, then CAA registration, then session/UTM ID."""
    usable = [b for b in basic_ids if b.id_type in _SCHEMES and b.uas_id.strip()]
    if not usable:
        return None
    best = min(usable, key=lambda b: _PREFERENCE[b.id_type])
    scheme = _SCHEMES[best.id_type]
    return Identity(scheme=scheme, value=best.uas_id.strip())  # type: ignore[arg-type]


def velocity_enu(loc: Location) -> tuple[float, float, float] | None:
    """(east, north, up) m/s, or None if any part is unknown (direction may be unknown at 0 m/s)."""
    if loc.speed_mps is None or loc.vspeed_mps is None:
        return None
    if loc.direction_deg is None:
        return (0.0, 0.0, loc.vspeed_mps) if loc.speed_mps == 0 else None
    rad = math.radians(loc.direction_deg)
    return (loc.speed_mps * math.sin(rad), loc.speed_mps * math.cos(rad), loc.vspeed_mps)


def operator_of(system: System | None) -> Geodetic | None:
    if system is None or system.operator_lat is None or system.operator_lon is None:
        return None
    return Geodetic(lat=system.operator_lat, lon=system.operator_lon, alt_m=system.operator_alt_m)


def location_report(
    *,
    report_id: str,
    sensor_id: str,
    received_at: float,
    loc: Location,
    identity: Identity | None,
    system: System | None,
    raw_sha256: str | None = None,
) -> Report | None:
    """A Report from a Location (None when it carries no position)."""
    if loc.lat is None or loc.lon is None:
        return None
    h_sigma = loc.h_accuracy_m / 2 if loc.h_accuracy_m is not None else UNKNOWN_H_SIGMA_M
    v_sigma = loc.v_accuracy_m / 2 if loc.v_accuracy_m is not None else UNKNOWN_V_SIGMA_M
    measurement = Geodetic(
        lat=loc.lat,
        lon=loc.lon,
        alt_m=loc.geo_alt_m,
        h_sigma_m=h_sigma,
        v_sigma_m=v_sigma,
        vel_enu_mps=velocity_enu(loc),
    )
    return Report(
        report_id=report_id,
        sensor_id=sensor_id,
        sensor_kind="remoteid",
        measured_at=resolve_hour(loc.timestamp_s, received_at),
        received_at=received_at,
        measurement=measurement,
        identity=identity,
        operator=operator_of(system),
        raw_sha256=raw_sha256,
    )


def dji_report(
    *, report_id: str, sensor_id: str, received_at: float, t: DjiTelemetry, raw_sha256: str | None = None
) -> Report | None:
    """A Report from DJI telemetry. ``alt_m`` stays None: DJI altitude is not ellipsoidal."""
    if t.lat is None or t.lon is None:
        return None
    operator = (
        None if t.pilot_lat is None or t.pilot_lon is None else Geodetic(lat=t.pilot_lat, lon=t.pilot_lon)
    )
    home = None if t.home_lat is None or t.home_lon is None else Geodetic(lat=t.home_lat, lon=t.home_lon)
    return Report(
        report_id=report_id,
        sensor_id=sensor_id,
        sensor_kind="dji",
        measured_at=received_at,
        received_at=received_at,
        measurement=Geodetic(lat=t.lat, lon=t.lon, h_sigma_m=DJI_H_SIGMA_M, vel_enu_mps=t.vel_enu_mps),
        identity=Identity(scheme="dji", value=t.serial) if t.serial else None,
        operator=operator,
        home=home,
        raw_sha256=raw_sha256,
    )
