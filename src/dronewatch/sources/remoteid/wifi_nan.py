"""ODID over Wi-Fi NAN (ASTM F3411-22a 5.4.7): Service Discovery Frames. Pure.

Public action frame: category 4, action 9 (vendor specific), OUI 50:6F:9A, OUI type 0x13
(NAN), then NAN attributes ``id (1) | length (u16 LE) | body``. The Service Descriptor
Attribute (id 0x03): service ID (6) = 88:69:19:9D:92:09 (SHA-256 of "org.opendroneid.remoteid"),
instance ID, requestor instance ID, service control; then, per control bits, binding bitmap
(2, bit 6), matching filter (len + data, bit 2), service response filter (len + data, bit 3),
service info (len + data, bit 4) = message counter + message pack.
"""

from __future__ import annotations

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid.dot11 import SUBTYPE_ACTION, Dot11, build_mgmt
from dronewatch.sources.remoteid.messages import decode_pack
from dronewatch.sources.remoteid.received import Received

NAN_OUI = b"\x50\x6f\x9a"
NAN_OUI_TYPE = 0x13
ODID_SERVICE_ID = bytes.fromhex("8869199d9209")
NAN_CLUSTER_DST = bytes.fromhex("516f9a010000")
SDA_ID = 0x03


def _field(data: bytes, pos: int) -> tuple[bytes, int]:
    if pos >= len(data) or pos + 1 + data[pos] > len(data):
        raise DecodeError("truncated NAN attribute", f"at {pos}")
    return data[pos + 1 : pos + 1 + data[pos]], pos + 1 + data[pos]


def decode_sda(body: bytes, mac: str | None) -> Received | None:
    """A Service Descriptor Attribute body; None if it is not the ODID service."""
    if len(body) < 9:
        raise DecodeError("truncated NAN attribute", f"SDA of {len(body)} bytes")
    if body[:6] != ODID_SERVICE_ID:
        return None
    control = body[8]
    pos = 9
    if control & 0x40:
        pos += 2
    if control & 0x04:
        _, pos = _field(body, pos)
    if control & 0x08:
        _, pos = _field(body, pos)
    if not control & 0x10:
        raise DecodeError("NAN without service info", f"control {control:#x}")
    info, pos = _field(body, pos)
    if len(info) < 1:
        raise DecodeError("truncated NAN attribute", "empty service info")
    pack = bytes(info[1:])
    return Received(
        transport="wifi-nan", mac=mac, counter=info[0], messages=tuple(decode_pack(pack)), raw=pack
    )


def decode_nan(mgmt: Dot11) -> list[Received]:
    """Every ODID service in a NAN Service Discovery Frame ([] for other action frames)."""
    if mgmt.subtype != SUBTYPE_ACTION:
        raise DecodeError("not an action frame", f"subtype {mgmt.subtype}")
    b = mgmt.body
    if len(b) < 6 or b[0] != 4 or b[1] != 9 or b[2:5] != NAN_OUI or b[5] != NAN_OUI_TYPE:
        return []
    out: list[Received] = []
    pos = 6
    while pos + 3 <= len(b):
        attr, length = b[pos], int.from_bytes(b[pos + 1 : pos + 3], "little")
        if pos + 3 + length > len(b):
            raise DecodeError("truncated NAN attribute", f"id {attr} len {length} at {pos}")
        if attr == SDA_ID:
            got = decode_sda(b[pos + 3 : pos + 3 + length], mgmt.src_mac)
            if got is not None:
                out.append(got)
        pos += 3 + length
    return out


def encode_nan_frame(pack: bytes, src_mac: bytes, counter: int) -> bytes:
    """A NAN Service Discovery Frame (no radiotap, no FCS) publishing ``pack``."""
    info = bytes([counter & 0xFF]) + pack
    sda = ODID_SERVICE_ID + bytes([1, 0, 0x10, len(info)]) + info
    body = bytes([4, 9]) + NAN_OUI + bytes([NAN_OUI_TYPE, SDA_ID]) + len(sda).to_bytes(2, "little") + sda
    return build_mgmt(SUBTYPE_ACTION, src_mac, NAN_CLUSTER_DST, NAN_CLUSTER_DST, body, seq=counter)
