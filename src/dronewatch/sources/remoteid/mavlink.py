"""MAVLink ``OPEN_DRONE_ID_*`` messages -> ODID message bytes (link ``odid-pack``).

The converter is pure and works on a message's field dict (``msg.to_dict()``), so it needs no
MAVLink library. The reader uses pymavlink, which is LGPL-3: an optional extra, imported only
when the reader runs (``pip install pymavlink``). Field units follow the MAVLink common set:
lat/lon degE7, altitudes in m (-1000 unknown), direction cdeg (36100 unknown), speeds cm/s
(25500 / 6300 unknown), Location timestamp s after the hour (0xFFFF unknown).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from dronewatch.model import Frame
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages as m

_H = {i: v for i, v in m.H_ACCURACY_M.items()}
_V = {i: v for i, v in m.V_ACCURACY_M.items()}
_S = {i: v for i, v in m.SPEED_ACCURACY_MPS.items()}


def _alt(v: float) -> float | None:
    return None if v <= -1000 else float(v)


def _latlon(lat: int, lon: int) -> tuple[float | None, float | None]:
    return (None, None) if lat == 0 and lon == 0 else (lat / 1e7, lon / 1e7)


def _text(v: Any) -> str:
    seq = isinstance(v, list | tuple | bytes | bytearray)
    raw = bytes(v) if seq else str(v).encode("latin-1", "replace")
    return raw.split(b"\0", 1)[0].decode("latin-1")


def to_odid(msg_type: str, f: dict[str, Any], version: int = 2) -> bytes:
    """One MAVLink OPEN_DRONE_ID_* message (its fields) as ODID bytes. Raises DecodeError."""
    try:
        if msg_type == "OPEN_DRONE_ID_MESSAGE_PACK":
            size, n = int(f["single_message_size"]), int(f["msg_pack_size"])
            return bytes([0xF0 | version, size, n]) + bytes(f["messages"])[: size * n]
        if msg_type == "OPEN_DRONE_ID_BASIC_ID":
            return m.encode_basic_id(
                m.BasicId(version, int(f["id_type"]), int(f["ua_type"]), _text(f["uas_id"]))
            )
        if msg_type == "OPEN_DRONE_ID_LOCATION":
            lat, lon = _latlon(int(f["latitude"]), int(f["longitude"]))
            direction = int(f["direction"])
            speed, vs = int(f["speed_horizontal"]), int(f["speed_vertical"])
            ts = float(f["timestamp"])
            return m.encode_location(
                m.Location(
                    version,
                    int(f["status"]),
                    int(f["height_reference"]),
                    None if direction > 35999 else direction / 100,
                    None if speed >= 25500 else speed / 100,
                    None if abs(vs) >= 6300 else vs / 100,
                    lat,
                    lon,
                    _alt(f["altitude_barometric"]),
                    _alt(f["altitude_geodetic"]),
                    _alt(f["height"]),
                    _H.get(int(f["horizontal_accuracy"])),
                    _V.get(int(f["vertical_accuracy"])),
                    _V.get(int(f["barometer_accuracy"])),
                    _S.get(int(f["speed_accuracy"])),
                    None if ts >= 0xFFFF else ts,
                    None if int(f["timestamp_accuracy"]) == 0 else int(f["timestamp_accuracy"]) / 10,
                )
            )
        if msg_type == "OPEN_DRONE_ID_SYSTEM":
            lat, lon = _latlon(int(f["operator_latitude"]), int(f["operator_longitude"]))
            ts = int(f["timestamp"])
            return m.encode_system(
                m.System(
                    version,
                    int(f["operator_location_type"]),
                    int(f["classification_type"]),
                    lat,
                    lon,
                    int(f["area_count"]),
                    float(f["area_radius"]),
                    _alt(f["area_ceiling"]),
                    _alt(f["area_floor"]),
                    int(f["category_eu"]),
                    int(f["class_eu"]),
                    _alt(f["operator_altitude_geo"]),
                    m.EPOCH_2019_AT + ts if ts else None,
                )
            )
        if msg_type == "OPEN_DRONE_ID_OPERATOR_ID":
            return m.encode_operator_id(
                m.OperatorId(version, int(f["operator_id_type"]), _text(f["operator_id"]))
            )
        if msg_type == "OPEN_DRONE_ID_SELF_ID":
            return m.encode_self_id(m.SelfId(version, int(f["description_type"]), _text(f["description"])))
        if msg_type == "OPEN_DRONE_ID_AUTHENTICATION":
            page = int(f["data_page"])
            data = bytes(f["authentication_data"])
            ts = int(f.get("timestamp", 0))
            return m.encode_auth_page(
                m.AuthPage(
                    version,
                    int(f["authentication_type"]),
                    page,
                    int(f["last_page_index"]) if page == 0 else None,
                    int(f["length"]) if page == 0 else None,
                    m.EPOCH_2019_AT + ts if page == 0 and ts else None,
                    data[:17] if page == 0 else data[:23],
                )
            )
    except (KeyError, TypeError, ValueError) as err:
        raise DecodeError("bad MAVLink message", f"{msg_type}: {err}") from None
    raise DecodeError("not an OPEN_DRONE_ID message", msg_type)


def mavlink_frames(connection: str, sensor_id: str, now: Callable[[], float] = time.time) -> Iterator[Frame]:
    """Frames (link ``odid-pack``) from a MAVLink connection string, e.g. ``udpin:0.0.0.0:14550``."""
    try:
        from pymavlink import mavutil  # LGPL-3, optional extra
    except ImportError as err:
        raise RuntimeError("MAVLink input needs the optional pymavlink package (LGPL-3)") from err
    conn = mavutil.mavlink_connection(connection)
    while True:
        msg = conn.recv_match(blocking=True)
        if msg is None:
            continue
        kind = msg.get_type()
        if kind.startswith("OPEN_DRONE_ID_"):
            try:
                data = to_odid(kind, msg.to_dict())
            except DecodeError:
                continue
            yield Frame(sensor_id=sensor_id, received_at=now(), link="odid-pack", data=data)
