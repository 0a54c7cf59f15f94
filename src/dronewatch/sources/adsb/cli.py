"""``dronewatch decode FILE`` for ADS-B recordings: Beast, SBS-1, Mode S hex, aircraft.json.

``--json``: one object per message (Beast / hex: rs1090's fields plus the position when the
message completes one; SBS: the line's fields; aircraft.json: one per aircraft). Otherwise a
table per aircraft. Bad records are counted by reason on stderr; the exit status is 0 unless
the file cannot be read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

import msgspec
from rich.console import Console
from rich.table import Table

from dronewatch.sources.adsb import aircraft_json, sbs
from dronewatch.sources.adsb.beast import parse_unescaped
from dronewatch.sources.adsb.decoder import parse_hex_line
from dronewatch.sources.adsb.files import records
from dronewatch.sources.adsb.modes import AircraftBook, ModeSDecoder
from dronewatch.sources.errors import DecodeError

_JSON = msgspec.json.Encoder()


class _Summary:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def see(self, icao: str, **fields: Any) -> dict[str, Any]:
        row = self.rows.setdefault(icao, {"icao": icao, "callsign": None, "squawk": None, "messages": 0,
                                          "positions": 0, "last": None})
        row["messages"] += 1
        for k, v in fields.items():
            if v is not None:
                row[k] = v
        return row


def _table(summary: _Summary, title: str) -> Table:
    table = Table(title=title)
    for col in ("ICAO", "call sign", "squawk", "messages", "positions", "last position"):
        table.add_column(col)
    for row in sorted(summary.rows.values(), key=lambda r: -r["messages"]):
        last = row["last"]
        pos = "-" if last is None else f"{last[0]:.5f}, {last[1]:.5f}" + (
            f", {last[2]:.0f} ft" if last[2] is not None else "")
        table.add_row(row["icao"], row["callsign"] or "-", row["squawk"] or "-", str(row["messages"]),
                      str(row["positions"]), pos)
    return table


def decode_adsb(path: Path, fmt: str, json_out: bool, out: TextIO, err: TextIO) -> int:
    """Decode an ADS-B recording of format ``fmt``; print JSON lines or a table."""
    bad: Counter[str] = Counter()
    summary = _Summary()
    n = 0

    def emit(obj: dict[str, Any]) -> None:
        if json_out:
            out.write(_JSON.encode(obj).decode() + "\n")

    try:
        recs = list(records(path, fmt))
    except OSError as e:
        err.write(f"{path}: {e.strerror or e}\n")
        return 2
    modes, book = ModeSDecoder(), AircraftBook()
    for i, (t, _wire, data) in enumerate(recs, start=1):
        try:
            if fmt in ("beast", "modes-hex"):
                if fmt == "beast":
                    bf = parse_unescaped(data)
                    if bf.kind == 0x31:
                        n += 1
                        emit({"n": i, "t": t, "kind": "mode-ac", "hex": bf.payload.hex().upper(),
                              "signal": bf.signal})
                        continue
                    payload = bf.payload
                else:
                    payload = parse_hex_line(data)
                msg = modes.decode(payload)
                if msg is None:
                    raise DecodeError("Mode S not decodable (CRC or format)", payload.hex())
                n += 1
                fix = book.ingest(msg, payload.hex(), t if t is not None else float(i))
                obj: dict[str, Any] = {"n": i, "t": t, "kind": "mode-s", "hex": payload.hex().upper(), **msg}
                icao = str(msg.get("icao24", "")).upper()
                ac = book.aircraft.get(icao)
                if ac is not None:
                    row = summary.see(icao, callsign=ac.callsign, squawk=ac.squawk)
                    if fix is not None:
                        row["positions"] += 1
                        row["last"] = (fix.lat, fix.lon, fix.alt_baro_ft)
                if fix is not None:
                    obj["position"] = {"lat": fix.lat, "lon": fix.lon, "alt_baro_ft": fix.alt_baro_ft,
                                       "alt_wgs84_m": fix.alt_m, "method": fix.method}
                emit(obj)
            elif fmt == "sbs":
                m = sbs.parse_line(data)
                if m is None:
                    continue
                n += 1
                row = summary.see(m.icao, callsign=m.callsign, squawk=m.squawk)
                if m.lat is not None:
                    row["positions"] += 1
                    row["last"] = (m.lat, m.lon, m.altitude_ft)
                emit({"n": i, **asdict(m)})
            elif fmt == "aircraft-json":
                now, states = aircraft_json.parse(data)
                for s in states:
                    n += 1
                    row = summary.see(s.icao, callsign=s.callsign, squawk=s.squawk)
                    if s.lat is not None:
                        row["positions"] += 1
                        row["last"] = (s.lat, s.lon, s.alt_baro_ft)
                    emit({"now": now, **aircraft_json.as_dict(s)})
        except (DecodeError, ValueError) as e:
            bad[getattr(e, "reason", None) or str(e)] += 1
    if not json_out:
        Console(file=out, width=200).print(_table(summary, f"{path.name} ({fmt})"))
    err.write(f"{len(recs)} records ({fmt}), {n} decoded, {sum(bad.values())} bad, {len(summary.rows)} aircraft\n")
    for reason, count in bad.most_common():
        err.write(f"  bad records: {count} {reason}\n")
    return 0
