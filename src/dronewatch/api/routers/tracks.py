"""GET /api/tracks (the live tracks) and GET /api/tracks/{track_id} (one track and its
stored history)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from dronewatch.api.deps import get_live, get_store, json_response
from dronewatch.api.live import LiveState
from dronewatch.store import Store

router = APIRouter(prefix="/api/tracks", tags=["tracks"])


@router.get("")
def list_tracks(live: LiveState = Depends(get_live)) -> Response:
    """Every live track (classified), by id."""
    return json_response(live.tracks())


@router.get("/{track_id}")
def get_track(
    track_id: int,
    history_limit: int = Query(600, ge=0, le=10_000),
    live: LiveState = Depends(get_live),
    store: Store = Depends(get_store),
) -> Response:
    """``{"track": Track | null, "history": [{at, lat, lon, alt_m, cls, identity, status}]}``;
    ``track`` is null when the track is gone but has history. 404 when neither."""
    track = live.track(track_id)
    history = store.track_history(track_id, limit=history_limit) if history_limit else []
    if track is None and not history:
        raise HTTPException(status_code=404, detail=f"no track {track_id}")
    return json_response({"track": track, "history": history})
