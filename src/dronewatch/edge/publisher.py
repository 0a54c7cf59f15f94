"""Publishes an edge store's new rows to NATS JetStream, in order, never losing one.

Each table is its own lane (alert audit rows never wait behind frames or track snapshots): it
takes a batch after its cursor, publishes it asynchronously with a ``Nats-Msg-Id`` per record,
waits for every acknowledgement, then advances its cursor. A timeout or a broken connection
leaves the cursor where it was and the batch is sent again (JetStream drops the duplicates).
The pipeline wakes the lanes after each step (``poke``); they also poll. While the broker is
away the pipeline goes on writing to its store; that is the buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import msgspec

from dronewatch.config import Site
from dronewatch.edge.tail import TABLES, StoreTail
from dronewatch.jetstream import ENCODER, Envelope, connect, ensure_stream, msg_id, record_key, subject_for

log = logging.getLogger(__name__)


def records(site: str, table: str, row: dict[str, Any],
            stamps: dict[str, float] | None = None) -> list[tuple[str, str, Envelope]]:
    """(subject, message id, envelope) for one store row; an audit row also publishes its alert,
    with ``stamps`` (when the row's step ran, when it was read) and the instant it is sent."""
    now = time.time()
    key = record_key(table, row)
    if table == "frames":
        env = Envelope(site=site, kind="frame", edge_id=row["id"], row=row, sent_at=now)
        return [(subject_for("frame", site, row["sensor_id"]), msg_id(site, "frame", key), env)]
    if table == "track_snapshots":
        env = Envelope(site=site, kind="track", edge_id=row["id"], row=row, sent_at=now)
        return [(subject_for("track", site), msg_id(site, "track", key), env)]
    audit = Envelope(site=site, kind="audit", edge_id=row["id"], row=row, sent_at=now)
    alert = Envelope(site=site, kind="alert", edge_id=row["id"], row=json.loads(row["json"]) | {
        "_audit_at": row["at"], "_change": row["change"]}, sent_at=now,
        stamps=(stamps or {}) | {"sent": now})
    return [(subject_for("audit", site), msg_id(site, "audit", key), audit),
            (subject_for("alert", site), msg_id(site, "alert", key), alert)]


class EdgePublisher:
    """Runs beside a site's pipeline: store rows -> JetStream, with the store as the buffer."""

    def __init__(self, url: str, site: Site, tail: StoreTail, *, batch: int = 500, poll_s: float = 0.5,
                 ack_timeout_s: float = 5.0, on_published: Callable[[str, int], None] | None = None) -> None:
        self.url = url
        self.site = site
        self.tail = tail
        self.batch = batch
        self.poll_s = poll_s
        self.ack_timeout_s = ack_timeout_s
        self.published: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.connected = False
        self.on_published = on_published
        self._nc: Any = None
        self._js: Any = None
        self._wakes = {t: asyncio.Event() for t in TABLES}
        self._connecting = asyncio.Lock()
        self._steps: dict[float, tuple[float, float]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def poke(self, at: float | None = None, step: tuple[float, float] | None = None) -> None:
        """Tell the publisher the store has new rows (else it polls every ``poll_s``); ``step``:
        the wall-clock start and end of the pipeline step at ``at`` that wrote them (figures)."""
        if at is not None and step is not None:
            self._steps[at] = step
            if len(self._steps) > 512:
                for old in list(self._steps)[:256]:
                    del self._steps[old]
        loop = self._loop
        if loop is not None and loop.is_running():  # the publisher's own thread
            loop.call_soon_threadsafe(self._wake_all)
        else:
            self._wake_all()

    def _wake_all(self) -> None:
        for wake in self._wakes.values():
            wake.set()

    def _stamps(self, row: dict[str, Any], read_at: float) -> dict[str, float]:
        step = self._steps.get(row["at"])
        return {"read": read_at} | ({"step_start": step[0], "step_end": step[1]} if step else {})

    async def _connect(self) -> bool:
        if self._nc is not None and self._nc.is_connected:
            return True
        async with self._connecting:  # the lanes share one connection
            return await self._connect_once()

    async def _connect_once(self) -> bool:
        if self._nc is None:
            try:
                self._nc = await connect(self.url, name=f"dronewatch-edge-{self.site.name}")
            except Exception as err:
                self.failures["connect: " + type(err).__name__] += 1
                log.info("bus %s unreachable (%s); buffering in the store", self.url, err)
                return False
            self._js = self._nc.jetstream()
            await ensure_stream(self._js)
            await self._publish_site()
        return bool(self._nc.is_connected)

    async def _publish_site(self) -> None:
        row = msgspec.to_builtins(self.site)
        key = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:32]
        env = Envelope(site=self.site.name, kind="site", edge_id=0, row=row, sent_at=time.time())
        await self._js.publish(subject_for("site", self.site.name), ENCODER.encode(env),
                               headers={"Nats-Msg-Id": msg_id(self.site.name, "site", key)},
                               timeout=self.ack_timeout_s)

    async def _send(self, table: str, rows: list[dict[str, Any]], read_at: float) -> bool:
        futures = []
        for row in rows:
            stamps = self._stamps(row, read_at) if table == "alert_audit" else None
            for subj, mid, env in records(self.site.name, table, row, stamps):
                futures.append(await self._js.publish_async(subj, ENCODER.encode(env),
                                                            headers={"Nats-Msg-Id": mid}))
        try:
            await asyncio.wait_for(asyncio.gather(*futures), timeout=self.ack_timeout_s)
        except Exception as err:
            for f in futures:
                f.cancel()
            self.failures[f"publish {table}: {type(err).__name__}"] += 1
            log.info("publish of %d %s rows not acknowledged (%s); will resend", len(rows), table, err)
            return False
        self.tail.advance(table, rows[-1]["id"])
        self.published[table] += len(rows)
        if self.on_published is not None:
            self.on_published(table, len(rows))
        return True

    async def _table_once(self, table: str) -> int | None:
        """Publish one batch of ``table``: rows sent, 0 if none were waiting, None if not acknowledged."""
        rows = await asyncio.to_thread(self.tail.read, table, self.batch)
        if not rows:
            return 0
        return len(rows) if await self._send(table, rows, time.time()) else None

    async def pass_once(self) -> int:
        """Publish one batch per table; return how many rows went out (0: nothing to do or down)."""
        self.connected = await self._connect()
        if not self.connected:
            return 0
        sent = 0
        for table in TABLES:
            n = await self._table_once(table)
            if n is None:
                return sent
            sent += n
        return sent

    async def run(self) -> None:
        """Publish for ever, each table on its own lane."""
        await asyncio.gather(*(self._lane(table) for table in TABLES))

    def start_thread(self) -> threading.Thread:
        """``run`` on its own thread and event loop. A live edge's pipeline steps run on its main
        loop and hold it for most of each step when the CPU is busy; a publisher sharing that loop
        would advance one ``await`` per step (and fall minutes behind); on its own thread it only
        shares the interpreter, which switches threads every few milliseconds."""
        loop = asyncio.new_event_loop()

        def main() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.run())
            except asyncio.CancelledError:
                pass
            finally:
                loop.run_until_complete(self.close())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=main, name=f"bus-{self.site.name}", daemon=True)
        self._thread.start()
        return self._thread

    def stop_thread(self, timeout_s: float = 5.0) -> None:
        """Stop the thread ``start_thread`` started (what is unpublished stays in the store)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        def cancel() -> None:
            for task in asyncio.all_tasks(loop):
                task.cancel()
        if loop.is_running():
            loop.call_soon_threadsafe(cancel)
        thread.join(timeout_s)

    async def _lane(self, table: str) -> None:
        """One table: fast while there is backlog, else wake on ``poke`` or every ``poll_s``."""
        wake = self._wakes[table]
        while True:
            wake.clear()
            try:
                self.connected = await self._connect()
                sent = await self._table_once(table) if self.connected else 0
            except asyncio.CancelledError:
                raise
            except Exception as err:  # keep the edge alive whatever the broker does
                self.failures[type(err).__name__] += 1
                log.warning("edge publisher (%s): %s", table, err)
                sent = 0
            if sent:
                continue
            wait = self.poll_s if self.connected else 1.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=wait)

    def stats(self) -> dict[str, Any]:
        return {"url": self.url, "connected": self.connected, "published": dict(self.published),
                "failures": dict(self.failures), "backlog": self.tail.backlog()}

    async def drain(self, timeout_s: float = 30.0) -> bool:
        """Publish until nothing is left (or ``timeout_s``); True if the backlog is empty."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if not any(self.tail.backlog().values()):
                return True
            if not await self.pass_once():
                await asyncio.sleep(0.2)
        return not any(self.tail.backlog().values())

    async def close(self) -> None:
        if self._nc is not None:
            try:
                await self._nc.drain()
            except Exception as err:
                log.debug("nats drain: %s", err)
        self.tail.close()
