"""Batch decoding: many 25-byte ODID messages at once into numpy columns. Pure.

For replays and bulk analysis, where one Python object per message costs more than the decode.
The same rules as ``messages``: unknown/invalid values are NaN (the batch form of None),
reserved or invalid encodings set ``odd`` for the row (decode that row with
``messages.decode_message`` to read its notes). ``decode_packs_batch`` takes whole Message
Packs, checks each header and count as ``decode_pack`` does, and decodes their messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from msgspec import Struct

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid.messages import (
    EPOCH_2019_AT,
    H_ACCURACY_M,
    MAX_PACK_MESSAGES,
    MESSAGE_SIZE,
    SPEED_ACCURACY_MPS,
    V_ACCURACY_M,
)

NAN = float("nan")
_LOC = np.dtype(
    {
        "names": [
            "flags",
            "dir",
            "speed",
            "vs",
            "lat",
            "lon",
            "baro",
            "geo",
            "height",
            "acc1",
            "acc2",
            "ts",
            "tsacc",
        ],
        "formats": ["u1", "u1", "u1", "i1", "<i4", "<i4", "<u2", "<u2", "<u2", "u1", "u1", "<u2", "u1"],
        "offsets": [1, 2, 3, 4, 5, 9, 13, 15, 17, 19, 20, 21, 23],
        "itemsize": MESSAGE_SIZE,
    }
)
_SYS = np.dtype(
    {
        "names": ["flags", "lat", "lon", "count", "radius", "ceiling", "floor", "cat", "alt", "ts"],
        "formats": ["u1", "<i4", "<i4", "<u2", "u1", "<u2", "<u2", "u1", "<u2", "<u4"],
        "offsets": [1, 2, 6, 10, 12, 13, 15, 17, 18, 20],
        "itemsize": MESSAGE_SIZE,
    }
)
_ID = np.dtype(
    {"names": ["kind", "text"], "formats": ["u1", "S20"], "offsets": [1, 2], "itemsize": MESSAGE_SIZE}
)
_SELF = np.dtype(
    {"names": ["kind", "text"], "formats": ["u1", "S23"], "offsets": [1, 2], "itemsize": MESSAGE_SIZE}
)

_ALT = np.concatenate([[NAN], np.arange(1, 65536) * 0.5 - 1000.0])
_SPEED = np.concatenate([np.arange(256) * 0.25, np.arange(255) * 0.75 + 63.75, [NAN]])
_DIR = np.concatenate(
    [
        np.where(np.arange(256) < 180, np.arange(256), NAN),
        np.where(np.arange(256) < 180, np.arange(256) + 180.0, NAN),
    ]
)
_VS_RAW = np.arange(256, dtype=np.int64) - 128
_VS = np.where(np.abs(_VS_RAW) <= 124, _VS_RAW * 0.5, NAN)  # index: raw + 128
_TS = np.where(np.arange(65536) <= 36000, np.arange(65536) / 10.0, NAN)
_TS_ACC = np.concatenate([[NAN], np.arange(1, 16) / 10.0])
_H_ACC = np.array([H_ACCURACY_M.get(i, NAN) for i in range(16)])
_V_ACC = np.array([V_ACCURACY_M.get(i, NAN) for i in range(16)])
_S_ACC = np.array([SPEED_ACCURACY_MPS.get(i, NAN) for i in range(16)])


class LocationColumns(Struct, frozen=True, kw_only=True):
    row: Any  # index of the message in the batch
    version: Any
    status: Any
    height_type: Any
    direction_deg: Any
    speed_mps: Any
    vspeed_mps: Any
    lat: Any
    lon: Any
    baro_alt_m: Any
    geo_alt_m: Any
    height_m: Any
    h_accuracy_m: Any
    v_accuracy_m: Any
    baro_accuracy_m: Any
    speed_accuracy_mps: Any
    timestamp_s: Any
    timestamp_accuracy_s: Any
    odd: Any  # reserved or invalid encoding somewhere in the row


class SystemColumns(Struct, frozen=True, kw_only=True):
    row: Any
    version: Any
    operator_location_type: Any
    classification_type: Any
    operator_lat: Any
    operator_lon: Any
    area_count: Any
    area_radius_m: Any
    area_ceiling_m: Any
    area_floor_m: Any
    ua_category: Any
    ua_class: Any
    operator_alt_m: Any
    timestamp_at: Any
    odd: Any


class TextColumns(Struct, frozen=True, kw_only=True):
    """Basic ID (kind = id_type << 4 | ua_type), Self-ID or Operator ID (kind = type byte)."""

    row: Any
    version: Any
    kind: Any
    text: Any  # numpy bytes array, NUL-padded
    odd: Any


class MessageBatch(Struct, frozen=True, kw_only=True):
    count: int
    message_type: Any  # per row
    location: LocationColumns
    system: SystemColumns
    basic_id: TextColumns
    self_id: TextColumns
    operator_id: TextColumns
    auth_rows: Any  # authentication pages: decode them with messages.decode_auth_page
    unknown_rows: Any  # message types 6..15


def _latlon(lat: Any, lon: Any) -> tuple[Any, Any, Any]:
    known = ((lat != 0) | (lon != 0)) & (np.abs(lat) <= 900000000) & (np.abs(lon) <= 1800000000)
    odd = ((lat != 0) | (lon != 0)) & ~known
    return np.where(known, lat / 1e7, NAN), np.where(known, lon / 1e7, NAN), odd


def decode_batch(data: bytes) -> MessageBatch:
    """Decode ``len(data) / 25`` concatenated messages."""
    if len(data) % MESSAGE_SIZE:
        raise DecodeError("bad batch length", f"{len(data)} bytes is not a multiple of 25")
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, MESSAGE_SIZE)
    head = raw[:, 0]
    mtype, version = head >> 4, head & 15
    all_loc = np.frombuffer(data, dtype=_LOC)
    all_sys = np.frombuffer(data, dtype=_SYS)

    rows = np.flatnonzero(mtype == 1)
    loc = all_loc[rows]
    v = version[rows]
    flags = loc["flags"]
    direction = _DIR[((flags & 2).astype(np.intp) << 7) | loc["dir"]]
    vs = _VS[loc["vs"].astype(np.intp) + 128]
    lat, lon, pos_odd = _latlon(loc["lat"].astype(np.int64), loc["lon"].astype(np.int64))
    acc1, acc2, ts = loc["acc1"], loc["acc2"], loc["ts"]
    status = flags >> 4
    odd = (
        (v > 2)
        | (status > np.where(v >= 2, 4, 3))
        | (np.isnan(direction) & ~((loc["dir"] == 181) & (flags & 2 > 0)))
        | (np.isnan(vs) & (loc["vs"] != 126))
        | pos_odd
        | ((acc1 & 15) > 12)
        | ((acc1 >> 4) > 6)
        | ((acc2 & 15) > 4)
        | ((acc2 >> 4) > 6)
        | ((ts > 36000) & (ts != 0xFFFF))
    )
    location = LocationColumns(
        row=rows,
        version=v,
        status=status,
        height_type=(flags >> 2) & 1,
        direction_deg=direction,
        speed_mps=_SPEED[((flags & 1).astype(np.intp) << 8) | loc["speed"]],
        vspeed_mps=vs,
        lat=lat,
        lon=lon,
        baro_alt_m=_ALT[loc["baro"]],
        geo_alt_m=_ALT[loc["geo"]],
        height_m=_ALT[loc["height"]],
        h_accuracy_m=_H_ACC[acc1 & 15],
        v_accuracy_m=_V_ACC[acc1 >> 4],
        baro_accuracy_m=_V_ACC[acc2 >> 4],
        speed_accuracy_mps=_S_ACC[acc2 & 15],
        timestamp_s=_TS[ts],
        timestamp_accuracy_s=_TS_ACC[loc["tsacc"] & 15],
        odd=odd,
    )

    rows = np.flatnonzero(mtype == 4)
    sysm = all_sys[rows]
    v = version[rows]
    olat, olon, pos_odd = _latlon(sysm["lat"].astype(np.int64), sysm["lon"].astype(np.int64))
    classification, cat = (sysm["flags"] >> 2) & 7, sysm["cat"]
    system = SystemColumns(
        row=rows,
        version=v,
        operator_location_type=sysm["flags"] & 3,
        classification_type=classification,
        operator_lat=olat,
        operator_lon=olon,
        area_count=sysm["count"],
        area_radius_m=sysm["radius"] * 10.0,
        area_ceiling_m=_ALT[sysm["ceiling"]],
        area_floor_m=_ALT[sysm["floor"]],
        ua_category=cat >> 4,
        ua_class=cat & 15,
        operator_alt_m=_ALT[sysm["alt"]],
        timestamp_at=np.where(sysm["ts"] > 0, sysm["ts"] + EPOCH_2019_AT, NAN),
        odd=(v > 2) | (classification > 1) | pos_odd | ((cat >> 4) > 3) | ((cat & 15) > 7),
    )

    def text(kind_of: int, dtype: np.dtype, width: int, reserved: Any) -> TextColumns:
        rows = np.flatnonzero(mtype == kind_of)
        rec = np.frombuffer(data, dtype=dtype)[rows]
        body = raw[rows, 2 : 2 + width]
        return TextColumns(
            row=rows,
            version=version[rows],
            kind=rec["kind"],
            text=rec["text"],
            odd=(version[rows] > 2) | reserved(rec["kind"]) | (body.max(axis=1, initial=0) > 127),
        )

    return MessageBatch(
        count=len(raw),
        message_type=mtype,
        location=location,
        system=system,
        basic_id=text(0, _ID, 20, lambda k: (k >> 4) > 4),
        self_id=text(3, _SELF, 23, lambda k: (k > 2) & (k < 201)),
        operator_id=text(5, _ID, 20, lambda k: (k > 0) & (k < 201)),
        auth_rows=np.flatnonzero(mtype == 2),
        unknown_rows=np.flatnonzero(mtype >= 6),
    )


def decode_packs_batch(packs: list[bytes]) -> MessageBatch:
    """The messages of many Message Packs, each pack checked as ``decode_pack`` checks it."""
    parts: list[bytes] = []
    for p in packs:
        if len(p) < 3 or p[0] >> 4 != 15 or p[1] != MESSAGE_SIZE or p[2] > MAX_PACK_MESSAGES:
            raise DecodeError("not a message pack", bytes(p[:3]).hex())
        end = 3 + p[2] * MESSAGE_SIZE
        if len(p) < end:
            raise DecodeError("truncated message pack", f"{len(p)} bytes for {p[2]} messages")
        parts.append(p[3:end])
    data = b"".join(parts)
    batch = decode_batch(data)
    if (batch.message_type == 15).any():
        raise DecodeError("nested message pack", "")
    return batch
