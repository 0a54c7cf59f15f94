"""Recorded files of any feed dronewatch reads: which format a file is, and ``decode`` for it.

Formats: ``remoteid`` (Wi-Fi / Bluetooth pcap or pcapng), ``asterix`` (raw data blocks),
``asterix-pcap`` (ASTERIX in UDP in a pcap), ``beast``, ``sbs``, ``modes-hex``,
``aircraft-json``. ``detect`` looks at the first bytes (and a pcap's link type).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from dronewatch.sources.adsb.files import sniff as sniff_adsb

FORMATS = ("auto", "remoteid", "asterix", "asterix-pcap", "beast", "sbs", "modes-hex", "aircraft-json")
_PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
#: pcap link types that carry IP (Ethernet, raw IP, Linux cooked v1/v2, loopback): ASTERIX over UDP.
_IP_LINKTYPES = {0, 1, 101, 108, 113, 228, 229, 276}


def _pcap_linktype(head: bytes) -> int | None:
    order = _PCAP_MAGICS.get(head[:4])
    if order is not None and len(head) >= 24:
        return int.from_bytes(head[20:24], "little" if order == "<" else "big")
    if head[:4] == b"\x0a\x0d\x0d\x0a" and len(head) >= 28:  # pcapng: first IDB follows the SHB
        bom = head[8:12]
        little = bom == b"\x4d\x3c\x2b\x1a"
        shb_len = int.from_bytes(head[4:8], "little" if little else "big")
        idb = head[shb_len : shb_len + 12]
        if len(idb) >= 10:
            return int.from_bytes(idb[8:10], "little" if little else "big")
    return None


def detect(path: Path) -> str:
    """The format of a recorded file; ValueError if none fits."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head[:4] in _PCAP_MAGICS or head[:4] == b"\x0a\x0d\x0d\x0a":
        lt = _pcap_linktype(head)
        return "asterix-pcap" if lt in _IP_LINKTYPES else "remoteid"
    fmt = sniff_adsb(head)
    if fmt is not None:
        return fmt
    from dronewatch.sources.asterix.blocks import looks_like_asterix

    if looks_like_asterix(head):
        return "asterix"
    raise ValueError(f"{path}: not a format dronewatch knows (give --format: {', '.join(FORMATS[1:])})")


def decode_file(path: Path, fmt: str, json_out: bool, out: TextIO, err: TextIO) -> int:
    """``dronewatch decode``: exit status 0 (bad records are counted on ``err``), 2 if unreadable."""
    if fmt == "auto":
        try:
            fmt = detect(path)
        except OSError as e:
            err.write(f"{path}: {e.strerror or e}\n")
            return 2
        except ValueError as e:
            err.write(f"{e}\n")
            return 2
    if fmt == "remoteid":
        from dronewatch.sources.remoteid.cli import decode_command

        return decode_command(path, json_out, out, err)
    if fmt in ("asterix", "asterix-pcap"):
        from dronewatch.sources.asterix.cli import decode_asterix

        return decode_asterix(path, fmt, json_out, out, err)
    if fmt in ("beast", "sbs", "modes-hex", "aircraft-json"):
        from dronewatch.sources.adsb.cli import decode_adsb

        return decode_adsb(path, fmt, json_out, out, err)
    err.write(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})\n")
    return 2
