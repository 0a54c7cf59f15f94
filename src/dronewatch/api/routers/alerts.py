"""GET /api/alerts (stored alerts, newest first, ?state=), GET /api/alerts/{id} (with its audit
trail) and POST /api/alerts/{id}/ack (body ``{"by": "operator name"}``)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from dronewatch.api.deps import decode_body, get_bus, get_clock, get_live, get_store, json_response
from dronewatch.model import Alert, AlertState, Update
from dronewatch.store import Store

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


class Ack(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Who acknowledges."""

    by: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


_ACK_SCHEMA = msgspec.json.schema_components([Ack])[1]["Ack"]
_ACK_BODY = {"required": True, "content": {"application/json": {"schema": _ACK_SCHEMA}}}


@router.get("")
def list_alerts(
    state: AlertState | None = None,
    limit: int = Query(500, ge=1, le=5000),
    store: Store = Depends(get_store),
) -> Response:
    """Stored alerts, newest raised first."""
    return json_response(store.alerts(limit=limit, state=state))


@router.get("/{alert_id}")
def get_alert(alert_id: str, store: Store = Depends(get_store)) -> Response:
    """``{"alert": Alert, "audit": [{id, alert_id, at, by, change, from_state, to_state}]}``."""
    alert = store.alert(alert_id)
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert {alert_id}")
    return json_response({"alert": alert, "audit": store.audit(limit=1000, alert_id=alert_id)})


@router.post(
    "/{alert_id}/ack",
    openapi_extra={"requestBody": _ACK_BODY},
    responses={404: {"description": "unknown alert"}, 422: {"description": "bad body"}},
)
async def ack_alert(alert_id: str, request: Request) -> Response:
    """Acknowledge an alert; returns it as it now stands. Through the pipeline's ack handler
    when one is set (its result is applied to the live picture); otherwise in the store, then
    applied and published as an Update."""
    body = await decode_body(request, Ack)
    live = get_live(request)
    handler = live.ack_handler
    alert: Alert | None
    if handler is not None:
        alert = handler(alert_id, body.by)
        if alert is not None:  # the live picture (snapshots, /api/tracks) learns at once
            live.apply(Update(at=alert.updated_at, tracks=[], alerts=[alert]))
    else:
        at = live.at if live.at is not None else get_clock(request)()
        alert = await run_in_threadpool(get_store(request).ack_alert, alert_id, body.by, at)
        if alert is not None:
            live.apply_and_publish(Update(at=at, tracks=live.tracks(), alerts=[alert]), get_bus(request))
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert {alert_id}")
    return json_response(alert)
