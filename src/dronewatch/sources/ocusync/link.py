"""Link ``dji-ocusync``: a decoded DroneID block (176 bytes, CRC-24A last) -> Report. Pure.

What the live and recording readers (``live.py``) and the simulator put in a ``Frame``: the
block as the turbo decoder gave it, so the evidence store keeps bytes whose CRC still checks.
The Report is the same as for Wi-Fi DroneID (``sensor_kind`` "dji", identity scheme "dji"), so
one drone heard on both links is one identity to the tracker and every rule.
"""

from __future__ import annotations

import hashlib

from dronewatch.model import Frame, Report
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.frames import register
from dronewatch.sources.ocusync.lte import crc24a
from dronewatch.sources.ocusync.payload import FRAME_BYTES, parse_payload
from dronewatch.sources.remoteid.reports import dji_report

LINK = "dji-ocusync"


@register(LINK)
def decode_block(frame: Frame) -> list[Report]:
    data = bytes(frame.data)
    if len(data) != FRAME_BYTES + 3:
        raise DecodeError("bad DroneID block length", f"{len(data)} bytes, expected {FRAME_BYTES + 3}")
    if crc24a(data) != 0:
        raise DecodeError("DroneID block CRC-24 mismatch", data[:4].hex())
    telemetry, _, checksum_ok = parse_payload(data[:FRAME_BYTES])
    if not checksum_ok:
        raise DecodeError("DroneID payload checksum mismatch", f"sequence {telemetry.sequence}")
    digest = hashlib.sha256(data).hexdigest()
    rep = dji_report(
        report_id=f"{frame.sensor_id}:dji:{telemetry.serial}:{telemetry.sequence}:{int(frame.received_at * 1e3)}",
        sensor_id=frame.sensor_id,
        received_at=frame.received_at,
        t=telemetry,
        raw_sha256=digest,
    )
    return [rep] if rep is not None else []
