"""DroneID telemetry -> the 176-byte block a burst carries (payload, CRC-16, padding, CRC-24A).

The inverse of ``payload.parse_payload`` plus the CRC-24A the decoder checks: what the
simulator's RF receiver model puts in its frames, and what tests build blocks from. Pure.
"""

from __future__ import annotations

from dronewatch.sources.dji.droneid_wifi import DjiTelemetry, encode_telemetry_ie
from dronewatch.sources.ocusync.lte import crc24a
from dronewatch.sources.ocusync.payload import FRAME_BYTES, crc16

BLOCK_BYTES = FRAME_BYTES + 3


def payload_bytes(t: DjiTelemetry) -> bytes:
    """Length, message type 0x10, the version-2 record, CRC-16 (91 bytes)."""
    ie = encode_telemetry_ie(t)
    body = ie[2 + 6 :]  # after DD len and the 6-byte DJI prefix: type + record
    head = bytes([len(body)]) + body
    return head + crc16(head).to_bytes(2, "little")


def block_bytes(t: DjiTelemetry) -> bytes:
    """The whole decoded block: payload, zero padding to 173 bytes, CRC-24A (big-endian)."""
    frame = payload_bytes(t).ljust(FRAME_BYTES, b"\0")
    return frame + crc24a(frame).to_bytes(3, "big")
