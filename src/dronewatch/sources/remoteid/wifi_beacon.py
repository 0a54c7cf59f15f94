"""ODID over Wi-Fi Beacon (ASTM F3411-22a 5.4.6): the vendor-specific IE in beacon frames. Pure.

Vendor IE: ``DD len | FA 0B BC (ASD-STAN OUI) | 0D (type) | counter | message pack``.
Beacon body: timestamp (8), interval (2), capability (2), then information elements.
"""

from __future__ import annotations

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid.dot11 import SUBTYPE_BEACON, Dot11, build_mgmt, iter_ies
from dronewatch.sources.remoteid.messages import decode_pack
from dronewatch.sources.remoteid.received import Received

ODID_OUI = b"\xfa\x0b\xbc"
ODID_OUI_TYPE = 0x0D
BEACON_FIXED = 12


def beacon_ies(mgmt: Dot11) -> list[tuple[int, bytes]]:
    """The information elements of a beacon."""
    if mgmt.subtype != SUBTYPE_BEACON:
        raise DecodeError("not a beacon", f"subtype {mgmt.subtype}")
    if len(mgmt.body) < BEACON_FIXED:
        raise DecodeError("truncated beacon", f"{len(mgmt.body)} body bytes")
    return iter_ies(mgmt.body[BEACON_FIXED:])


def decode_odid_ie(ie_body: bytes, mac: str | None) -> Received:
    """The body of an ODID vendor IE (after ``DD len``)."""
    if len(ie_body) < 5 or ie_body[:3] != ODID_OUI or ie_body[3] != ODID_OUI_TYPE:
        raise DecodeError("not an ODID element", bytes(ie_body[:4]).hex())
    pack = bytes(ie_body[5:])
    return Received(
        transport="wifi-beacon", mac=mac, counter=ie_body[4], messages=tuple(decode_pack(pack)), raw=pack
    )


def decode_beacon(mgmt: Dot11) -> list[Received]:
    """Every ODID element in a beacon (normally one; none gives [])."""
    return [
        decode_odid_ie(body, mgmt.src_mac)
        for ie_id, body in beacon_ies(mgmt)
        if ie_id == 0xDD and body[:3] == ODID_OUI and body[3:4] == b"\x0d"
    ]


def encode_odid_ie(pack: bytes, counter: int) -> bytes:
    body = ODID_OUI + bytes([ODID_OUI_TYPE, counter & 0xFF]) + pack
    if len(body) > 255:
        raise ValueError(f"ODID element too long: {len(body)} bytes")
    return bytes([0xDD, len(body)]) + body


def encode_beacon_frame(
    pack: bytes, src_mac: bytes, counter: int, ssid: str = "", beacon_at_us: int = 0, interval_tu: int = 100
) -> bytes:
    """A whole 802.11 beacon (no radiotap, no FCS) carrying ``pack`` in an ODID element."""
    ssid_raw = ssid.encode()[:32]
    body = (
        (beacon_at_us & (2**64 - 1)).to_bytes(8, "little")
        + interval_tu.to_bytes(2, "little")
        + b"\x21\x04"
        + bytes([0, len(ssid_raw)])
        + ssid_raw
        + encode_odid_ie(pack, counter)
    )
    return build_mgmt(SUBTYPE_BEACON, src_mac, b"\xff" * 6, src_mac, body, seq=counter)
