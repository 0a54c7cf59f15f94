"""Whole Remote ID frames from plain values: what the simulator's receiver model emits. Pure.

``encode_message_pack`` builds the Basic ID + Location + System (+ Operator ID) pack a compliant
aircraft broadcasts; ``encode_beacon_frame`` wraps it in a Wi-Fi beacon (link
``odid-wifi-beacon``), ``encode_ble_legacy`` gives the BT4 single-message adverts (link
``odid-ble``). Decoding these with ``sources.frames.decode_frame`` gives Reports.
"""

from __future__ import annotations

import hashlib
import math

from dronewatch.model import Frame, Geodetic, Report
from dronewatch.sources.remoteid.bluetooth import encode_hci_payload
from dronewatch.sources.remoteid.messages import (
    BasicId,
    Location,
    Message,
    OperatorId,
    System,
    encode_message,
    encode_pack,
)
from dronewatch.sources.remoteid.wifi_beacon import encode_beacon_frame as _beacon

EPOCH_2019_AT = 1546300800.0


def aircraft_messages(
    *,
    serial: str,
    lat: float,
    lon: float,
    alt_hae_m: float | None,
    at: float,
    speed_mps: float | None = 0.0,
    direction_deg: float | None = None,
    vspeed_mps: float | None = 0.0,
    height_m: float | None = None,
    operator_lat: float | None = None,
    operator_lon: float | None = None,
    operator_alt_m: float | None = None,
    operator_id: str = "",
    version: int = 2,
    ua_type: int = 2,
    h_accuracy_m: float = 3.0,
    v_accuracy_m: float = 10.0,
) -> list[Message]:
    """The messages one aircraft sends at ``at`` (UTC epoch seconds)."""
    msgs: list[Message] = [
        BasicId(version=version, id_type=1, ua_type=ua_type, uas_id=serial),
        Location(
            version=version,
            status=2,
            height_type=0,
            direction_deg=direction_deg,
            speed_mps=speed_mps,
            vspeed_mps=vspeed_mps,
            lat=lat,
            lon=lon,
            baro_alt_m=None,
            geo_alt_m=alt_hae_m,
            height_m=height_m,
            h_accuracy_m=h_accuracy_m,
            v_accuracy_m=v_accuracy_m,
            baro_accuracy_m=None,
            speed_accuracy_mps=1.0,
            timestamp_s=round((at % 3600.0) * 10) / 10 % 3600.0,
            timestamp_accuracy_s=0.1,
        ),
        System(
            version=version,
            operator_location_type=1 if operator_lat is not None else 0,
            classification_type=0,
            operator_lat=operator_lat,
            operator_lon=operator_lon,
            area_count=1,
            area_radius_m=0.0,
            area_ceiling_m=None,
            area_floor_m=None,
            ua_category=0,
            ua_class=0,
            operator_alt_m=operator_alt_m,
            timestamp_at=float(int(at)) if at >= EPOCH_2019_AT else None,
        ),
    ]
    if operator_id:
        msgs.append(OperatorId(version=version, operator_id_type=0, operator_id=operator_id))
    return msgs


def encode_message_pack(**kwargs: object) -> bytes:
    """A Message Pack for one aircraft; takes the keywords of ``aircraft_messages``."""
    msgs = aircraft_messages(**kwargs)  # type: ignore[arg-type]
    return encode_pack(msgs, version=msgs[0].version)


def mac_for(serial: str) -> bytes:
    """A stable, locally administered MAC for a simulated aircraft."""
    h = bytearray(hashlib.sha256(serial.encode()).digest()[:6])
    h[0] = (h[0] & 0xFC) | 0x02
    return bytes(h)


def encode_beacon_frame(*, counter: int, ssid: str = "", **kwargs: object) -> bytes:
    """An 802.11 beacon (link ``odid-wifi-beacon``) with the aircraft's pack."""
    serial = str(kwargs["serial"])
    return _beacon(encode_message_pack(**kwargs), mac_for(serial), counter, ssid=ssid or f"RID-{serial}"[:32])


def encode_ble_legacy(*, counter: int, **kwargs: object) -> list[bytes]:
    """BT4 legacy adverts (link ``odid-ble``): one per message, counters counting up."""
    msgs = aircraft_messages(**kwargs)  # type: ignore[arg-type]
    mac = mac_for(str(kwargs["serial"]))
    return [encode_hci_payload(encode_message(m), counter + i, mac) for i, m in enumerate(msgs)]


def report_frame(report: Report, counter: int | None = None, link: str = "odid-wifi-beacon") -> Frame:
    """A simulated receiver's Report -> the real frame a compliant aircraft would send.

    Drop-in for the simulator's ``encode(report)``: link ``odid-wifi-beacon`` (one beacon with
    the pack), ``odid-pack`` (the bare pack). Values are quantised as on the air (0.25 m/s,
    1 degree, 0.5 m/s vertical, 0.5 m, 0.1 s; accuracy codes: the tightest bound covering
    twice the 1-sigma, so a decoded Report's sigmas are at or above the ones given)."""
    m = report.measurement
    if not isinstance(m, Geodetic) or report.identity is None:
        raise ValueError("report_frame needs a Geodetic measurement and an identity")
    speed = direction = None
    vspeed: float | None = None
    if m.vel_enu_mps is not None:
        ve, vn, vu = m.vel_enu_mps
        speed = math.hypot(ve, vn)
        direction = math.degrees(math.atan2(ve, vn)) % 360.0 if speed > 0 else None
        vspeed = vu
    op = report.operator
    fields: dict[str, object] = dict(
        serial=report.identity.value,
        lat=m.lat,
        lon=m.lon,
        alt_hae_m=m.alt_m,
        at=report.measured_at,
        speed_mps=speed,
        direction_deg=direction,
        vspeed_mps=vspeed,
        operator_lat=op.lat if op else None,
        operator_lon=op.lon if op else None,
        operator_alt_m=op.alt_m if op else None,
        h_accuracy_m=2 * m.h_sigma_m,
        v_accuracy_m=2 * m.v_sigma_m,
    )
    if link == "odid-pack":
        data = encode_message_pack(**fields)
    elif link == "odid-wifi-beacon":
        n = counter if counter is not None else int(report.measured_at * 10)
        serial = report.identity.value
        data = _beacon(encode_message_pack(**fields), mac_for(serial), n & 0xFF, ssid=f"RID-{serial}"[:32])
    else:
        raise ValueError(f"report_frame: unsupported link {link}")
    return Frame(sensor_id=report.sensor_id, received_at=report.received_at, link=link, data=data)
