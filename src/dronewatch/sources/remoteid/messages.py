"""Open Drone ID message codec: decode and encode 25-byte ASTM F3411 / ASD-STAN messages. Pure.

Standards: ASTM F3411-19 (protocol version 1), F3411-22a (version 2), ASD-STAN prEN 4709-002
(version 1); version 0 is the pre-release layout, identical on the wire. Every message is 25
bytes; byte 0 is ``message_type << 4 | protocol_version``.

| type | message        | bytes 1..24 (little-endian)                                                   |
|------|----------------|-------------------------------------------------------------------------------|
| 0    | Basic ID       | id_type<<4 / ua_type, UAS ID (20 ASCII), 3 reserved                           |
| 1    | Location       | status<<4 / height type (b2) / E-W (b1) / speed mult (b0), direction, speed,  |
|      |                | vspeed (s8 x0.5), lat, lon (s32 x1e-7), baro alt, geo alt, height (u16 x0.5-1000)|
|      |                | vacc<<4 / hacc, baro acc<<4 / speed acc, timestamp (u16 0.1 s after the hour),  |
|      |                | timestamp accuracy (low nibble x0.1 s), reserved                              |
| 2    | Authentication | auth_type<<4 / page; page 0: last page, length, timestamp (u32 s since 2019),  |
|      |                | 17 data bytes; pages 1..15: 23 data bytes                                     |
| 3    | Self-ID        | description type, text (23 ASCII)                                             |
| 4    | System         | classification<<2 / operator location type, operator lat, lon (s32), area count |
|      |                | (u16), area radius (x10 m), ceiling, floor (alt), category<<4 / class,        |
|      |                | operator geo alt, timestamp (u32 s since 2019-01-01), reserved                |
| 5    | Operator ID    | operator id type, operator ID (20 ASCII), 3 reserved                          |
| 0xF  | Message Pack   | message size (25), count (<= 9), messages                                     |

"Unknown" and invalid encodings decode to ``None`` (never 0); reserved enum values are kept
as their integer and named in ``notes``; other message types decode to ``UnknownMessage``.
Bad input raises only ``DecodeError``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import msgspec
from msgspec import Struct

from dronewatch.sources.errors import DecodeError

MESSAGE_SIZE = 25
MAX_PACK_MESSAGES = 9
EPOCH_2019_AT = 1546300800.0  # 2019-01-01T00:00:00Z, the Remote ID timestamp epoch
MAX_AUTH_PAGES = 16
AUTH_PAGE0_DATA = 17
AUTH_PAGEN_DATA = 23

ID_TYPES = {0: "none", 1: "serial", 2: "caa_registration", 3: "utm_uuid", 4: "session_id"}
UA_TYPES = {
    0: "none",
    1: "aeroplane",
    2: "helicopter_or_multirotor",
    3: "gyroplane",
    4: "hybrid_lift",
    5: "ornithopter",
    6: "glider",
    7: "kite",
    8: "free_balloon",
    9: "captive_balloon",
    10: "airship",
    11: "free_fall_parachute",
    12: "rocket",
    13: "tethered_powered_aircraft",
    14: "ground_obstacle",
    15: "other",
}
STATUSES = {0: "undeclared", 1: "ground", 2: "airborne", 3: "emergency", 4: "remote_id_system_failure"}
HEIGHT_TYPES = {0: "above_takeoff", 1: "above_ground"}
AUTH_TYPES = {
    0: "none",
    1: "uas_id_signature",
    2: "operator_id_signature",
    3: "message_set_signature",
    4: "network_remote_id",
    5: "specific_method",
}
SELF_ID_TYPES = {0: "text", 1: "emergency", 2: "extended_status"}
OPERATOR_LOCATION_TYPES = {0: "takeoff", 1: "live_gnss", 2: "fixed", 3: "invalid"}
CLASSIFICATION_TYPES = {0: "undeclared", 1: "eu"}
EU_CATEGORIES = {0: "undeclared", 1: "open", 2: "specific", 3: "certified"}
EU_CLASSES = {0: "undeclared", 1: "C0", 2: "C1", 3: "C2", 4: "C3", 5: "C4", 6: "C5", 7: "C6"}
MESSAGE_NAMES = {
    0: "basic_id",
    1: "location",
    2: "auth",
    3: "self_id",
    4: "system",
    5: "operator_id",
    15: "pack",
}

# Accuracy codes -> the bound they state (metres, m/s). Code 0 is "unknown"; missing codes reserved.
H_ACCURACY_M = {
    1: 18520.0,
    2: 7408.0,
    3: 3704.0,
    4: 1852.0,
    5: 926.0,
    6: 555.6,
    7: 185.2,
    8: 92.6,
    9: 30.0,
    10: 10.0,
    11: 3.0,
    12: 1.0,
}
V_ACCURACY_M = {1: 150.0, 2: 45.0, 3: 25.0, 4: 10.0, 5: 3.0, 6: 1.0}
SPEED_ACCURACY_MPS = {1: 10.0, 2: 3.0, 3: 1.0, 4: 0.3}
_H_ACC_CODE = {v: k for k, v in H_ACCURACY_M.items()}
_V_ACC_CODE = {v: k for k, v in V_ACCURACY_M.items()}
_S_ACC_CODE = {v: k for k, v in SPEED_ACCURACY_MPS.items()}
_H_ACC: list[float | None] = [H_ACCURACY_M.get(i) for i in range(16)]
_V_ACC: list[float | None] = [V_ACCURACY_M.get(i) for i in range(16)]
_S_ACC: list[float | None] = [SPEED_ACCURACY_MPS.get(i) for i in range(16)]
_TS_ACC: list[float | None] = [None] + [i / 10 for i in range(1, 16)]

# Lookup tables: a list index is faster than arithmetic plus a branch per field.
_ALT: list[float | None] = [None] + [r * 0.5 - 1000.0 for r in range(1, 65536)]
_SPEED: list[float | None] = [r * 0.25 for r in range(256)] + [r * 0.75 + 63.75 for r in range(255)] + [None]
_DIR: list[float | None] = [float(r) if r < 180 else None for r in range(256)] + [
    float(r + 180) if r < 180 else None for r in range(256)
]
_VSPEED: list[float | None] = [(r if r < 128 else r - 256) * 0.5 for r in range(256)]
for _r in range(256):
    if abs(_r if _r < 128 else _r - 256) > 124:  # beyond +-62 m/s; 126 (63 m/s) is "unknown"
        _VSPEED[_r] = None
_ACC_ODD = [
    (a1 & 15) > 12 or a1 >> 4 > 6 or (a2 & 15) > 4 or a2 >> 4 > 6 for a1 in range(256) for a2 in range(256)
]
_TS: list[float | None] = [r / 10 if r <= 36000 else None for r in range(65536)]


class BasicId(Struct, frozen=True, gc=False, tag="basic_id"):
    version: int
    id_type: int  # ID_TYPES
    ua_type: int  # UA_TYPES
    uas_id: str  # trailing NULs removed
    notes: tuple[str, ...] = ()


class Location(Struct, frozen=True, gc=False, tag="location"):
    version: int
    status: int  # STATUSES
    height_type: int  # HEIGHT_TYPES
    direction_deg: float | None  # track over ground, clockwise from true north
    speed_mps: float | None  # horizontal
    vspeed_mps: float | None  # up is positive
    lat: float | None
    lon: float | None
    baro_alt_m: float | None  # pressure altitude
    geo_alt_m: float | None  # height above the WGS84 ellipsoid
    height_m: float | None  # above take-off or ground, per height_type
    h_accuracy_m: float | None  # the bound the accuracy code states (95 %)
    v_accuracy_m: float | None
    baro_accuracy_m: float | None
    speed_accuracy_mps: float | None
    timestamp_s: float | None  # seconds after the full hour (UTC)
    timestamp_accuracy_s: float | None
    notes: tuple[str, ...] = ()


class AuthPage(Struct, frozen=True, gc=False, tag="auth_page"):
    """One Authentication page; page 0 carries the header fields."""

    version: int
    auth_type: int  # AUTH_TYPES
    page: int
    last_page: int | None  # page 0 only
    length: int | None  # page 0 only: bytes of authentication data in all pages
    timestamp_at: float | None  # page 0 only: UTC epoch seconds
    data: bytes  # 17 bytes (page 0) or 23 bytes
    notes: tuple[str, ...] = ()


class Authentication(Struct, frozen=True, gc=False, tag="auth"):
    """All pages of one authentication, assembled."""

    version: int
    auth_type: int
    last_page: int
    length: int
    timestamp_at: float | None
    data: bytes  # exactly ``length`` bytes
    notes: tuple[str, ...] = ()


class SelfId(Struct, frozen=True, gc=False, tag="self_id"):
    version: int
    description_type: int  # SELF_ID_TYPES; 201..255 private
    text: str
    notes: tuple[str, ...] = ()


class System(Struct, frozen=True, gc=False, tag="system"):
    version: int
    operator_location_type: int  # OPERATOR_LOCATION_TYPES
    classification_type: int  # CLASSIFICATION_TYPES
    operator_lat: float | None
    operator_lon: float | None
    area_count: int
    area_radius_m: float
    area_ceiling_m: float | None
    area_floor_m: float | None
    ua_category: int  # EU_CATEGORIES
    ua_class: int  # EU_CLASSES
    operator_alt_m: float | None  # height above the WGS84 ellipsoid
    timestamp_at: float | None  # UTC epoch seconds
    notes: tuple[str, ...] = ()


class OperatorId(Struct, frozen=True, gc=False, tag="operator_id"):
    version: int
    operator_id_type: int  # 0 = operator ID; 201..255 private
    operator_id: str
    notes: tuple[str, ...] = ()


class UnknownMessage(Struct, frozen=True, gc=False, tag="unknown"):
    """A message type this codec does not know (6..14): reported, not dropped."""

    version: int
    message_type: int
    data: bytes  # the 24 bytes after the header


Message = BasicId | Location | AuthPage | Authentication | SelfId | System | OperatorId | UnknownMessage

_LOC = struct.Struct("<BBBBiiHHHBBHBB")
_SYS = struct.Struct("<BiiHBHHBHIB")
_AUTH0 = struct.Struct("<BBBI17s")
_ID20 = struct.Struct("<B20s3s")
_SELF = struct.Struct("<B23s")


def _text(raw: bytes, what: str, notes: list[str]) -> str:
    text = raw.rstrip(b"\0").decode("latin-1")  # latin-1: every byte kept, so encoding gives it back
    if not text.isascii():
        notes.append(f"{what}: non-ASCII bytes")
    return text


def _version_note(version: int, notes: list[str]) -> None:
    if version > 2:
        notes.append(f"reserved protocol version {version}")


def decode_basic_id(msg: bytes) -> BasicId:
    """Basic ID (type 0)."""
    if len(msg) != MESSAGE_SIZE or msg[0] >> 4 != 0:
        raise DecodeError("not a basic id message", f"{len(msg)} bytes, header {bytes(msg[:1]).hex()}")
    types, uas, _reserved = _ID20.unpack_from(msg, 1)
    uas = uas.rstrip(b"\0")
    version = msg[0] & 15
    if version > 2 or types >> 4 > 4 or not uas.isascii():
        notes: list[str] = []
        _version_note(version, notes)
        if types >> 4 > 4:
            notes.append(f"reserved id type {types >> 4}")
        return BasicId(version, types >> 4, types & 15, _text(uas, "uas id", notes), tuple(notes))
    return BasicId(version, types >> 4, types & 15, uas.decode("ascii"))


def _location_notes(msg: bytes, loc: Location) -> tuple[str, ...]:
    flags, direction, _speed, vspeed, lat, lon, _b, _g, _h, acc1, acc2, ts, _ta, _r = _LOC.unpack_from(msg, 1)
    notes: list[str] = []
    _version_note(msg[0] & 15, notes)
    if loc.status > (4 if loc.version >= 2 else 3):
        notes.append(f"reserved status {loc.status}")
    if loc.direction_deg is None and not (direction == 181 and flags & 2):
        notes.append(f"invalid direction raw {direction} e/w {flags >> 1 & 1}")
    if loc.vspeed_mps is None and vspeed != 126:
        notes.append(f"invalid vertical speed raw {vspeed}")
    if (lat or lon) and loc.lat is None:
        notes.append(f"invalid position raw {lat} {lon}")
    if acc1 & 15 > 12 or acc1 >> 4 > 6:
        notes.append(f"reserved accuracy codes h {acc1 & 15} v {acc1 >> 4}")
    if acc2 & 15 > 4 or acc2 >> 4 > 6:
        notes.append(f"reserved accuracy codes speed {acc2 & 15} baro {acc2 >> 4}")
    if ts != 0xFFFF and ts > 36000:
        notes.append(f"invalid timestamp raw {ts}")
    return tuple(notes)


def decode_location(msg: bytes) -> Location:
    """Location/Vector (type 1)."""
    if len(msg) != MESSAGE_SIZE or msg[0] >> 4 != 1:
        raise DecodeError("not a location message", f"{len(msg)} bytes, header {bytes(msg[:1]).hex()}")
    flags, direction, speed, vspeed, lat, lon, baro, geo, height, acc1, acc2, ts, tsacc, _r = (
        _LOC.unpack_from(msg, 1)
    )
    version = msg[0] & 15
    known = (lat or lon) and -900000000 <= lat <= 900000000 and -1800000000 <= lon <= 1800000000
    dir_deg = _DIR[(flags & 2) << 7 | direction]
    vs = _VSPEED[vspeed]
    loc = Location(
        version,
        flags >> 4,
        flags >> 2 & 1,
        dir_deg,
        _SPEED[(flags & 1) << 8 | speed],
        vs,
        lat / 1e7 if known else None,
        lon / 1e7 if known else None,
        _ALT[baro],
        _ALT[geo],
        _ALT[height],
        _H_ACC[acc1 & 15],
        _V_ACC[acc1 >> 4],
        _V_ACC[acc2 >> 4],
        _S_ACC[acc2 & 15],
        _TS[ts],
        _TS_ACC[tsacc & 15],
    )
    # Anything odd (reserved codes, invalid values, new versions) is rare: look only then.
    if (
        version > 2
        or flags >= 0x40  # status 4+ (4 is reserved before version 2)
        or (dir_deg is None and direction != 181)
        or (vs is None and vspeed != 126)
        or ((lat or lon) and not known)
        or _ACC_ODD[acc1 << 8 | acc2]
        or 36000 < ts < 0xFFFF
    ):
        notes = _location_notes(msg, loc)
        if notes:
            return msgspec.structs.replace(loc, notes=notes)
    return loc


def decode_auth_page(msg: bytes) -> AuthPage:
    """Authentication (type 2), one page."""
    if len(msg) != MESSAGE_SIZE or msg[0] >> 4 != 2:
        raise DecodeError("not an auth message", f"{len(msg)} bytes, header {bytes(msg[:1]).hex()}")
    version = msg[0] & 15
    auth_type, page = msg[1] >> 4, msg[1] & 15
    notes: list[str] = []
    _version_note(version, notes)
    if 5 < auth_type < 10:
        notes.append(f"reserved auth type {auth_type}")
    if page > 0:
        if version < 2 and page > 4:
            notes.append(f"page {page} beyond the 5 pages of protocol version {version}")
        return AuthPage(
            version=version,
            auth_type=auth_type,
            page=page,
            last_page=None,
            length=None,
            timestamp_at=None,
            data=bytes(msg[2:25]),
            notes=tuple(notes),
        )
    _t, last_page, length, ts, data = _AUTH0.unpack_from(msg, 1)
    if last_page > MAX_AUTH_PAGES - 1:
        raise DecodeError("bad auth page count", f"last page index {last_page}")
    if length > AUTH_PAGE0_DATA + last_page * AUTH_PAGEN_DATA:
        raise DecodeError("bad auth length", f"{length} bytes in {last_page + 1} pages")
    if last_page > 0 and length <= AUTH_PAGE0_DATA + (last_page - 1) * AUTH_PAGEN_DATA:
        notes.append(f"length {length} fits in fewer than {last_page + 1} pages")
    if version < 2 and last_page > 4:
        notes.append(f"{last_page + 1} pages exceed protocol version {version}")
    return AuthPage(
        version=version,
        auth_type=auth_type,
        page=0,
        last_page=last_page,
        length=length,
        timestamp_at=EPOCH_2019_AT + ts if ts else None,
        data=data,
        notes=tuple(notes),
    )


def assemble_auth(pages: list[AuthPage] | tuple[AuthPage, ...]) -> Authentication:
    """Join the pages of one authentication (any order). Raises DecodeError if incomplete."""
    by_page = {p.page: p for p in pages}
    first = by_page.get(0)
    if first is None or first.last_page is None or first.length is None:
        raise DecodeError("auth incomplete", "no page 0")
    missing = [i for i in range(first.last_page + 1) if i not in by_page]
    if missing:
        raise DecodeError("auth incomplete", f"missing pages {missing}")
    if any(by_page[i].auth_type != first.auth_type for i in range(first.last_page + 1)):
        raise DecodeError("auth mixed types", str(sorted({p.auth_type for p in pages})))
    data = b"".join(by_page[i].data for i in range(first.last_page + 1))[: first.length]
    notes = tuple(n for i in range(first.last_page + 1) for n in by_page[i].notes)
    return Authentication(
        version=first.version,
        auth_type=first.auth_type,
        last_page=first.last_page,
        length=first.length,
        timestamp_at=first.timestamp_at,
        data=data,
        notes=notes,
    )


def decode_self_id(msg: bytes) -> SelfId:
    """Self-ID (type 3)."""
    if len(msg) != MESSAGE_SIZE or msg[0] >> 4 != 3:
        raise DecodeError("not a self-id message", f"{len(msg)} bytes, header {bytes(msg[:1]).hex()}")
    desc, text = _SELF.unpack_from(msg, 1)
    text = text.rstrip(b"\0")
    version = msg[0] & 15
    if version > 2 or 2 < desc < 201 or not text.isascii():
        notes: list[str] = []
        _version_note(version, notes)
        if 2 < desc < 201:
            notes.append(f"reserved description type {desc}")
        return SelfId(version, desc, _text(text, "self-id", notes), tuple(notes))
    return SelfId(version, desc, text.decode("ascii"))


def decode_system(msg: bytes) -> System:
    """System (type 4)."""
    if len(msg) != MESSAGE_SIZE or msg[0] >> 4 != 4:
        raise DecodeError("not a system message", f"{len(msg)} bytes, header {bytes(msg[:1]).hex()}")
    flags, lat, lon, count, radius, ceiling, floor, cat, alt, ts, _r = _SYS.unpack_from(msg, 1)
    version = msg[0] & 15
    known = (lat or lon) and -900000000 <= lat <= 900000000 and -1800000000 <= lon <= 1800000000
    classification = flags >> 2 & 7
    sysmsg = System(
        version,
        flags & 3,
        classification,
        lat / 1e7 if known else None,
        lon / 1e7 if known else None,
        count,
        radius * 10.0,
        _ALT[ceiling],
        _ALT[floor],
        cat >> 4,
        cat & 15,
        _ALT[alt],
        EPOCH_2019_AT + ts if ts else None,
    )
    if version > 2 or classification > 1 or ((lat or lon) and not known) or cat >> 4 > 3 or cat & 15 > 7:
        notes: list[str] = []
        _version_note(version, notes)
        if classification > 1:
            notes.append(f"reserved classification type {classification}")
        if (lat or lon) and not known:
            notes.append(f"invalid operator position raw {lat} {lon}")
        if cat >> 4 > 3 or cat & 15 > 7:
            notes.append(f"reserved category {cat >> 4} / class {cat & 15}")
        return msgspec.structs.replace(sysmsg, notes=tuple(notes))
    return sysmsg


def decode_operator_id(msg: bytes) -> OperatorId:
    """Operator ID (type 5)."""
    if len(msg) != MESSAGE_SIZE or msg[0] >> 4 != 5:
        raise DecodeError("not an operator id message", f"{len(msg)} bytes, header {bytes(msg[:1]).hex()}")
    id_type, op, _reserved = _ID20.unpack_from(msg, 1)
    op = op.rstrip(b"\0")
    version = msg[0] & 15
    if version > 2 or 0 < id_type < 201 or not op.isascii():
        notes: list[str] = []
        _version_note(version, notes)
        if 0 < id_type < 201:
            notes.append(f"reserved operator id type {id_type}")
        return OperatorId(version, id_type, _text(op, "operator id", notes), tuple(notes))
    return OperatorId(version, id_type, op.decode("ascii"))


def _decode_unknown(msg: bytes) -> UnknownMessage:
    return UnknownMessage(version=msg[0] & 15, message_type=msg[0] >> 4, data=bytes(msg[1:25]))


_DECODERS: dict[int, Callable[[bytes], Message]] = {
    0: decode_basic_id,
    1: decode_location,
    2: decode_auth_page,
    3: decode_self_id,
    4: decode_system,
    5: decode_operator_id,
}
_TYPE_OF = bytes(h >> 4 for h in range(256))
_BY_HEADER: list[Callable[[bytes], Message]] = [_DECODERS.get(h >> 4, _decode_unknown) for h in range(256)]


def decode_message(msg: bytes) -> Message:
    """One 25-byte message of any type except a pack."""
    if len(msg) != MESSAGE_SIZE:
        raise DecodeError("bad message length", f"{len(msg)} bytes")
    if msg[0] >> 4 == 15:
        raise DecodeError("nested message pack", "")
    return _BY_HEADER[msg[0]](msg)


def decode_pack(data: bytes) -> list[Message]:
    """Message Pack (type 0xF): the messages, with complete authentications assembled.

    Incomplete authentication pages stay as ``AuthPage`` for the aggregator."""
    if len(data) < 3 or data[0] >> 4 != 15:
        raise DecodeError("not a message pack", f"{len(data)} bytes, header {bytes(data[:1]).hex()}")
    if data[1] != MESSAGE_SIZE:
        raise DecodeError("bad pack message size", str(data[1]))
    count = data[2]
    if count > MAX_PACK_MESSAGES:
        raise DecodeError("bad pack message count", str(count))
    if len(data) < 3 + count * MESSAGE_SIZE:
        raise DecodeError("truncated message pack", f"{len(data)} bytes for {count} messages")
    end = 3 + count * MESSAGE_SIZE
    heads = data[3:end:MESSAGE_SIZE]
    types = heads.translate(_TYPE_OF)
    if b"\x0f" in types:
        raise DecodeError("nested message pack", f"in a pack of {count}")
    if b"\x02" not in types:  # no authentication pages: the common case
        return [_BY_HEADER[data[i]](data[i : i + MESSAGE_SIZE]) for i in range(3, end, MESSAGE_SIZE)]
    out: list[Message] = []
    pages: list[AuthPage] = []
    for i in range(3, end, MESSAGE_SIZE):
        msg = data[i : i + MESSAGE_SIZE]
        if msg[0] >> 4 == 2:
            pages.append(decode_auth_page(msg))
        else:
            out.append(_BY_HEADER[msg[0]](msg))
    if pages:
        try:
            out.append(assemble_auth(pages))
        except DecodeError:
            out.extend(pages)
    return out


def decode_messages(data: bytes) -> list[Message]:
    """A pack or a single message (what ``odid-pack`` frames and UDP datagrams carry)."""
    if data[:1] and data[0] >> 4 == 15:
        return decode_pack(data)
    return [decode_message(data)]


# --- encoding ------------------------------------------------------------------------------


def _clamp(v: int, lo: int, hi: int) -> int:
    return lo if v < lo else hi if v > hi else v


def _alt_raw(alt_m: float | None) -> int:
    return 0 if alt_m is None else _clamp(round((alt_m + 1000.0) * 2), 0, 65535)


def _text_raw(text: str, size: int) -> bytes:
    raw = text.encode("latin-1", errors="replace")[:size]
    return raw + b"\0" * (size - len(raw))


def _latlon_raw(lat: float | None, lon: float | None) -> tuple[int, int]:
    if lat is None or lon is None:
        return 0, 0
    return _clamp(round(lat * 1e7), -900000000, 900000000), _clamp(round(lon * 1e7), -1800000000, 1800000000)


def _acc_code(table: dict[float, int], value: float | None) -> int:
    if value is None:
        return 0
    code = table.get(value)
    if code is None:  # the tightest stated bound that still covers the value
        fits = [c for v, c in table.items() if v >= value]
        code = max(fits) if fits else min(table.values())
    return code


def encode_basic_id(m: BasicId) -> bytes:
    types = (m.id_type & 15) << 4 | m.ua_type & 15
    return bytes([m.version & 15]) + _ID20.pack(types, _text_raw(m.uas_id, 20), b"\0\0\0")


def encode_location(m: Location) -> bytes:
    if m.direction_deg is None:
        ew, direction = 1, 181
    else:
        d = round(m.direction_deg) % 360
        ew, direction = (1, d - 180) if d >= 180 else (0, d)
    if m.speed_mps is None:
        mult, speed = 1, 255
    elif m.speed_mps <= 63.75:
        mult, speed = 0, _clamp(round(m.speed_mps / 0.25), 0, 255)
    else:
        mult, speed = 1, _clamp(round((m.speed_mps - 63.75) / 0.75), 0, 254)
    vs = 126 if m.vspeed_mps is None else _clamp(round(m.vspeed_mps * 2), -124, 124) & 0xFF
    lat, lon = _latlon_raw(m.lat, m.lon)
    ts = 0xFFFF if m.timestamp_s is None else _clamp(round(m.timestamp_s * 10), 0, 36000)
    tsacc = 0 if m.timestamp_accuracy_s is None else _clamp(round(m.timestamp_accuracy_s * 10), 1, 15)
    flags = (m.status & 15) << 4 | (m.height_type & 1) << 2 | ew << 1 | mult
    return bytes([0x10 | m.version & 15]) + _LOC.pack(
        flags,
        direction,
        speed,
        vs,
        lat,
        lon,
        _alt_raw(m.baro_alt_m),
        _alt_raw(m.geo_alt_m),
        _alt_raw(m.height_m),
        _acc_code(_V_ACC_CODE, m.v_accuracy_m) << 4 | _acc_code(_H_ACC_CODE, m.h_accuracy_m),
        _acc_code(_V_ACC_CODE, m.baro_accuracy_m) << 4 | _acc_code(_S_ACC_CODE, m.speed_accuracy_mps),
        ts,
        tsacc,
        0,
    )


def _ts2019(at: float | None) -> int:
    return 0 if at is None else _clamp(round(at - EPOCH_2019_AT), 0, 0xFFFFFFFF)


def encode_auth_page(m: AuthPage) -> bytes:
    head = bytes([0x20 | m.version & 15, (m.auth_type & 15) << 4 | m.page & 15])
    if m.page == 0:
        data = m.data[:17].ljust(17, b"\0")
        return head + struct.pack("<BBI", m.last_page or 0, m.length or 0, _ts2019(m.timestamp_at)) + data
    return head + m.data[:23].ljust(23, b"\0")


def split_auth(m: Authentication) -> list[AuthPage]:
    """The pages that carry one authentication (the inverse of ``assemble_auth``)."""
    data = m.data.ljust(AUTH_PAGE0_DATA + m.last_page * AUTH_PAGEN_DATA, b"\0")
    pages = [
        AuthPage(
            version=m.version,
            auth_type=m.auth_type,
            page=0,
            last_page=m.last_page,
            length=m.length,
            timestamp_at=m.timestamp_at,
            data=data[:17],
        )
    ]
    for i in range(1, m.last_page + 1):
        start = AUTH_PAGE0_DATA + (i - 1) * AUTH_PAGEN_DATA
        pages.append(
            AuthPage(
                version=m.version,
                auth_type=m.auth_type,
                page=i,
                last_page=None,
                length=None,
                timestamp_at=None,
                data=data[start : start + AUTH_PAGEN_DATA],
            )
        )
    return pages


def encode_self_id(m: SelfId) -> bytes:
    return bytes([0x30 | m.version & 15]) + _SELF.pack(m.description_type & 0xFF, _text_raw(m.text, 23))


def encode_system(m: System) -> bytes:
    lat, lon = _latlon_raw(m.operator_lat, m.operator_lon)
    return bytes([0x40 | m.version & 15]) + _SYS.pack(
        (m.classification_type & 7) << 2 | m.operator_location_type & 3,
        lat,
        lon,
        _clamp(m.area_count, 0, 65535),
        _clamp(round(m.area_radius_m / 10), 0, 255),
        _alt_raw(m.area_ceiling_m),
        _alt_raw(m.area_floor_m),
        (m.ua_category & 15) << 4 | m.ua_class & 15,
        _alt_raw(m.operator_alt_m),
        _ts2019(m.timestamp_at),
        0,
    )


def encode_operator_id(m: OperatorId) -> bytes:
    return bytes([0x50 | m.version & 15]) + _ID20.pack(
        m.operator_id_type & 0xFF, _text_raw(m.operator_id, 20), b"\0\0\0"
    )


def encode_message(m: Message) -> bytes:
    """One message to its 25 bytes (an ``Authentication`` must go through ``split_auth``)."""
    if isinstance(m, BasicId):
        return encode_basic_id(m)
    if isinstance(m, Location):
        return encode_location(m)
    if isinstance(m, AuthPage):
        return encode_auth_page(m)
    if isinstance(m, SelfId):
        return encode_self_id(m)
    if isinstance(m, System):
        return encode_system(m)
    if isinstance(m, OperatorId):
        return encode_operator_id(m)
    if isinstance(m, UnknownMessage):
        return bytes([(m.message_type & 15) << 4 | m.version & 15]) + m.data[:24].ljust(24, b"\0")
    raise TypeError(f"encode_message: use split_auth for {type(m).__name__}")


def encode_pack(messages: list[Message] | tuple[Message, ...], version: int = 2) -> bytes:
    """A Message Pack holding these messages (authentications split into their pages)."""
    raw: list[bytes] = []
    for m in messages:
        if isinstance(m, Authentication):
            raw.extend(encode_auth_page(p) for p in split_auth(m))
        else:
            raw.append(encode_message(m))
    if len(raw) > MAX_PACK_MESSAGES:
        raise ValueError(f"a message pack holds at most {MAX_PACK_MESSAGES} messages, got {len(raw)}")
    return bytes([0xF0 | version & 15, MESSAGE_SIZE, len(raw)]) + b"".join(raw)
