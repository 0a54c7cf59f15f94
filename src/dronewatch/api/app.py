"""``create_app``: the FastAPI app for one site: REST routers, the live WebSocket and the
console (static files from ``dronewatch/web``). OpenAPI docs at /docs."""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from dronewatch import __version__
from dronewatch.api.deps import Clock
from dronewatch.api.live import LiveState
from dronewatch.api.routers import alerts, health, stream, tracks
from dronewatch.api.routers import site as site_routes
from dronewatch.bus import Bus
from dronewatch.config import Site
from dronewatch.store import Store

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

mimetypes.add_type("text/javascript", ".mjs")  # MapLibre's ES modules


def create_app(
    site: Site,
    store: Store,
    live: LiveState,
    bus: Bus,
    clock: Clock = time.time,
    max_rate_hz: float = 10.0,
) -> FastAPI:
    """The app. ``clock`` is read only at the edge (health time, an ack with no picture yet);
    ``max_rate_hz`` caps WebSocket messages per client."""
    app = FastAPI(title="dronewatch", version=__version__,
                  description="Passive counter-drone airspace awareness: live tracks, alerts, site.")
    app.state.site = site
    app.state.store = store
    app.state.live = live
    app.state.bus = bus
    app.state.clock = clock
    app.state.max_rate_hz = max_rate_hz
    app.state.site_document = site_routes.site_document(site)
    for r in (health.router, site_routes.router, tracks.router, alerts.router, stream.router):
        app.include_router(r)
    app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="console")
    return app
