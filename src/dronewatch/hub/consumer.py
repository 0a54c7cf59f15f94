"""Pulls every site's messages from JetStream, one durable consumer per lane, and persists them.

Alerts, their audit rows and site documents each have their own lane (durable pull consumer and
fetch loop); frames and track snapshots share the bulk lane. A lane only fetches and sorts: each
class of message has its own queue and writers, which take everything queued (up to
``MAX_ROWS``) into one transaction. So an alert never waits behind a backlog of frames or track
snapshots, nor inside their commits, nor for the commit of the alert before it (three writers:
alert and audit writes are idempotent and order-free); under load the bulk transactions grow
instead of queueing (track snapshots have one writer: hand-offs are linked in time order). A
full queue stops its lane fetching. Several hub processes bind the same durable consumers, so
they share the work (a consumer group). A message is acknowledged only after its transaction
commits; if the database is down the batch is retried with backoff and stays unacknowledged, and
JetStream resends anything a dead hub held after ``ack_wait_s`` (30 s or less). A message that
cannot be stored (does not decode, a class this version does not know, a kind its subject does
not name) is counted by reason in ``ingestor.rejected``, logged and acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import msgspec

from dronewatch.hub.db import asyncpg_dsn
from dronewatch.hub.ingest import Ingestor, decode
from dronewatch.hub.latency import StageLatency
from dronewatch.jetstream import (
    KINDS,
    LANES,
    STREAM,
    URGENT,
    Envelope,
    Kind,
    Lane,
    connect,
    consumer_filter,
    consumer_name,
    ensure_stream,
    subject_class,
)

log = logging.getLogger(__name__)
WRITERS: dict[Kind, int] = {"alert": 3, "audit": 3, "site": 1, "frame": 2, "track": 1}  # per class
MAX_ROWS = 500  # a transaction's messages at most
QUEUED = 2000  # per class: fetched, not yet committed (a lane waits above it; well inside ack_wait)
PENDING_EVERY_S = 5.0


class HubConsumer:
    """The ingest loop of one hub process."""

    def __init__(self, bus_url: str, db_url: str, *, ack_wait_s: float = 30.0, batch: int = 500,
                 poll_s: float = 0.1, ingestor: Ingestor | None = None) -> None:
        if ack_wait_s > 30.0:
            raise ValueError("ack_wait_s: at most 30 s (how long a dead hub's messages wait to be resent)")
        self.bus_url = bus_url
        self.db_url = db_url
        self.ack_wait_s = ack_wait_s
        self.batch = batch
        self.poll_s = poll_s  # a bulk pull waits at most this long for its batch to fill
        self.ingestor = ingestor or Ingestor()
        self.latency = StageLatency()
        self.db_errors = 0
        self.last_batch_at: float | None = None
        self.pending: dict[str, int] = {}  # per lane: in the stream, not yet delivered or acknowledged
        self._queues: dict[Kind, asyncio.Queue[tuple[Envelope, Any, float]]] = {}  # fetched, not yet written
        self.pool: Any = None
        self._nc: Any = None

    async def open(self) -> None:
        import asyncpg

        size = sum(WRITERS.values()) + 2  # the writers, and the API
        self.pool = await self._retry(lambda: asyncpg.create_pool(asyncpg_dsn(self.db_url), min_size=1,
                                                                  max_size=size), "database")
        self._nc = await self._retry(lambda: connect(self.bus_url, name="dronewatch-hub"), "bus")

    async def _retry(self, make: Any, what: str) -> Any:
        delay = 0.2
        while True:
            try:
                return await make()
            except (TimeoutError, OSError, Exception) as err:
                log.warning("hub: %s unreachable (%s); retrying in %.1f s", what, err, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _subscription(self, lane: Lane) -> Any:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        js = self._nc.jetstream()
        await ensure_stream(js)
        name = consumer_name(lane)
        cfg = ConsumerConfig(durable_name=name, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                             ack_wait=self.ack_wait_s, max_ack_pending=20_000, max_deliver=-1,
                             filter_subject=consumer_filter(lane))
        return await js.pull_subscribe(consumer_filter(lane), durable=name, stream=STREAM, config=cfg)

    async def _fetch(self, sub: Any, lane: Lane) -> list[Any]:
        """The next batch of a lane. The bulk lane lets it fill for up to ``poll_s``. An urgent lane
        waits (up to 1 s) for one message, which comes the moment JetStream stores it, then takes
        the ones its metadata says are waiting behind it (a pull for more than are there would
        wait until it expires)."""
        if lane == "bulk":
            return list(await sub.fetch(self.batch, timeout=self.poll_s))
        msgs = list(await sub.fetch(1, timeout=1.0))
        behind = int(msgs[-1].metadata.num_pending or 0)
        # a timeout (another hub took them) or the broker gone: the next fetch will say
        with contextlib.suppress(Exception):
            if behind:
                msgs += await sub.fetch(min(behind, self.batch - 1), timeout=0.05)
        return msgs

    async def _persist(self, envs: list[Envelope]) -> None:
        delay = 0.2
        while True:
            try:
                async with self.pool.acquire() as conn:
                    await self.ingestor.write(conn, envs)
                return
            except asyncio.CancelledError:
                raise
            except Exception as err:  # database down or restarting: keep the batch, try again
                self.db_errors += 1
                log.warning("hub: write failed (%s: %s); retrying in %.1f s", type(err).__name__, err, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 3.0)

    async def run(self) -> None:
        """Every lane's loop, until cancelled."""
        if self.pool is None:
            await self.open()
        self._queues = {kind: asyncio.Queue(QUEUED) for kind in KINDS}
        writers = [self._writer(kind) for kind in KINDS for _ in range(WRITERS[kind])]
        await asyncio.gather(*(self._lane(lane) for lane in LANES), *writers, self._watch_pending())

    async def _sort(self, lane: Lane, msgs: list[Any]) -> tuple[list[Envelope], list[Any]]:
        """The batch's envelopes to store and their messages (acknowledged after the commit); the
        rest is acknowledged now: rejected (counted), or an urgent class in the bulk lane."""
        envs, keep = [], []
        for m in msgs:
            cls = subject_class(m.subject)
            if lane == "bulk" and cls in URGENT:
                pass  # its own lane stores it
            elif cls not in KINDS:
                self.ingestor.reject("unknown class", f"{m.subject}: {cls or 'no class'!r}")
            else:
                try:
                    env = decode(m.data)
                except (msgspec.DecodeError, msgspec.ValidationError) as err:
                    self.ingestor.reject("malformed message", f"{m.subject}: {err}")
                else:
                    if env.kind == cls:
                        envs.append(env)
                        keep.append(m)
                        continue
                    self.ingestor.reject("kind not its subject's", f"{m.subject}: kind {env.kind!r}")
            await self._ack(m)
        return envs, keep

    @staticmethod
    async def _ack(m: Any) -> None:
        try:
            await m.ack()
        except Exception as err:  # ack lost: the message comes back and is deduplicated
            log.info("hub: ack failed: %s", err)

    async def _lane(self, lane: Lane) -> None:
        """Fetch, sort, hand each message to its class's queue (the writers acknowledge it)."""
        sub = None
        while True:
            try:
                if sub is None:
                    sub = await self._subscription(lane)
                msgs = await self._fetch(sub, lane)
            except TimeoutError:  # nothing came (nats' TimeoutError is one too): not an error
                continue
            except asyncio.CancelledError:
                raise
            except Exception as err:  # broker away: the client reconnects; rebind when it is back
                log.info("hub: %s fetch failed (%s: %s)", lane, type(err).__name__, err)
                sub = None
                await asyncio.sleep(0.5)
                continue
            fetched = time.time()
            envs, keep = await self._sort(lane, msgs)
            for env, m in zip(envs, keep, strict=True):
                await self._queues[env.kind].put((env, m, fetched))

    async def _writer(self, kind: Kind) -> None:
        """Everything of ``kind`` queued (up to ``MAX_ROWS``) in one transaction, then acknowledged."""
        queue = self._queues[kind]
        while True:
            items = [await queue.get()]
            while len(items) < MAX_ROWS and not queue.empty():
                items.append(queue.get_nowait())
            await self._persist([env for env, _, _ in items])
            self.last_batch_at = committed = time.time()
            if kind == "alert":
                for env, _, fetched in items:
                    self.latency.record(float(env.row.get("_audit_at", 0.0)), env.stamps, fetched, committed)
            for _, m, _ in items:
                await self._ack(m)

    async def _watch_pending(self) -> None:
        """Every ``PENDING_EVERY_S``: each lane's messages not yet delivered or not yet acknowledged."""
        js = self._nc.jetstream()
        while True:
            await asyncio.sleep(PENDING_EVERY_S)
            for lane in LANES:
                with contextlib.suppress(Exception):  # broker away or consumer not made yet
                    info = await js.consumer_info(STREAM, consumer_name(lane), timeout=2)
                    self.pending[lane] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def close(self) -> None:
        if self._nc is not None:
            try:
                await self._nc.close()
            except Exception as err:
                log.debug("nats close: %s", err)
        if self.pool is not None:
            await self.pool.close()
