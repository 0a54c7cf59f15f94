"""GET /api/health: is the service up, how much is stored, what time the picture is at."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from dronewatch.api.deps import Clock, get_clock, get_live, get_store, json_response
from dronewatch.api.live import LiveState
from dronewatch.store import Store

router = APIRouter(prefix="/api/health", tags=["health"])


@router.get("")
def health(
    store: Store = Depends(get_store), live: LiveState = Depends(get_live), clock: Clock = Depends(get_clock)
) -> Response:
    """``{"status": "ok", "counts": {table: rows, live_tracks, live_alerts}, "ingest": {frames,
    reports, rejected: {reason: n}}, "outputs": [{name, kind, queued, offered, dropped, dropped_alerts,
    sent, pending, errors, last_error}], "time", "picture_at"}``."""
    counts = store.counts() | {"live_tracks": len(live.tracks()), "live_alerts": len(live.alerts())}
    return json_response({"status": "ok", "counts": counts, "ingest": live.stats(),
                          "outputs": live.outputs(), "time": clock(),
                          "picture_at": live.at})
