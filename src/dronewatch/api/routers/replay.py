"""Replay from the store: GET /api/replay/range (the recorded span) and GET /api/replay
(track snapshots and alert changes between two instants, grouped by time step).

``{"from", "to", "steps": [{"at", "tracks": [Track, ...]}, ...], "alerts": [{"at", "alert":
Alert}, ...], "truncated": bool}``. Stored JSON is passed through as it was written (no
decode and re-encode); at most ``limit`` snapshot rows (``truncated`` says when cut)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from sqlalchemy import func, select

from dronewatch.api.deps import get_store, json_response
from dronewatch.store import Store
from dronewatch.store.tables import alert_audit, track_snapshots

router = APIRouter(prefix="/api/replay", tags=["replay"])
MAX_SPAN_S = 6 * 3600.0


@router.get("/range")
def replay_range(store: Store = Depends(get_store)) -> Response:
    """``{"from": first snapshot time | null, "to": last | null, "snapshots": n}``."""
    c = track_snapshots.c
    with store.engine.connect() as conn:
        lo, hi, n = conn.execute(select(func.min(c.at), func.max(c.at), func.count())).one()
    return json_response({"from": lo, "to": hi, "snapshots": n})


@router.get("", responses={422: {"description": "bad range"}})
def replay(
    start: float = Query(alias="from"),
    end: float = Query(alias="to"),
    limit: int = Query(200_000, ge=1, le=1_000_000),
    store: Store = Depends(get_store),
) -> Response:
    if not end > start:
        raise HTTPException(422, "`to` must be after `from`")
    if end - start > MAX_SPAN_S:
        raise HTTPException(422, f"at most {MAX_SPAN_S / 3600:.0f} hours at a time")
    c, a = track_snapshots.c, alert_audit.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(c.at, c.json).where(c.at >= start, c.at <= end)
                            .order_by(c.at, c.track_id).limit(limit + 1)).all()
        changes = conn.execute(select(a.at, a.json).where(a.at <= end).where(a.at >= start - 3600)
                               .order_by(a.at, a.id)).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    parts: list[str] = []
    step_at: float | None = None
    for at, text in rows:
        if at != step_at:
            if step_at is not None:
                parts.append("]},")
            parts.append(f'{{"at":{at!r},"tracks":[')
            step_at = at
        else:
            parts.append(",")
        parts.append(text)
    if step_at is not None:
        parts.append("]}")
    alerts = ",".join(f'{{"at":{at!r},"alert":{text}}}' for at, text in changes)
    body = (f'{{"from":{start!r},"to":{end!r},"truncated":{"true" if truncated else "false"},'
            f'"steps":[{"".join(parts)}],"alerts":[{alerts}]}}')
    return Response(body, media_type="application/json")
