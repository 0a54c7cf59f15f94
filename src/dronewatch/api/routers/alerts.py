"""Alerts: GET /api/alerts (stored, newest first, ?state=), GET /api/alerts/{id} (with its audit
trail), GET /api/alerts/{id}/audit (the trail, oldest first) and the operator's actions
POST /api/alerts/{id}/ack | escalate | resolve | false-alarm with body ``{"by", "note"}``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from dronewatch.api.deps import decode_body, get_bus, get_clock, get_live, get_store, json_response
from dronewatch.api.security import actor
from dronewatch.assess.lifecycle import Action, LifecycleError
from dronewatch.model import Alert, AlertState, Update
from dronewatch.store import Store

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


class OperatorAction(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Who acts, and why (the note goes on the record)."""

    by: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


_SCHEMA = msgspec.json.schema_components([OperatorAction])[1]["OperatorAction"]
_BODY = {"required": True, "content": {"application/json": {"schema": _SCHEMA}}}
_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "unknown alert"},
    409: {"description": "the alert's state does not allow this action"},
    422: {"description": "bad body"},
}
# URL segment -> lifecycle action
PATHS: dict[str, Action] = {"ack": "ack", "escalate": "escalate", "resolve": "resolve", "false-alarm": "false_alarm"}


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
    """``{"alert": Alert, "audit": [{id, alert_id, at, by, change, from_state, to_state, note}]}``
    (audit newest first)."""
    alert = store.alert(alert_id)
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert {alert_id}")
    return json_response({"alert": alert, "audit": store.audit(limit=1000, alert_id=alert_id)})


@router.get("/{alert_id}/audit")
def get_audit(alert_id: str, store: Store = Depends(get_store)) -> Response:
    """Every change of the alert, oldest first: ``[{id, alert_id, at, by, change, from_state,
    to_state, note}]``."""
    if store.alert(alert_id) is None:
        raise HTTPException(status_code=404, detail=f"no alert {alert_id}")
    rows = store.audit(limit=100_000, alert_id=alert_id)
    rows.reverse()
    return json_response(rows)


async def _act(request: Request, alert_id: str, action: Action) -> Response:
    """Through the pipeline's action handler when one is set (its result is applied to the live
    picture); otherwise in the store at the picture's time, then applied and published."""
    body = await decode_body(request, OperatorAction)
    by = actor(request, body.by)  # the logged-in user, not what the body claims
    live = get_live(request)
    handler = live.action_handler
    alert: Alert | None
    try:
        if handler is not None:
            alert = handler(alert_id, action, by, body.note)
            if alert is not None:  # the live picture (snapshots, /api/tracks) learns at once
                live.apply(Update(at=alert.updated_at, tracks=[], alerts=[alert]))
        else:
            at = live.at if live.at is not None else get_clock(request)()
            alert = await run_in_threadpool(get_store(request).act, alert_id, action, by, body.note, at)
            if alert is not None:
                live.apply_and_publish(Update(at=at, tracks=live.tracks(), alerts=[alert]), get_bus(request))
    except LifecycleError as err:
        raise HTTPException(status_code=409, detail=str(err)) from None
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert {alert_id}")
    return json_response(alert)


def _route(segment: str, action: Action) -> Callable[[str, Request], Awaitable[Response]]:
    async def endpoint(alert_id: str, request: Request) -> Response:
        return await _act(request, alert_id, action)

    endpoint.__name__ = f"{action}_alert"
    endpoint.__doc__ = (f"{action.replace('_', ' ').capitalize()} an alert (body ``{{by, note}}``); returns it "
                        "as it now stands. Repeating an action already done changes nothing; a state that "
                        "does not allow it is a 409.")
    return endpoint


for _segment, _action in PATHS.items():
    router.add_api_route(f"/{{alert_id}}/{_segment}", _route(_segment, _action), methods=["POST"],
                         openapi_extra={"requestBody": _BODY}, responses=_RESPONSES)
