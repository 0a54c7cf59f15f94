"""UDP reader: each datagram becomes a Frame of a fixed link type. Moves bytes only."""

from __future__ import annotations

import asyncio
import time

from dronewatch.model import Frame


class UdpFrames(asyncio.DatagramProtocol):
    """Collects datagrams as Frames until ``drain()`` takes them."""

    def __init__(self, sensor_id: str, link: str, max_pending: int = 100_000) -> None:
        self.sensor_id = sensor_id
        self.link = link
        self.max_pending = max_pending
        self.dropped = 0
        self._pending: list[Frame] = []

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if len(self._pending) >= self.max_pending:
            self.dropped += 1
            return
        self._pending.append(Frame(sensor_id=self.sensor_id, received_at=time.time(), link=self.link, data=data))

    def drain(self) -> list[Frame]:
        frames, self._pending = self._pending, []
        return frames


async def listen(host: str, port: int, sensor_id: str, link: str) -> tuple[asyncio.DatagramTransport, UdpFrames]:
    """Bind a UDP socket and return (transport, protocol)."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: UdpFrames(sensor_id, link), local_addr=(host, port)
    )
    return transport, protocol
