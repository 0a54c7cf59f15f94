"""DJI DroneID in Wi-Fi beacons: vendor IE with OUI 26:37:12. Pure.

Element body: ``26 37 12 | 58 62 13 | subcommand | record`` (publicly described by Kismet
``dot11_ie_221_dji_droneid``, RUB-SysSec DroneSecurity, aeburriel/scapy-uas-remoteid).

Subcommand 0x10, flight telemetry, version 2 (87 bytes, little-endian):
version (1), sequence (u16), state info (u16), serial (16 ASCII), longitude, latitude (s32,
radians x 1e7), altitude, height (s16), v_north, v_east, v_up (s16), yaw (s16), gps_time (u64),
pilot latitude, pilot longitude (s32), home longitude, home latitude (s32), product type (u8),
UUID length (u8), UUID (20).
Version 1 (Kismet): ... v_up, pitch, roll, yaw (s16), home longitude, home latitude, product
type, UUID length, UUID (73 bytes): no pilot position.

Subcommand 0x11, flight purpose (user-entered): version (1), sequence (u16), serial (16),
drone ID length (1), drone ID (10), purpose length (1), purpose (up to 100).

Units are not settled publicly: raw integers are kept, and the interpretation used for Reports
(altitude and height in metres, velocities in cm/s, yaw in 1/100 degree) is in ``*_m`` /
``*_mps`` / ``yaw_deg``. Degrees are ``raw / 174533.0`` (Kismet; the value DJI firmware uses).
"""

from __future__ import annotations

import struct

from msgspec import Struct

from dronewatch.sources.errors import DecodeError

DJI_OUI = b"\x26\x37\x12"
DJI_PREFIX = b"\x26\x37\x12\x58\x62\x13"
SUB_TELEMETRY = 0x10
SUB_PURPOSE = 0x11
RAD_1E7_PER_DEG = 174533.0

_V2 = struct.Struct("<BHH16siihhhhhhQiiiiBB20s")
_V1 = struct.Struct("<BHH16siihhhhhhhhiiBB20s")
_PURPOSE_HEAD = struct.Struct("<BH16sB")


class DjiTelemetry(Struct, frozen=True, kw_only=True, tag="dji_telemetry"):
    version: int
    sequence: int
    state_info: int
    serial: str
    lat: float | None
    lon: float | None
    altitude_raw: int
    height_raw: int
    v_north_raw: int
    v_east_raw: int
    v_up_raw: int
    yaw_raw: int
    gps_time_raw: int | None
    pilot_lat: float | None
    pilot_lon: float | None
    home_lat: float | None
    home_lon: float | None
    product_type: int
    uuid: str

    @property
    def altitude_m(self) -> float:
        return float(self.altitude_raw)

    @property
    def height_m(self) -> float:
        return float(self.height_raw)

    @property
    def vel_enu_mps(self) -> tuple[float, float, float]:
        return (self.v_east_raw / 100, self.v_north_raw / 100, self.v_up_raw / 100)

    @property
    def yaw_deg(self) -> float:
        return self.yaw_raw / 100


class DjiPurpose(Struct, frozen=True, kw_only=True, tag="dji_purpose"):
    version: int
    sequence: int
    serial: str
    drone_id: str
    purpose: str


DjiRecord = DjiTelemetry | DjiPurpose


def _deg(lat_raw: int, lon_raw: int) -> tuple[float | None, float | None]:
    if lat_raw == 0 and lon_raw == 0:
        return None, None
    lat, lon = lat_raw / RAD_1E7_PER_DEG, lon_raw / RAD_1E7_PER_DEG
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None, None
    return lat, lon


