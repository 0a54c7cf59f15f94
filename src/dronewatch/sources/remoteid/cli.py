"""``dronewatch decode FILE``: decode a capture, print messages (JSON lines) or a table per aircraft."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TextIO

import msgspec
from rich.console import Console
from rich.table import Table

from dronewatch.sources.dji.droneid_wifi import DjiReceived
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import pcap
from dronewatch.sources.remoteid.assemble import Aggregator, Aircraft
from dronewatch.sources.remoteid.links import decode_link

_JSON = msgspec.json.Encoder()


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _name(ac: Aircraft) -> str:
    ident = ac.identity
    if ident is not None:
        return f"{ident.value} ({ident.scheme})"
    return "mac " + ", ".join(sorted(ac.macs)) if ac.macs else f"aircraft {ac.key}"


def _table(agg: Aggregator) -> Table:
    table = Table(title="Remote ID aircraft")
    for col in ("aircraft", "transports", "first seen", "last seen", "messages", "max height", "operator"):
        table.add_column(col)
    for ac in sorted(agg.aircraft.values(), key=lambda a: a.first_seen_at):
        op = "-"
        if ac.system is not None and ac.system.operator_lat is not None:
            op = f"{ac.system.operator_lat:.7f}, {ac.system.operator_lon:.7f}"
        elif ac.dji is not None and ac.dji.pilot_lat is not None:
            op = f"{ac.dji.pilot_lat:.6f}, {ac.dji.pilot_lon:.6f}"
        counts = ", ".join(f"{k} {v}" for k, v in sorted(ac.counts.items()))
        if ac.duplicates:
            counts += f", duplicates {ac.duplicates}"
        height = "-" if ac.max_height_m is None else f"{ac.max_height_m:.1f} m"
        table.add_row(
            _name(ac),
            ", ".join(f"{k} {v}" for k, v in sorted(ac.transports.items())),
            _iso(ac.first_seen_at),
            _iso(ac.last_seen_at),
            counts,
            height,
            op,
        )
    return table


def decode_command(path: Path, json_out: bool, out: TextIO, err: TextIO) -> int:
    """Decode every frame of a pcap/pcapng capture. Returns the exit status: 0, even with bad
    frames (their count and reasons go to ``err``); 2 if the file cannot be read at all."""
    agg = Aggregator(forget_s=float("inf"))
    bad: Counter[str] = Counter()
    frames = without = 0
    try:
        for n, frame in enumerate(pcap.frames(path), start=1):
            frames += 1
            try:
                decoded = decode_link(frame.link, frame.data)
            except DecodeError as e:
                bad[e.reason] += 1
                continue
            if not decoded:
                without += 1
            for item in decoded:
                if isinstance(item, DjiReceived):
                    agg.ingest_dji(frame.sensor_id, item, frame.received_at)
                    records: list[object] = [item.record]
                    head = {"frame": n, "at": frame.received_at, "transport": "dji-wifi", "mac": item.mac}
                else:
                    agg.ingest(frame.sensor_id, item, frame.received_at)
                    records = list(item.messages)
                    head = {
                        "frame": n,
                        "at": frame.received_at,
                        "transport": item.transport,
                        "mac": item.mac,
                        "counter": item.counter,
                    }
                if json_out:
                    for rec in records:
                        body = msgspec.to_builtins(rec, enc_hook=repr)
                        out.write(_JSON.encode({**head, **body}).decode() + "\n")
    except DecodeError as e:
        err.write(f"{path}: {e}\n")
        return 2
    except OSError as e:
        err.write(f"{path}: {e.strerror or e}\n")
        return 2
    if not json_out:
        Console(file=out, width=200).print(_table(agg))
    err.write(
        f"{frames} frames, {frames - without - sum(bad.values())} with Remote ID/DroneID, "
        f"{without} without, {sum(bad.values())} bad\n"
    )
    for reason, count in bad.most_common():
        err.write(f"  bad frames: {count} {reason}\n")
    return 0
