"""pcap / pcapng files -> ``Frame``s (dpkt, BSD-3). Only moves bytes; decoding is elsewhere.

Link types: 127 radiotap -> ``odid-wifi-radiotap``; 105 plain 802.11 -> ``odid-wifi-beacon``;
272 nRF Sniffer -> ``odid-ble-nordic``; 256 BLE LL with pseudo-header -> ``odid-ble-ll-phdr``;
251 BLE LL -> ``odid-ble-ll``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import dpkt

from dronewatch.model import Frame
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.pcapfile import capture_reader

LINKTYPES = {
    127: "odid-wifi-radiotap",
    105: "odid-wifi-beacon",
    272: "odid-ble-nordic",
    256: "odid-ble-ll-phdr",
    251: "odid-ble-ll",
}


def frames(path: Path, sensor_id: str | None = None) -> Iterator[Frame]:
    """Every record of a pcap or pcapng file as a Frame (received_at = capture time).

    Raises DecodeError for an unreadable file or an unsupported link type."""
    sid = sensor_id or f"pcap:{path.name}"
    with open(path, "rb") as fh:
        reader = capture_reader(fh, path)
        link = LINKTYPES.get(reader.datalink())
        if link is None:
            raise DecodeError("unsupported link type", f"{path.name}: DLT {reader.datalink()}")
        try:
            for ts, buf in reader:
                yield Frame(sensor_id=sid, received_at=float(ts), link=link, data=bytes(buf))
        except (ValueError, dpkt.dpkt.Error, struct.error) as err:
            raise DecodeError("truncated capture", f"{path.name}: {err}") from None