def _ascii(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1")


def decode_droneid_ie(body: bytes) -> DjiRecord:
    """The body of a DJI DroneID vendor IE (after ``DD len``)."""
    if len(body) < 8 or body[:6] != DJI_PREFIX:
        raise DecodeError("not a DJI DroneID element", bytes(body[:6]).hex())
    sub, rec = body[6], bytes(body[7:])
    if sub == SUB_PURPOSE:
        if len(rec) < _PURPOSE_HEAD.size + 11:
            raise DecodeError("truncated DJI record", f"purpose record of {len(rec)} bytes")
        version, seq, serial, id_len = _PURPOSE_HEAD.unpack_from(rec)
        id_raw = rec[_PURPOSE_HEAD.size : _PURPOSE_HEAD.size + 10]
        purpose_len = rec[_PURPOSE_HEAD.size + 10]
        purpose = rec[_PURPOSE_HEAD.size + 11 : _PURPOSE_HEAD.size + 11 + min(purpose_len, 100)]
        return DjiPurpose(
            version=version,
            sequence=seq,
            serial=_ascii(serial),
            drone_id=_ascii(id_raw[:id_len]),
            purpose=_ascii(purpose),
        )
    if sub != SUB_TELEMETRY:
        raise DecodeError("unknown DJI subcommand", f"{sub:#x}")
    if not rec:
        raise DecodeError("truncated DJI record", "empty")
    version = rec[0]
    if version == 2:
        if len(rec) < _V2.size:
            raise DecodeError("truncated DJI record", f"{len(rec)} bytes for version 2")
        (
            _,
            seq,
            state,
            serial,
            lon,
            lat,
            alt,
            height,
            vn,
            ve,
            vu,
            yaw,
            gps_time,
            app_lat,
            app_lon,
            home_lon,
            home_lat,
            product,
            uuid_len,
            uuid,
        ) = _V2.unpack_from(rec)
        pilot = _deg(app_lat, app_lon)
    elif version == 1:
        if len(rec) < _V1.size:
            raise DecodeError("truncated DJI record", f"{len(rec)} bytes for version 1")
        (
            _,
            seq,
            state,
            serial,
            lon,
            lat,
            alt,
            height,
            vn,
            ve,
            vu,
            _pitch,
            _roll,
            yaw,
            home_lon,
            home_lat,
            product,
            uuid_len,
            uuid,
        ) = _V1.unpack_from(rec)
        gps_time, pilot = None, (None, None)
    else:
        raise DecodeError("unknown DJI telemetry version", str(version))
    lat_deg, lon_deg = _deg(lat, lon)
    home = _deg(home_lat, home_lon)
    return DjiTelemetry(
        version=version,
        sequence=seq,
        state_info=state,
        serial=_ascii(serial),
        lat=lat_deg,
        lon=lon_deg,
        altitude_raw=alt,
        height_raw=height,
        v_north_raw=vn,
        v_east_raw=ve,
        v_up_raw=vu,
        yaw_raw=yaw,
        gps_time_raw=gps_time,
        pilot_lat=pilot[0],
        pilot_lon=pilot[1],
        home_lat=home[0],
        home_lon=home[1],
        product_type=product,
        uuid=_ascii(uuid[: min(uuid_len, 20)]),
    )


def encode_telemetry_ie(t: DjiTelemetry) -> bytes:
    """A version-2 telemetry element (``DD len`` included), the inverse of ``decode_droneid_ie``."""

    def raw(lat: float | None, lon: float | None) -> tuple[int, int]:
        if lat is None or lon is None:
            return 0, 0
        return round(lat * RAD_1E7_PER_DEG), round(lon * RAD_1E7_PER_DEG)

    lat, lon = raw(t.lat, t.lon)
    plat, plon = raw(t.pilot_lat, t.pilot_lon)
    hlat, hlon = raw(t.home_lat, t.home_lon)
    uuid = t.uuid.encode("latin-1")[:20]
    rec = _V2.pack(
        2,
        t.sequence,
        t.state_info,
        t.serial.encode("latin-1")[:16].ljust(16, b"\0"),
        lon,
        lat,
        t.altitude_raw,
        t.height_raw,
        t.v_north_raw,
        t.v_east_raw,
        t.v_up_raw,
        t.yaw_raw,
        t.gps_time_raw or 0,
        plat,
        plon,
        hlon,
        hlat,
        t.product_type,
        len(uuid),
        uuid.ljust(20, b"\0"),
    )
    body = DJI_PREFIX + bytes([SUB_TELEMETRY]) + rec
    return bytes([0xDD, len(body)]) + body


class DjiReceived(Struct, frozen=True, kw_only=True):
    """One DroneID element and the MAC that sent it."""

    mac: str | None
    record: DjiRecord
