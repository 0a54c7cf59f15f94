"""``dronewatch replay FILE --to udp://HOST:PORT | tcp-listen:PORT``: send a recording with its
original timing (``--speed N`` for N times faster), for tests and demos.

UDP sends one datagram per record (an ASTERIX datagram, a Beast frame, an SBS line).
``tcp-listen`` serves the stream as readsb does on 30003/30005: it waits for the first client,
then sends to every connected client. Records without a time are sent back to back. A
recording whose clock runs backwards (merged receivers) is sent in file order, late records at
once.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from dronewatch.sources.recorded import detect

Timed = tuple[float | None, bytes]


def wire_records(path: Path, fmt: str) -> Iterator[Timed]:
    """(time, bytes as a server sends them) for each record of a recording."""
    if fmt in ("beast", "sbs", "modes-hex"):
        from dronewatch.sources.adsb.files import records

        for t, wire, _ in records(path, fmt):
            yield t, wire
        return
    if fmt == "asterix-pcap":
        from dronewatch.sources.asterix.pcap import datagrams

        for d in datagrams(path):
            yield d.at, d.payload
        return
    if fmt == "asterix":
        from dronewatch.sources.asterix.blocks import split_blocks

        for _cat, block in split_blocks(path.read_bytes()):
            yield None, block
        return
    raise ValueError(f"cannot replay format {fmt!r}")


class _Pacer:
    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.t0: float | None = None
        self.wall0 = 0.0

    async def wait(self, t: float | None) -> None:
        if t is None or self.speed <= 0:
            return
        if self.t0 is None:
            self.t0, self.wall0 = t, time.monotonic()
            return
        delay = self.wall0 + (t - self.t0) / self.speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


def parse_target(to: str) -> tuple[str, str, int]:
    """``udp://HOST:PORT`` / ``tcp-listen:PORT`` / ``tcp-listen://HOST:PORT`` -> (kind, host, port)."""
    if to.startswith("udp://"):
        host, _, port = to[6:].rpartition(":")
        return "udp", host.strip("[]") or "127.0.0.1", int(port)
    if to.startswith("tcp-listen:"):
        rest = to.removeprefix("tcp-listen:").removeprefix("//")
        host, _, port = rest.rpartition(":")
        return "tcp-listen", host.strip("[]") or "127.0.0.1", int(port)
    raise ValueError(f"--to must be udp://HOST:PORT or tcp-listen:PORT, got {to!r}")


async def replay_udp(records: list[Timed], host: str, port: int, speed: float) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)  # never beyond this host's link
    pacer = _Pacer(speed)
    sent = 0
    try:
        for t, data in records:
            await pacer.wait(t)
            sock.sendto(data, (host, port))
            sent += 1
    finally:
        sock.close()
    return sent


async def replay_tcp_listen(records: list[Timed], host: str, port: int, speed: float,
                            ready: asyncio.Event | None = None) -> int:
    clients: set[asyncio.StreamWriter] = set()
    first = asyncio.Event()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        clients.add(writer)
        first.set()

    server = await asyncio.start_server(on_client, host, port)
    if ready is not None:
        ready.set()
    sent = 0
    async with server:
        await first.wait()
        pacer = _Pacer(speed)
        for t, data in records:
            await pacer.wait(t)
            for w in list(clients):
                if w.is_closing():
                    clients.discard(w)
                    continue
                w.write(data)
            sent += 1
            if sent % 256 == 0:
                await asyncio.gather(*(w.drain() for w in clients if not w.is_closing()), return_exceptions=True)
        await asyncio.gather(*(w.drain() for w in clients if not w.is_closing()), return_exceptions=True)
        for w in clients:
            w.close()
    return sent


def replay_command(path: Path, to: str, speed: float, fmt: str, loop: bool, err: TextIO) -> int:
    try:
        kind, host, port = parse_target(to)
        if fmt == "auto":
            fmt = detect(path)
        records = list(wire_records(path, fmt))
    except (ValueError, OSError) as e:
        err.write(f"error: {e}\n")
        return 2
    err.write(f"{path}: {len(records)} {fmt} records -> {to} at {speed}x\n")
    try:
        while True:
            if kind == "udp":
                sent = asyncio.run(replay_udp(records, host, port, speed))
            else:
                sent = asyncio.run(replay_tcp_listen(records, host, port, speed))
            err.write(f"sent {sent} records\n")
            if not loop:
                return 0
    except KeyboardInterrupt:
        return 0
    except OSError as e:
        err.write(f"error: {e}\n")
        return 2
