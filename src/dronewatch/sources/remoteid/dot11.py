"""802.11 framing for the Wi-Fi transports: radiotap header, FCS check, MAC header. Pure.

Radiotap (https://www.radiotap.org): version (1), pad (1), length (u16 LE), present bitmaps
(u32 LE, bit 31 = another follows); field 0 TSFT (u64, 8-aligned), field 1 Flags (u8: 0x10 =
frame ends in FCS, 0x40 = FCS failed). 802.11 management header: frame control (2), duration
(2), addr1 (6), addr2 = transmitter (6), addr3 (6), sequence (2).
"""

from __future__ import annotations

import zlib

from msgspec import Struct

from dronewatch.sources.errors import DecodeError

MGMT_HEADER = 24
SUBTYPE_BEACON = 8
SUBTYPE_ACTION = 13


class Dot11(Struct, frozen=True):
    """A management frame: its subtype, transmitter MAC and body (after the 24-byte header)."""

    subtype: int
    src_mac: str
    body: bytes


def mac_str(raw: bytes) -> str:
    return raw.hex(":")


def strip_radiotap(data: bytes) -> bytes:
    """The 802.11 frame inside a radiotap capture, FCS removed (and checked) when present."""
    if len(data) < 8 or data[0] != 0:
        raise DecodeError("bad radiotap header", f"{len(data)} bytes")
    length = int.from_bytes(data[2:4], "little")
    if length < 8 or length > len(data):
        raise DecodeError("bad radiotap length", f"{length} of {len(data)} bytes")
    present = int.from_bytes(data[4:8], "little")
    pos = 8
    word = present
    while word & 0x80000000:
        if pos + 4 > length:
            raise DecodeError("bad radiotap length", "present bitmaps overrun")
        word = int.from_bytes(data[pos : pos + 4], "little")
        pos += 4
    flags = 0
    if present & 1:
        pos = (pos + 7) & ~7
        pos += 8
    if present & 2:
        if pos >= length:
            raise DecodeError("bad radiotap length", "flags field overruns")
        flags = data[pos]
    frame = data[length:]
    if flags & 0x10:
        if len(frame) < 4:
            raise DecodeError("truncated 802.11 frame", f"{len(frame)} bytes with FCS")
        if flags & 0x40 or zlib.crc32(frame[:-4]) != int.from_bytes(frame[-4:], "little"):
            raise DecodeError("bad FCS", "")
        frame = frame[:-4]
    return frame


def parse_mgmt(frame: bytes) -> Dot11:
    """The management header of an 802.11 frame."""
    if len(frame) < MGMT_HEADER:
        raise DecodeError("truncated 802.11 frame", f"{len(frame)} bytes")
    fc = frame[0]
    if fc & 0x0C != 0:  # type bits 2-3: 0 = management
        raise DecodeError("not a management frame", f"frame control {frame[:2].hex()}")
    return Dot11(subtype=fc >> 4, src_mac=mac_str(frame[10:16]), body=frame[MGMT_HEADER:])


def iter_ies(data: bytes) -> list[tuple[int, bytes]]:
    """Information elements (id, body) of a beacon body after its fixed fields."""
    out: list[tuple[int, bytes]] = []
    pos, end = 0, len(data)
    while pos + 2 <= end:
        ie_id, ie_len = data[pos], data[pos + 1]
        if pos + 2 + ie_len > end:
            raise DecodeError("truncated information element", f"id {ie_id} len {ie_len} at {pos}")
        out.append((ie_id, data[pos + 2 : pos + 2 + ie_len]))
        pos += 2 + ie_len
    return out


def build_mgmt(
    subtype: int, src_mac: bytes, dst_mac: bytes, bssid: bytes, body: bytes, seq: int = 0
) -> bytes:
    """A management frame (no FCS): the encoder the simulator and tests use."""
    return (
        bytes([subtype << 4, 0, 0, 0])
        + dst_mac
        + src_mac
        + bssid
        + ((seq & 0xFFF) << 4).to_bytes(2, "little")
        + body
    )
