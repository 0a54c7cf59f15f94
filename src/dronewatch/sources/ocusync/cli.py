"""``dronewatch decode`` for IQ recordings: DroneID frames as JSON lines on stdout.

stdout holds only frames (one JSON object per line, or a table without ``--json``); the
summary, counts of what did not decode (by reason) and errors go to stderr. Exit status:
0 the recording was read to its end (with or without frames), 2 it could not be read (missing
or empty file, bad SigMF meta, unsupported data type, rate below 15.36 MS/s).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import msgspec

from dronewatch.sources.ocusync.decoder import OcuSyncDecoder
from dronewatch.sources.ocusync.payload import DroneIdFrame, device_type
from dronewatch.sources.ocusync.recording import RecordingError, open_recording

_JSON = msgspec.json.Encoder()
NOT_DECODED = ("no_sync", "crc_fail", "not_a_telemetry_message", "bad_payload_length", "truncated_payload")


def _line(f: DroneIdFrame) -> str:
    t = f.telemetry
    where = "no fix" if t.lat is None or t.lon is None else f"{t.lat:.6f},{t.lon:.6f}"
    return (
        f"{f.time_s:10.6f}s  {t.serial:<16} seq {t.sequence:<5} {where}  h {t.height_m:g}  "
        f"{device_type(t.product_type)}  {f.freq_offset_hz / 1e6:+.3f} MHz  {f.snr_db:.0f} dB"
    )


def decode_command(
    path: Path, rate: float | None, fmt: str | None, json_out: bool, out: TextIO, err: TextIO
) -> int:
    try:
        rec = open_recording(path, rate, fmt)
        dec = OcuSyncDecoder(rec.rate)
    except (RecordingError, ValueError) as e:
        err.write(f"error: {e}\n")
        return 2
    frames = 0
    try:
        chunks = rec.chunks()
        chunk = next(chunks, None)
        while chunk is not None:
            after = next(chunks, None)
            for f in dec.feed(chunk, final=after is None):
                frames += 1
                out.write((_JSON.encode(f.to_json()).decode() if json_out else _line(f)) + "\n")
            chunk = after
    except RecordingError as e:
        err.write(f"error: {e}\n")
        return 2
    c = dec.counts
    if rec.trailing_bytes:
        err.write(f"{rec.data}: ends in a partial sample ({rec.trailing_bytes} bytes ignored)\n")
    err.write(
        f"{c['samples']} samples ({c['samples'] / rec.rate:.4f} s at {rec.rate / 1e6:g} MS/s): "
        f"{c['candidates']} candidates, {c['bursts']} bursts, {frames} DroneID frames\n"
    )
    failed = {k: v for k, v in c.items() if k in NOT_DECODED and v}
    if failed:
        err.write("  not decoded: " + ", ".join(f"{k} {v}" for k, v in sorted(failed.items())) + "\n")
    if c["checksum_mismatch"]:
        err.write(f"  frames whose payload checksum differs (CRC-24 passed): {c['checksum_mismatch']}\n")
    return 0
