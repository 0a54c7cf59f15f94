"""``dronewatch decode FILE`` for ASTERIX: raw data blocks or UDP in a pcap.

``--json``: one object per record: where it was (``frame`` in the capture, ``block``,
``rec``), the capture time ``at`` and the record's values (``fields.py`` names). Otherwise a
table of records per category and SAC/SIC. Bad blocks are counted by reason on stderr.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, TextIO

import msgspec
from rich.console import Console
from rich.table import Table

from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.fields import decode_items
from dronewatch.sources.asterix.pcap import datagrams
from dronewatch.sources.asterix.records import split_records
from dronewatch.sources.asterix.tod import on_receive_date
from dronewatch.sources.errors import DecodeError

_JSON = msgspec.json.Encoder()


def payloads(path: Path, fmt: str) -> list[tuple[int, float | None, bytes, dict[str, Any]]]:
    """(frame number, capture time, bytes, where) per datagram; a raw file is one 'frame' 0."""
    if fmt == "asterix-pcap":
        return [(n, d.at, d.payload, {"dst": d.dst, "dport": d.dport})
                for n, d in enumerate(datagrams(path), start=1)]
    return [(0, None, path.read_bytes(), {})]


def decode_asterix(path: Path, fmt: str, json_out: bool, out: TextIO, err: TextIO) -> int:
    bad: Counter[str] = Counter()
    per: Counter[tuple[int, int, int]] = Counter()
    n_records = 0
    try:
        items = payloads(path, fmt)
    except OSError as e:
        err.write(f"{path}: {e.strerror or e}\n")
        return 2
    except DecodeError as e:
        err.write(f"{path}: {e}\n")
        return 2
    for frame_no, at, data, where in items:
        try:
            for b, (cat, block) in enumerate(split_blocks(data)):
                try:
                    recs = split_records(cat, block)
                except DecodeError as e:
                    bad[e.reason] += 1
                    continue
                for r, raw in enumerate(recs):
                    try:
                        rec = decode_items(cat, raw)
                    except DecodeError as e:
                        bad[e.reason] += 1
                        continue
                    n_records += 1
                    per[(cat, rec.get("sac", -1), rec.get("sic", -1))] += 1
                    if json_out:
                        head: dict[str, Any] = {"frame": frame_no, "block": b, "rec": r, "at": at, **where}
                        if at is not None and "tod" in rec:
                            head["time"] = on_receive_date(rec["tod"], at)
                        out.write(_JSON.encode({**head, **rec}).decode() + "\n")
        except DecodeError as e:
            bad[e.reason] += 1
    if not json_out:
        table = Table(title=f"{path.name} ({fmt})")
        for col in ("category", "SAC/SIC", "records"):
            table.add_column(col)
        for (cat, sac, sic), k in sorted(per.items()):
            table.add_row(f"CAT{cat:03d}", f"{sac}/{sic}", str(k))
        Console(file=out, width=120).print(table)
    err.write(f"{len(items)} datagrams, {n_records} records, {sum(bad.values())} bad\n")
    for reason, k in bad.most_common():
        err.write(f"  bad: {k} {reason}\n")
    return 0
