"""Pulls every site's messages from JetStream, one durable consumer per class, and persists them.

Each class of message (alert, audit, site, frame, track) is its own lane: its own durable pull
consumer and fetch loop, and its own transactions, so an alert never waits behind a backlog of
frames or track snapshots, nor inside their commits. Several hub processes bind the same durable
consumers, so they share the work (a consumer group). A batch is acknowledged only after its
transaction commits; if the database is down the batch is retried with backoff and stays
unacknowledged, and JetStream resends anything a dead hub held after ``ack_wait_s`` (30 s or less).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import msgspec

from dronewatch.hub.db import asyncpg_dsn
from dronewatch.hub.ingest import Ingestor, decode
from dronewatch.hub.latency import StageLatency
from dronewatch.jetstream import KINDS, STREAM, Kind, connect, consumer_filter, consumer_name, ensure_stream

log = logging.getLogger(__name__)
URGENT: frozenset[Kind] = frozenset({"alert", "audit", "site"})


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
        self.pool: Any = None
        self._nc: Any = None

    async def open(self) -> None:
        import asyncpg

        self.pool = await self._retry(lambda: asyncpg.create_pool(asyncpg_dsn(self.db_url), min_size=1,
                                                                  max_size=len(KINDS) + 3), "database")
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

    async def _subscription(self, kind: Kind) -> Any:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        js = self._nc.jetstream()
        await ensure_stream(js)
        name = consumer_name(kind)
        cfg = ConsumerConfig(durable_name=name, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                             ack_wait=self.ack_wait_s, max_ack_pending=20_000, max_deliver=-1,
                             filter_subject=consumer_filter(kind))
        return await js.pull_subscribe(consumer_filter(kind), durable=name, stream=STREAM, config=cfg)

    async def _fetch(self, sub: Any, kind: Kind) -> list[Any]:
        """The next batch of a lane: a bulk lane lets it fill for up to ``poll_s``, an urgent one
        (alerts, audit rows, sites) for at most 50 ms."""
        return list(await sub.fetch(self.batch, timeout=0.05 if kind in URGENT else self.poll_s))

    async def _persist(self, envs: list[Any]) -> None:
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
        await asyncio.gather(*(self._lane(kind) for kind in KINDS))

    async def _lane(self, kind: Kind) -> None:
        sub = None
        while True:
            try:
                if sub is None:
                    sub = await self._subscription(kind)
                msgs = await self._fetch(sub, kind)
            except TimeoutError:  # nothing came (nats' TimeoutError is one too): not an error
                continue
            except asyncio.CancelledError:
                raise
            except Exception as err:  # broker away: the client reconnects; rebind when it is back
                log.info("hub: %s fetch failed (%s: %s)", kind, type(err).__name__, err)
                sub = None
                await asyncio.sleep(0.5)
                continue
            fetched = time.time()
            envs, good = [], []
            for m in msgs:
                try:
                    envs.append(decode(m.data))
                    good.append(m)
                except (msgspec.DecodeError, msgspec.ValidationError) as err:
                    self.ingestor.reject("malformed message", f"{m.subject}: {err}")
                    await m.ack()
            await self._persist(envs)
            self.last_batch_at = committed = time.time()
            if kind == "alert":
                for env in envs:
                    self.latency.record(float(env.row.get("_audit_at", 0.0)), env.stamps, fetched, committed)
            for m in good:
                try:
                    await m.ack()
                except Exception as err:  # ack lost: the message comes back and is deduplicated
                    log.info("hub: ack failed: %s", err)

    async def close(self) -> None:
        if self._nc is not None:
            try:
                await self._nc.close()
            except Exception as err:
                log.debug("nats close: %s", err)
        if self.pool is not None:
            await self.pool.close()
