"""The one interface stages publish and subscribe through.

``Bus.publish(subject, message)`` hands a msgspec value to every current subscriber of that
subject; ``Bus.subscribe(subject)`` is an async context manager yielding an async iterator of
messages. Subjects are ``dw.v1.<class>.<site>`` (``dw.v1.track.stadium``). The embedded
default is ``InProcessBus``; a NATS JetStream bus is a second implementation of this
Protocol, not a rewrite of the stages.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol


class Bus(Protocol):
    def publish(self, subject: str, message: Any) -> None: ...

    def subscribe(self, subject: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Any]]: ...


def subject(kind: str, site: str) -> str:
    """``dw.v1.<kind>.<site>`` with the site name made subject-safe."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in site.lower())
    return f"dw.v1.{kind}.{safe}"


class InProcessBus:
    """Fan-out over asyncio queues. Publish never blocks: a slow subscriber loses the oldest
    messages (counted in ``dropped``) rather than stalling the pipeline."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._subs: dict[str, list[asyncio.Queue[Any]]] = {}
        self._maxsize = maxsize
        self.dropped = 0

    def publish(self, subject: str, message: Any) -> None:
        for q in self._subs.get(subject, ()):
            if q.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
                    self.dropped += 1
            q.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, subject: str) -> AsyncIterator[AsyncIterator[Any]]:
        q: asyncio.Queue[Any] = asyncio.Queue(self._maxsize)
        self._subs.setdefault(subject, []).append(q)

        async def messages() -> AsyncIterator[Any]:
            while True:
                yield await q.get()

        try:
            yield messages()
        finally:
            self._subs[subject].remove(q)
