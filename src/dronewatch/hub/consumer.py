"""Pulls every site's messages from JetStream through one durable consumer and persists them.

Several hub processes bind the same durable pull consumer, so they share the work (a consumer
group). A batch is acknowledged only after its transaction commits; if the database is down
the batch is retried with backoff and stays unacknowledged, and JetStream resends anything a
dead hub held after ``ack_wait_s`` (30 s or less).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import msgspec

from dronewatch.hub.db import asyncpg_dsn
from dronewatch.hub.ingest import Ingestor, decode
from dronewatch.jetstream import CONSUMER, STREAM, STREAM_SUBJECTS, connect, ensure_stream

log = logging.getLogger(__name__)


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
        self.poll_s = poll_s  # a pull waits at most this long for a batch to fill: bounds latency
        self.ingestor = ingestor or Ingestor()
        self.db_errors = 0
        self.last_batch_at: float | None = None
        self.pool: Any = None
        self._nc: Any = None

    async def open(self) -> None:
        import asyncpg

        self.pool = await self._retry(lambda: asyncpg.create_pool(asyncpg_dsn(self.db_url), min_size=1,
                                                                  max_size=4), "database")
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

    async def _subscription(self) -> Any:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        js = self._nc.jetstream()
        await ensure_stream(js)
        cfg = ConsumerConfig(durable_name=CONSUMER, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                             ack_wait=self.ack_wait_s, max_ack_pending=20_000, max_deliver=-1)
        return await js.pull_subscribe(STREAM_SUBJECTS[0], durable=CONSUMER, stream=STREAM, config=cfg)

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
        import nats.errors

        if self.pool is None:
            await self.open()
        sub = None
        while True:
            try:
                if sub is None:
                    sub = await self._subscription()
                msgs = await sub.fetch(self.batch, timeout=self.poll_s)
            except nats.errors.TimeoutError:
                continue
            except asyncio.CancelledError:
                raise
            except Exception as err:  # broker away: the client reconnects; rebind when it is back
                log.info("hub: fetch failed (%s: %s)", type(err).__name__, err)
                sub = None
                await asyncio.sleep(0.5)
                continue
            envs, good = [], []
            for m in msgs:
                try:
                    envs.append(decode(m.data))
                    good.append(m)
                except (msgspec.DecodeError, msgspec.ValidationError) as err:
                    self.ingestor.reject("malformed message", f"{m.subject}: {err}")
                    await m.ack()
            await self._persist(envs)
            self.last_batch_at = time.time()
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
