"""ASTERIX in UDP in a pcap / pcapng (dpkt): each UDP payload with its capture time and
destination. Only moves bytes."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dpkt

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.pcapfile import capture_reader


@dataclass(frozen=True, slots=True)
class Datagram:
    at: float  # capture time, UTC epoch s
    src: str
    dst: str
    dport: int
    payload: bytes


def _ip(buf: bytes, linktype: int) -> dpkt.ip.IP | dpkt.ip6.IP6 | None:
    pkt: object
    if linktype == 1:
        pkt = dpkt.ethernet.Ethernet(buf).data
    elif linktype in (101, 228, 12, 14):
        pkt = dpkt.ip.IP(buf) if buf and buf[0] >> 4 == 4 else dpkt.ip6.IP6(buf)
    elif linktype == 229:
        pkt = dpkt.ip6.IP6(buf)
    elif linktype == 113:
        pkt = dpkt.sll.SLL(buf).data
    elif linktype == 276:
        pkt = dpkt.sll2.SLL2(buf).data
    elif linktype in (0, 108):
        pkt = dpkt.loopback.Loopback(buf).data
    else:
        raise DecodeError("unsupported link type for ASTERIX", f"DLT {linktype}")
    return pkt if isinstance(pkt, dpkt.ip.IP | dpkt.ip6.IP6) else None


def datagrams(path: Path) -> Iterator[Datagram]:
    """Every UDP datagram of the capture (other packets skipped). DecodeError if unreadable."""
    with open(path, "rb") as fh:
        reader = capture_reader(fh, path)
        linktype = reader.datalink()
        try:
            for ts, buf in reader:
                try:
                    ip = _ip(bytes(buf), linktype)
                except (dpkt.dpkt.Error, struct.error, ValueError):
                    continue
                if ip is None or not isinstance(ip.data, dpkt.udp.UDP):
                    continue
                fam = socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
                yield Datagram(float(ts), socket.inet_ntop(fam, ip.src), socket.inet_ntop(fam, ip.dst),
                               ip.data.dport, bytes(ip.data.data))
        except (ValueError, dpkt.dpkt.Error, struct.error) as err:
            raise DecodeError("truncated capture", f"{path.name}: {err}") from None
