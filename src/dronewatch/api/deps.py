"""What the routers share: the app's site, store, live state, bus and clock (from
``app.state``), a msgspec JSON response, and a typed msgspec body decoder that answers 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from fastapi import HTTPException, Request, Response

from dronewatch.api.live import LiveState
from dronewatch.bus import Bus
from dronewatch.config import Site
from dronewatch.store import Store

T = TypeVar("T")
Clock = Callable[[], float]

_ENCODER = msgspec.json.Encoder()


def get_site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_live(request: Request) -> LiveState:
    live: LiveState = request.app.state.live
    return live


def get_bus(request: Request) -> Bus:
    bus: Bus = request.app.state.bus
    return bus


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def json_response(value: Any, status_code: int = 200) -> Response:
    """Encode msgspec Structs (and plain values) straight to JSON."""
    return Response(_ENCODER.encode(value), status_code=status_code, media_type="application/json")


async def decode_body(request: Request, typ: type[T]) -> T:
    """The request body decoded strictly as ``typ``; a bad body is a 422 naming the field."""
    raw = await request.body()
    try:
        value: T = msgspec.json.decode(raw, type=typ)
    except msgspec.ValidationError as err:
        raise HTTPException(status_code=422, detail=str(err)) from None
    except msgspec.DecodeError as err:
        raise HTTPException(status_code=422, detail=f"invalid JSON: {err}") from None
    return value
