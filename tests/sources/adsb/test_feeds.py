"""Live ADS-B feeds over real sockets on 127.0.0.1: a feed cut mid-message reconnects."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dronewatch.model import Frame
from dronewatch.sources.adsb.beast import BeastFrame, BeastSplitter, escape, parse_unescaped
from dronewatch.sources.adsb.decoder import AdsbDecoder
from dronewatch.sources.feeds import LineSplitter, PollFeed, TcpFeed

FRAMES = [BeastFrame(0x33, 1000 + i, 40, bytes.fromhex("8D71BE3458B50728B527A72393C8")) for i in range(3)]


def test_feed_cut_mid_message_reconnects() -> None:
    async def run() -> tuple[TcpFeed, list[BeastFrame]]:
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            wire = escape(FRAMES[0]) + escape(FRAMES[1])
            if connections == 1:
                writer.write(wire[: len(escape(FRAMES[0])) + 9])  # one whole frame, then half of one
            else:
                writer.write(escape(FRAMES[2]))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        feed = TcpFeed("beast", "127.0.0.1", port, "adsb-1", "beast", BeastSplitter,
                       transform=lambda f: f.to_bytes(), backoff_s=0.05, max_backoff_s=0.1)
        task = feed.start()
        got: list[BeastFrame] = []
        for _ in range(100):
            await asyncio.sleep(0.05)
            got += [parse_unescaped(f.data) for f in feed.drain()]
            if len(got) >= 2 and feed.connects >= 2:
                break
        task.cancel()
        server.close()
        return feed, got

    feed, got = asyncio.run(run())
    assert got[:2] == [FRAMES[0], FRAMES[2]]  # the cut frame is dropped, nothing is garbled
    assert feed.connects >= 2 and feed.cut_messages >= 1 and feed.disconnects >= 1
    status = feed.status()
    assert status["frames"] >= 2 and status["last_error"] == "closed by peer"


def test_feed_retries_until_the_server_appears() -> None:
    async def run() -> TcpFeed:
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        feed = TcpFeed("sbs", "127.0.0.1", port, "adsb-1", "sbs", LineSplitter, backoff_s=0.05, max_backoff_s=0.2)
        task = feed.start()
        await asyncio.sleep(0.3)
        assert not feed.connected and feed.last_error and feed.last_error.startswith("connect")

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"MSG,8,1,1,400159,1,,,,,,,,,,,,,,,,\r\nMSG,8,1,1,")
            await writer.drain()
            await asyncio.sleep(1)
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", port)
        for _ in range(60):
            await asyncio.sleep(0.05)
            if feed.frames:
                break
        task.cancel()
        server.close()
        return feed

    feed = asyncio.run(run())
    assert feed.connects == 1 and feed.frames == 1
    assert feed.drain()[0].data == b"MSG,8,1,1,400159,1,,,,,,,,,,,,,,,,"


def test_aircraft_json_poll_feed(tmp_path: Path, adsb_dir: Path) -> None:
    """A polled aircraft.json file: a missing file is counted and retried; once it is there,
    each poll is a frame, and the same positions polled again add no reports."""
    target = tmp_path / "aircraft.json"

    async def run() -> tuple[PollFeed, list[Frame]]:
        feed = PollFeed("aj", str(target), "adsb-1", "aircraft-json", every_s=0.05)
        task = feed.start()
        await asyncio.sleep(0.2)
        assert feed.failures >= 1 and feed.last_error and "FileNotFoundError" in feed.last_error
        target.write_bytes((adsb_dir / "aircraft_ably-labs_2022-05-18.json").read_bytes())
        frames: list[Frame] = []
        for _ in range(40):
            await asyncio.sleep(0.05)
            frames += feed.drain()
            if len(frames) >= 3:
                break
        task.cancel()
        return feed, frames

    feed, frames = asyncio.run(run())
    assert len(frames) >= 3 and all(f.link == "aircraft-json" for f in frames)
    decoder = AdsbDecoder()
    first, again = decoder(frames[0]), decoder(frames[1])
    assert len(first) >= 40 and again == []
    assert feed.status()["polls"] >= 3
