"""``create_app``: the FastAPI app for one site: REST routers, the live WebSocket and the
console (static files from ``dronewatch/web``). OpenAPI docs at /docs."""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from dronewatch import __version__
from dronewatch.api.basemap import TileFile
from dronewatch.api.deps import Clock
from dronewatch.api.live import LiveState
from dronewatch.api.routers import alerts, health, stream, tracks
from dronewatch.api.routers import auth as auth_routes
from dronewatch.api.routers import basemap as basemap_routes
from dronewatch.api.routers import replay as replay_routes
from dronewatch.api.routers import sensors as sensor_routes
from dronewatch.api.routers import site as site_routes
from dronewatch.api.security import Security, authorize
from dronewatch.auth import Accounts
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
    security: Security | None = None,
) -> FastAPI:
    """The app. ``clock`` is read only at the edge (health time, an ack with no picture yet);
    ``max_rate_hz`` caps WebSocket messages per client. ``security`` defaults to accounts in
    ``store``'s database, open while there are no users (loopback servers only: see
    ``dronewatch.api.security``)."""
    app = FastAPI(title="dronewatch", version=__version__,
                  description="Passive counter-drone airspace awareness: live tracks, alerts, site.")
    app.state.site = site
    app.state.store = store
    app.state.live = live
    app.state.bus = bus
    app.state.clock = clock
    app.state.max_rate_hz = max_rate_hz
    app.state.site_document = site_routes.site_document(site)
    app.state.security = security or Security(Accounts(store.engine))
    app.state.basemap = TileFile.open(site.basemap.file) if site.basemap and site.basemap.file else None
    app.state.stream_stats = {"messages": 0, "bytes": 0}
    app.include_router(auth_routes.router)
    for r in (health.router, site_routes.router, tracks.router, alerts.router, stream.router, replay_routes.router,
              basemap_routes.router, sensor_routes.router):
        app.include_router(r, dependencies=[Depends(authorize)])
    app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="console")
    return app
