"""The hub's API and console: every site's live tracks and alerts on one map, read from PostgreSQL.

Read-only: operators act on alerts at their site's own console (the edge owns its alerts and
their audit trail). Track ids here are the hub's global ids (one per object across sites, see
``handoff``); each track also carries ``site`` and ``site_track_id``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import msgspec
from fastapi import FastAPI, HTTPException, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from dronewatch import __version__
from dronewatch.api.app import WEB_DIR
from dronewatch.api.geojson import site_geojson
from dronewatch.config import Site

log = logging.getLogger(__name__)
STALE_S = 10.0


def _json(value: Any) -> Response:
    return Response(msgspec.json.encode(value), media_type="application/json")


def _track(row: Any) -> dict[str, Any]:
    t: dict[str, Any] = json.loads(row["json"])
    t["site_track_id"] = t["track_id"]
    t["track_id"] = int(row["global_id"])
    t["site"] = row["site"]
    return t


def _alert(row: Any) -> dict[str, Any]:
    a: dict[str, Any] = json.loads(row["json"])
    a["site"] = row["site"]
    return a


def _picture_at(tracks: list[dict[str, Any]], now: float) -> float:
    """The picture's instant: the newest track's (a replayed or simulated site runs on its own clock)."""
    return max((float(t["at"]) for t in tracks), default=now)


def merged_site(rows: list[Any]) -> dict[str, Any]:
    """One site document for the console: every site's zones and sensors, names prefixed by site."""
    zones: list[Any] = []
    sensors: list[Any] = []
    rings: list[Any] = []
    west, south, east, north = 180.0, 90.0, -180.0, -90.0
    origin = None
    for row in rows:
        try:
            site = msgspec.convert(json.loads(row["config"]), Site)
        except (msgspec.ValidationError, ValueError) as err:
            log.warning("hub: site %s config not understood: %s", row["site"], err)
            continue
        origin = origin or msgspec.to_builtins(site.origin)
        gj = site_geojson(site)
        for f in gj["zones"]["features"]:
            f["properties"]["name"] = f"{site.name}: {f['properties']['name']}"
            zones.append(f)
        for f in gj["sensors"]["features"]:
            f["properties"]["id"] = f"{site.name}: {f['properties']['id']}"
            sensors.append(f)
        rings += gj["rings"]["features"]
        (w, s), (e, n) = gj["bounds"]
        west, south, east, north = min(west, w), min(south, s), max(east, e), max(north, n)
    fc = lambda feats: {"type": "FeatureCollection", "features": feats}  # noqa: E731
    return {"name": "hub", "sites": [r["site"] for r in rows], "origin": origin or {"lat": 0, "lon": 0, "alt_m": 0},
            "zones": [], "sensors": [], "allow": [], "tile_url": None,
            "geojson": {"zones": fc(zones), "sensors": fc(sensors), "rings": fc(rings),
                        "bounds": [[west, south], [east, north]] if origin else [[-1, -1], [1, 1]]}}


def create_hub_app(pool: Any, health: Any) -> FastAPI:
    """``pool``: an asyncpg pool on the hub database; ``health()`` -> the ingest figures."""
    app = FastAPI(title="dronewatch hub", version=__version__,
                  description="Every site's tracks and alerts, persisted from NATS JetStream into PostGIS.")

    async def live_tracks(site: str | None) -> list[dict[str, Any]]:
        rows = await pool.fetch(
            "SELECT l.site, l.global_id, l.json FROM live_tracks l JOIN "
            "(SELECT site, max(at) AS top FROM live_tracks GROUP BY site) m ON m.site = l.site "
            "WHERE l.at > m.top - $1 AND ($2::text IS NULL OR l.site = $2) ORDER BY l.site, l.track_id",
            STALE_S, site)
        return [_track(r) for r in rows]

    async def alerts(site: str | None, limit: int, since: float | None = None) -> list[dict[str, Any]]:
        rows = await pool.fetch(
            "SELECT site, json FROM alerts WHERE ($1::text IS NULL OR site = $1) "
            "AND ($3::float8 IS NULL OR ingested_at > $3) ORDER BY raised_at DESC LIMIT $2",
            site, limit, since)
        return [_alert(r) for r in rows]

    @app.get("/api/health")
    async def get_health() -> Response:
        counts = {t: await pool.fetchval(f"SELECT count(*) FROM {t}")
                  for t in ("frames", "track_snapshots", "alerts", "alert_audit", "live_tracks", "sites")}
        return _json({"status": "ok", "role": "hub", "time": time.time(), "counts": counts, "ingest": health()})

    @app.get("/api/me")
    async def get_me() -> Response:
        """The console asks who it is: at the hub everyone is a viewer (act at the site's console)."""
        return _json({"name": "hub", "role": "viewer", "csrf": None, "open": True})

    @app.get("/api/sites")
    async def get_sites() -> Response:
        rows = await pool.fetch("SELECT site, config, updated_at FROM sites ORDER BY site")
        return _json([{"site": r["site"], "updated_at": r["updated_at"], "config": json.loads(r["config"])}
                      for r in rows])

    @app.get("/api/site")
    async def get_site() -> Response:
        return _json(merged_site(await pool.fetch("SELECT site, config FROM sites ORDER BY site")))

    @app.get("/api/tracks")
    async def get_tracks(site: str | None = None) -> Response:
        """Every site's live tracks (``?site=NAME`` filters), keyed by global id."""
        return _json(await live_tracks(site))

    @app.get("/api/alerts")
    async def get_alerts(site: str | None = None, limit: int = Query(500, ge=1, le=10_000)) -> Response:
        return _json(await alerts(site, limit))

    @app.get("/api/alerts/{site}/{alert_id}")
    async def get_alert(site: str, alert_id: str) -> Response:
        row = await pool.fetchrow("SELECT site, json FROM alerts WHERE site = $1 AND alert_id = $2", site, alert_id)
        if row is None:
            raise HTTPException(404, f"no alert {alert_id!r} at site {site!r}")
        audit = await pool.fetch("SELECT at, by, change, from_state, to_state FROM alert_audit "
                                 "WHERE site = $1 AND alert_id = $2 ORDER BY edge_id", site, alert_id)
        return _json({"alert": _alert(row), "audit": [dict(a) for a in audit]})

    @app.websocket("/api/stream")
    async def stream(ws: WebSocket) -> None:
        """The console's feed: a snapshot, then once a second the live tracks, new alert changes
        and the ids that left."""
        await ws.accept()
        try:
            now = time.time()
            tracks = await live_tracks(None)
            await ws.send_text(json.dumps({"type": "snapshot", "at": _picture_at(tracks, now), "tracks": tracks,
                                           "alerts": await alerts(None, 300)}))
            shown = {t["track_id"] for t in tracks}
            since = now
            while True:
                await asyncio.sleep(1.0)
                now = time.time()
                tracks = await live_tracks(None)
                ids = {t["track_id"] for t in tracks}
                changed = await alerts(None, 300, since)
                since = now
                await ws.send_text(json.dumps({"type": "update", "at": _picture_at(tracks, now), "tracks": tracks,
                                               "alerts": changed, "removed": sorted(shown - ids)}))
                shown = ids
        except (WebSocketDisconnect, RuntimeError):
            return

    app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="console")
    return app
