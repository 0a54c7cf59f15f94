"""Recorded ADS-B files -> timed records, for ``dronewatch decode`` and ``dronewatch replay``.

Formats: ``beast`` (a Beast byte stream as ``nc host 30005 > file`` saves it), ``sbs`` (SBS-1
lines), ``modes-hex`` (one Mode S message per line: AVR ``*...;``, bare hex, or CSV rows whose
hex field is quoted, with an optional leading epoch time) and ``aircraft-json``.
Each record is ``(t, wire_bytes, link_bytes)``: ``t`` seconds on the recording's own clock
(Beast: the 12 MHz counter; may run backwards in a merged recording), the bytes as a server
sends them, and the bytes a Frame of the matching link carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from dronewatch.sources.adsb import sbs
from dronewatch.sources.adsb.beast import BeastSplitter, escape
from dronewatch.sources.errors import DecodeError

Record = tuple[float | None, bytes, bytes]
_HEX_FIELD = re.compile(rb"^\s*(?:(\d+(?:\.\d+)?)\s*,)?\s*\"?[*@]?([0-9A-Fa-f]{14}|[0-9A-Fa-f]{28})\b")


def sniff(head: bytes) -> str | None:
    """The ADS-B format of a file from its first bytes, or None."""
    if len(head) >= 2 and head[0] == 0x1A and head[1] in (0x31, 0x32, 0x33, 0x34):
        return "beast"
    text = head.lstrip()
    if text[:1] == b"{":
        return "aircraft-json"
    first = text.split(b"\n", 1)[0]
    if first.split(b",", 1)[0] in (b"MSG", b"SEL", b"ID", b"AIR", b"STA", b"CLK"):
        return "sbs"
    if first.startswith((b"*", b"@")) or _HEX_FIELD.match(first):
        return "modes-hex"
    return None


def records(path: Path, fmt: str) -> Iterator[Record]:
    """The file's records in file order. Raises OSError; bad records are yielded as-is for the
    decoder to count, except unparseable hex lines, which raise DecodeError per line."""
    data = path.read_bytes()
    if fmt == "beast":
        splitter = BeastSplitter()
        for f in splitter.feed(data):
            yield f.seconds, escape(f), f.to_bytes()
        return
    if fmt == "aircraft-json":
        yield None, data, data
        return
    for line in data.splitlines():
        if not line.strip():
            continue
        if fmt == "sbs":
            t: float | None = None
            try:
                m = sbs.parse_line(line)
                t = m.generated_at if m is not None else None
            except DecodeError:
                pass
            yield t, line + b"\r\n", line
        elif fmt == "modes-hex":
            m2 = _HEX_FIELD.match(line)
            if m2 is None:
                yield None, line + b"\n", line
                continue
            t = float(m2.group(1)) if m2.group(1) else None
            hexmsg = m2.group(2).upper()
            yield t, b"*" + hexmsg + b";\n", hexmsg
        else:
            raise ValueError(f"not an ADS-B format: {fmt}")
