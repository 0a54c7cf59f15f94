"""Threaded readers hand every frame over in order, bound their backlog, and say why they stopped."""

from __future__ import annotations

import time
from collections.abc import Iterator

from dronewatch.model import Frame
from dronewatch.sources.threaded import ThreadedReader, parse_input


def _frames(n: int) -> Iterator[Frame]:
    for i in range(n):
        yield Frame(sensor_id="rid-9", received_at=float(i), link="odid-pack", data=bytes([i % 256]))


def _wait(reader: ThreadedReader) -> None:
    reader._thread.join(5)
    assert not reader._thread.is_alive()


def test_frames_arrive_in_order_and_once() -> None:
    reader = ThreadedReader("t", lambda: _frames(500)).start()
    _wait(reader)
    got = reader.drain()
    assert [f.received_at for f in got] == [float(i) for i in range(500)]
    assert reader.drain() == []
    assert reader.error is None


def test_backlog_is_bounded_and_drops_oldest() -> None:
    reader = ThreadedReader("t", lambda: _frames(50), max_pending=10).start()
    _wait(reader)
    got = reader.drain()
    assert [f.received_at for f in got] == [float(i) for i in range(40, 50)]
    assert reader.dropped == 40


def test_a_reader_that_cannot_open_says_why() -> None:
    def broken() -> Iterator[Frame]:
        raise PermissionError("Operation not permitted: wlan9mon")
        yield  # pragma: no cover

    reader = ThreadedReader("wifi:wlan9mon", broken).start()
    deadline = time.monotonic() + 5
    while reader.error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reader.error == "PermissionError: Operation not permitted: wlan9mon"


def test_parse_input() -> None:
    assert parse_input("wlan1mon@rid-north", "rid-wifi") == ("wlan1mon", "rid-north")
    assert parse_input("hci0", "rid-bt") == ("hci0", "rid-bt")
