"""Opens a pcap or pcapng capture with dpkt (shared by the Remote ID and ASTERIX readers)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import dpkt

from dronewatch.sources.errors import DecodeError

PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def capture_reader(fh: BinaryIO, path: Path) -> dpkt.pcap.Reader | dpkt.pcapng.Reader:
    """A dpkt reader for the open capture ``fh`` (pcapng or classic pcap, by its magic);
    DecodeError("unreadable capture") when it is neither."""
    magic = fh.read(4)
    fh.seek(0)
    try:
        return dpkt.pcapng.Reader(fh) if magic == PCAPNG_MAGIC else dpkt.pcap.Reader(fh)
    except (ValueError, dpkt.dpkt.Error, struct.error) as err:
        raise DecodeError("unreadable capture", f"{path.name}: {err}") from None
