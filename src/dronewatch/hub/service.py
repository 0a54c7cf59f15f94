"""``dronewatch hub``: migrate, consume and serve in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from dronewatch.hub.app import create_hub_app
from dronewatch.hub.consumer import HubConsumer
from dronewatch.hub.db import migrate
from dronewatch.hub.latency import LoopLag

log = logging.getLogger(__name__)


async def run_hub(bus_url: str, db_url: str, host: str, port: int, *, ack_wait_s: float = 30.0,
                  ready: Any = None) -> None:
    """Run until SIGTERM/SIGINT. ``ready(message)`` is told once it is consuming and serving."""
    import uvicorn

    delay = 0.2
    while True:  # the database may still be starting
        try:
            await migrate(db_url)
            break
        except (OSError, ConnectionError) as err:
            log.warning("hub: database not ready (%s); retrying", err)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
    consumer = HubConsumer(bus_url, db_url, ack_wait_s=ack_wait_s)
    await consumer.open()
    lag = LoopLag()

    def health() -> dict[str, Any]:
        return {"written": dict(consumer.ingestor.written), "rejected": dict(consumer.ingestor.rejected),
                "db_errors": consumer.db_errors, "last_batch_at": consumer.last_batch_at,
                "pending": dict(consumer.pending),
                "alert_latency_ms": consumer.latency.summary(), "loop_lag_ms": lag.summary()}

    app = create_hub_app(consumer.pool, health)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    ingest = asyncio.create_task(consumer.run())
    watch = asyncio.create_task(lag.run())
    serve = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    while not server.started:
        await asyncio.sleep(0.05)
    if ready is not None:
        ready(f"dronewatch hub: consuming {bus_url}, serving http://{host}:{port}")
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait({ingest, serve, waiter}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    ingest.cancel()
    watch.cancel()
    for t in (ingest, serve):
        try:
            await t
        except (asyncio.CancelledError, Exception) as err:
            log.debug("hub task ended: %r", err)
    await consumer.close()
