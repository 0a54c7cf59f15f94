"""WebSocket /api/stream: a snapshot on connect, then only what changed.

Messages are JSON: ``{"type": "snapshot", "at", "tracks", "alerts", "user"}`` once, then
``{"type": "update", "at", "tracks", "moves", "alerts", "removed"}`` (see ``api.delta``: a
track that only moved is a short array). Changes wait in a per-browser ``Delta`` that keeps
only the newest state of each track and alert, sent at most ``max_rate_hz`` times a second;
a browser that reads slowly or not at all gets the latest picture when it reads again, and
the server never queues more than one picture for it.

The handshake is authenticated like any API read (session cookie, Bearer token, or open mode);
a cookie session must come from this server's own page (Origin). The browser has nothing to
say: a message longer than ``MAX_CLIENT_MESSAGE`` bytes closes the socket with 1009.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import msgspec
from fastapi import APIRouter, HTTPException, Response, WebSocket, WebSocketDisconnect

from dronewatch.api.delta import Delta
from dronewatch.api.live import LiveState
from dronewatch.api.security import get_security
from dronewatch.auth import Principal, role_at_least
from dronewatch.bus import Bus
from dronewatch.model import Update

router = APIRouter(prefix="/api", tags=["stream"])

MAX_CLIENT_MESSAGE = 4096
_ENCODER = msgspec.json.Encoder()


async def _pump(feed: AsyncIterator[Any], delta: Delta, ready: asyncio.Event) -> None:
    async for message in feed:
        if isinstance(message, Update):
            delta.add(message)
            ready.set()


async def _send(ws: WebSocket, delta: Delta, ready: asyncio.Event, min_interval_s: float) -> None:
    while True:
        await ready.wait()
        ready.clear()
        if delta:
            text = _ENCODER.encode(delta.take()).decode()
            stats = ws.app.state.stream_stats
            stats["messages"] += 1
            stats["bytes"] += len(text)
            await ws.send_text(text)  # waits while the browser does not read
        await asyncio.sleep(min_interval_s)


async def _until_closed(ws: WebSocket) -> None:
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        size = len(message.get("bytes") or b"") + len((message.get("text") or "").encode())
        if size > MAX_CLIENT_MESSAGE:
            await ws.close(code=1009, reason=f"message over {MAX_CLIENT_MESSAGE} bytes")
            return


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == ws.headers.get("host")


async def _deny(ws: WebSocket, status: int, detail: str) -> None:
    try:
        await ws.send_denial_response(Response(detail, status_code=status))
    except RuntimeError:  # the server cannot answer a handshake with HTTP: refuse it plainly
        await ws.close(code=1008, reason=detail)


async def _principal(ws: WebSocket) -> Principal | None:
    try:
        p = get_security(ws).principal(ws)
    except HTTPException as err:
        await _deny(ws, err.status_code, str(err.detail))
        return None
    if p is None:
        await _deny(ws, 401, "log in first")
        return None
    if p.via == "session" and not _same_origin(ws):
        await _deny(ws, 403, "cross-site WebSocket refused")
        return None
    if not role_at_least(p.role, "viewer"):
        await _deny(ws, 403, "no role")
        return None
    return p


@router.websocket("/stream")
async def stream(ws: WebSocket) -> None:
    p = await _principal(ws)
    if p is None:
        return
    live: LiveState = ws.app.state.live
    bus: Bus = ws.app.state.bus
    min_interval_s = 1.0 / float(ws.app.state.max_rate_hz)
    await ws.accept()
    async with bus.subscribe(live.subject) as feed:  # subscribe first: nothing falls between
        tracks = live.tracks()
        snapshot = {"type": "snapshot", "at": live.at, "tracks": tracks, "alerts": live.alerts(),
                    "user": {"name": p.name, "role": p.role}}
        delta = Delta()
        delta.mark_sent(tracks)
        await ws.send_text(_ENCODER.encode(snapshot).decode())
        ready = asyncio.Event()
        tasks = [
            asyncio.create_task(_pump(feed, delta, ready)),
            asyncio.create_task(_send(ws, delta, ready, min_interval_s)),
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
