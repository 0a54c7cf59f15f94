"""Live ASTERIX over UDP (unicast or multicast): each datagram becomes a Frame of link
``asterix``; CAT034 / CAT065 records also update the sensor health shown in /api/health.
Moves bytes (and reads status); plots are decoded in the pipeline."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import time
from typing import Any

from dronewatch.model import Frame
from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.decoder import LINK
from dronewatch.sources.asterix.fields import decode_items
from dronewatch.sources.asterix.health import HealthBook
from dronewatch.sources.asterix.records import split_records
from dronewatch.sources.errors import DecodeError


def open_udp_socket(host: str, port: int, interface: str = "0.0.0.0") -> socket.socket:
    """A bound UDP socket; joins ``host`` as a multicast group when it is one."""
    addr = ipaddress.ip_address(host) if host else ipaddress.ip_address("0.0.0.0")
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if addr.is_multicast:
        sock.bind(("", port))
        if family == socket.AF_INET:
            mreq = struct.pack("4s4s", socket.inet_aton(host), socket.inet_aton(interface))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        else:
            mreq6 = socket.inet_pton(socket.AF_INET6, host) + struct.pack("@I", 0)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6)
    else:
        sock.bind((host, port))
    sock.setblocking(False)
    return sock


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, feed: AsterixUdpFeed) -> None:
        self.feed = feed

    def datagram_received(self, data: bytes, addr: tuple[str | Any, ...]) -> None:
        self.feed.received(data, time.time())


class AsterixUdpFeed:
    """An ASTERIX UDP input: Frames out, sensor health kept."""

    def __init__(self, name: str, host: str, port: int, sensor_id: str, max_pending: int = 100_000) -> None:
        self.name = name
        self.host, self.port = host, port
        self.sensor_id = sensor_id
        self.max_pending = max_pending
        self.health = HealthBook()
        self._pending: list[Frame] = []
        self.frames = self.dropped = 0
        self.bad: dict[str, int] = {}
        self.last_error: str | None = None
        self.last_data_at: float | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._task: asyncio.Task[None] | None = None

    def received(self, data: bytes, at: float) -> None:
        if len(self._pending) >= self.max_pending:
            self.dropped += 1
            return
        self._pending.append(Frame(sensor_id=self.sensor_id, received_at=at, link=LINK, data=data))
        self.frames += 1
        self.last_data_at = at
        try:
            for cat, block in split_blocks(data):
                if cat in (34, 65):
                    for items in split_records(cat, block):
                        self.health.update(decode_items(cat, items), at)
        except DecodeError as err:  # the pipeline counts it too, with the plots
            self.bad[err.reason] = self.bad.get(err.reason, 0) + 1

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            sock = open_udp_socket(self.host, self.port)
        except OSError as err:
            self.last_error = f"bind {self.host}:{self.port}: {err.strerror or err}"
            raise
        self._transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sock)
        await asyncio.Event().wait()  # runs until cancelled

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name=f"feed-{self.name}")
        return self._task

    def drain(self) -> list[Frame]:
        frames, self._pending = self._pending, []
        return frames

    def status(self) -> dict[str, Any]:
        now = time.time()
        return {"name": self.name, "link": LINK, "url": f"udp://{self.host}:{self.port}",
                "connected": self._transport is not None and self.last_error is None, "frames": self.frames,
                "dropped": self.dropped, "bad": dict(self.bad), "last_error": self.last_error,
                "last_data_at": self.last_data_at, "sensors": self.health.snapshot(now)}
