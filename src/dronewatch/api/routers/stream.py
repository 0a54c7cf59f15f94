"""WebSocket /api/stream: a snapshot on connect, then every Update for the site.

Messages are JSON: ``{"type": "snapshot", "at", "tracks", "alerts"}`` once, then
``{"type": "update", "at", "tracks", "alerts", "removed"}``. Updates that arrive faster than
``max_rate_hz`` are merged (newest track state and alert state win, removals add up), so a
fast run does not flood a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from dronewatch.api.live import LiveState
from dronewatch.bus import Bus
from dronewatch.model import Alert, Track, Update

router = APIRouter(prefix="/api", tags=["stream"])

_ENCODER = msgspec.json.Encoder()


def merge(updates: list[Update]) -> dict[str, Any]:
    """Several Updates in order -> one ``update`` message."""
    tracks: dict[int, Track] = {}
    alerts: dict[str, Alert] = {}
    removed: set[int] = set()
    for u in updates:
        for t in u.tracks:
            tracks[t.track_id] = t
            removed.discard(t.track_id)
        for track_id in u.removed:
            tracks.pop(track_id, None)
            removed.add(track_id)
        for a in u.alerts:
            alerts[a.alert_id] = a
    return {
        "type": "update",
        "at": max(u.at for u in updates),
        "tracks": list(tracks.values()),
        "alerts": list(alerts.values()),
        "removed": sorted(removed),
    }


async def _pump(feed: AsyncIterator[Any], inbox: list[Update], ready: asyncio.Event) -> None:
    async for message in feed:
        if isinstance(message, Update):
            inbox.append(message)
            ready.set()


async def _send(ws: WebSocket, inbox: list[Update], ready: asyncio.Event, min_interval_s: float) -> None:
    while True:
        await ready.wait()
        ready.clear()
        batch = inbox[:]
        inbox.clear()
        if batch:
            await ws.send_text(_ENCODER.encode(merge(batch)).decode())
        await asyncio.sleep(min_interval_s)


async def _until_closed(ws: WebSocket) -> None:
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return


@router.websocket("/stream")
async def stream(ws: WebSocket) -> None:
    live: LiveState = ws.app.state.live
    bus: Bus = ws.app.state.bus
    min_interval_s = 1.0 / float(ws.app.state.max_rate_hz)
    await ws.accept()
    async with bus.subscribe(live.subject) as feed:  # subscribe first: nothing falls between
        snapshot = {"type": "snapshot", "at": live.at, "tracks": live.tracks(), "alerts": live.alerts()}
        await ws.send_text(_ENCODER.encode(snapshot).decode())
        inbox: list[Update] = []
        ready = asyncio.Event()
        tasks = [
            asyncio.create_task(_pump(feed, inbox, ready)),
            asyncio.create_task(_send(ws, inbox, ready, min_interval_s)),
            asyncio.create_task(_until_closed(ws)),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                    await t
