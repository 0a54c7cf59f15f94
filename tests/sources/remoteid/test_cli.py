"""``dronewatch decode``: JSON lines per message, a table per aircraft, bad frames on stderr."""

from __future__ import annotations

import io
import json
from pathlib import Path

from dronewatch.sources.remoteid.cli import decode_command


def test_json_lines(captures: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert decode_command(captures / "dji_air3.pcapng", True, out, err) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 27 and [r["type"] for r in rows[:3]] == ["basic_id", "location", "system"]
    assert rows[0]["uas_id"] == "1581F6N8A23B2ML3Y3KR" and rows[0]["frame"] == 1 and rows[0]["counter"] == 34
    assert rows[1]["direction_deg"] is None and rows[1]["geo_alt_m"] == 82.0
    assert "12 frames, 9 with Remote ID/DroneID, 3 without, 0 bad" in err.getvalue()


def test_table_and_bad_frames(captures: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert decode_command(captures / "odid_bt5_lr_sample.pcapng", False, out, err) == 0
    assert "SSEVTFG93700070" in out.getvalue() and "bt5 244" in out.getvalue()
    assert "30 bad" in err.getvalue() and "30 bad CRC" in err.getvalue()


def test_dji_and_unreadable(captures: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert decode_command(captures / "mavic_multiple_spoofed.pcapng", True, out, err) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 77 and {r["type"] for r in rows} == {"dji_telemetry"}
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture at all")
    assert decode_command(junk, False, io.StringIO(), err) == 2
