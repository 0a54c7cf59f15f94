"""Network feeds for live inputs: each runs as an asyncio task, turns bytes into Frames and
hands them over through ``drain()``; ``status()`` says how it is doing (for /api/health).

* ``TcpFeed``   connects to a server (readsb Beast / SBS, a radar's TCP port), splits the byte
  stream into messages, and reconnects with exponential backoff (``backoff_s`` .. ``max_backoff_s``)
  when the connection drops or cannot be made. A message cut by a disconnect is dropped and
  counted; the next connection starts clean.
* ``PollFeed``  fetches a document (aircraft.json over http(s), or a file) every ``every_s``.

Moves bytes only; decoding happens in the pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from dronewatch.model import Frame

log = logging.getLogger(__name__)

#: Splits a byte stream: fed chunks, returns the whole messages they complete. ``pending``
#: tells how many bytes of an unfinished message it holds.
Splitter = Callable[[bytes], list[bytes]]


class Feed(Protocol):
    name: str

    def start(self) -> asyncio.Task[None]: ...

    def drain(self) -> list[Frame]: ...

    def status(self) -> dict[str, Any]: ...


class _Base:
    def __init__(self, name: str, sensor_id: str, link: str, max_pending: int = 100_000) -> None:
        self.name = name
        self.sensor_id = sensor_id
        self.link = link
        self.max_pending = max_pending
        self._pending: list[Frame] = []
        self.frames = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.last_data_at: float | None = None
        self._task: asyncio.Task[None] | None = None

    def _emit(self, data: bytes, at: float) -> None:
        if len(self._pending) >= self.max_pending:
            self.dropped += 1
            return
        self._pending.append(Frame(sensor_id=self.sensor_id, received_at=at, link=self.link, data=data))
        self.frames += 1
        self.last_data_at = at

    def drain(self) -> list[Frame]:
        frames, self._pending = self._pending, []
        return frames

    async def run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name=f"feed-{self.name}")
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


class TcpFeed(_Base):
    """A TCP client feed with reconnect and backoff."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        sensor_id: str,
        link: str,
        make_splitter: Callable[[], Any],
        *,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        idle_timeout_s: float | None = None,
        transform: Callable[[Any], bytes] | None = None,
    ) -> None:
        super().__init__(name, sensor_id, link)
        self.host, self.port = host, port
        self.make_splitter = make_splitter
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.idle_timeout_s = idle_timeout_s
        self.transform = transform
        self.connected = False
        self.connects = 0
        self.disconnects = 0
        self.cut_messages = 0
        self.skipped: dict[str, int] = {}

    async def run(self) -> None:
        delay = self.backoff_s
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError as err:
                self.last_error = f"connect: {err.strerror or err}"
                log.warning("feed %s: cannot connect to %s:%d (%s); retry in %.1f s",
                            self.name, self.host, self.port, self.last_error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff_s)
                continue
            self.connected = True
            self.connects += 1
            delay = self.backoff_s
            splitter = self.make_splitter()
            try:
                while True:
                    chunk = await asyncio.wait_for(reader.read(65536), self.idle_timeout_s)
                    if not chunk:
                        self.last_error = "closed by peer"
                        break
                    now = time.time()
                    for msg in splitter.feed(chunk):
                        self._emit(self.transform(msg) if self.transform else msg, now)
            except TimeoutError:
                self.last_error = f"no data for {self.idle_timeout_s} s"
            except OSError as err:
                self.last_error = f"read: {err.strerror or err}"
            finally:
                self.connected = False
                self.disconnects += 1
                if getattr(splitter, "pending", 0):
                    self.cut_messages += 1
                for reason, n in getattr(splitter, "skipped", {}).items():
                    self.skipped[reason] = self.skipped.get(reason, 0) + n
                writer.close()
            log.warning("feed %s: %s; reconnecting in %.1f s", self.name, self.last_error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_backoff_s)

    def status(self) -> dict[str, Any]:
        return {"name": self.name, "link": self.link, "url": f"tcp://{self.host}:{self.port}",
                "connected": self.connected, "connects": self.connects, "disconnects": self.disconnects,
                "frames": self.frames, "dropped": self.dropped, "cut_messages": self.cut_messages,
                "skipped": dict(self.skipped), "last_error": self.last_error, "last_data_at": self.last_data_at}


class LineSplitter:
    """Splits a text stream into lines (LF or CR LF); blank lines are dropped."""

    def __init__(self, max_line: int = 4096) -> None:
        self._buf = b""
        self.max_line = max_line
        self.skipped: dict[str, int] = {}

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf + data
        *lines, self._buf = buf.split(b"\n")
        if len(self._buf) > self.max_line:
            self.skipped["line too long"] = self.skipped.get("line too long", 0) + 1
            self._buf = b""
        return [ln.rstrip(b"\r") for ln in lines if ln.strip()]

    @property
    def pending(self) -> int:
        return len(self._buf)


class PollFeed(_Base):
    """Fetches a URL (http/https) or reads a file every ``every_s`` seconds."""

    def __init__(self, name: str, source: str, sensor_id: str, link: str, every_s: float = 1.0,
                 timeout_s: float = 5.0) -> None:
        super().__init__(name, sensor_id, link)
        self.source = source
        self.every_s = every_s
        self.timeout_s = timeout_s
        self.polls = 0
        self.failures = 0

    def _fetch(self) -> bytes:
        if self.source.startswith(("http://", "https://")):
            with urllib.request.urlopen(self.source, timeout=self.timeout_s) as resp:
                data: bytes = resp.read()
                return data
        path = self.source.removeprefix("file://")
        return Path(path).read_bytes()

    async def run(self) -> None:
        while True:
            try:
                data = await asyncio.to_thread(self._fetch)
            except (OSError, ValueError) as err:
                self.failures += 1
                self.last_error = f"{type(err).__name__}: {err}"
                log.warning("feed %s: %s", self.name, self.last_error)
            else:
                self.polls += 1
                self._emit(data, time.time())
            await asyncio.sleep(self.every_s)

    def status(self) -> dict[str, Any]:
        return {"name": self.name, "link": self.link, "url": self.source, "connected": self.last_error is None
                or self.polls > 0, "polls": self.polls, "failures": self.failures, "frames": self.frames,
                "last_error": self.last_error, "last_data_at": self.last_data_at}
