"""POST /api/login (name + password -> session cookie), POST /api/logout, GET /api/me (who
am I, my role, my CSRF token, whether login is needed) and GET /api/users (admins)."""

from __future__ import annotations

import logging
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from dronewatch.api.deps import decode_body, json_response
from dronewatch.api.security import (
    SESSION_COOKIE,
    authenticate,
    check_csrf,
    get_security,
    require_admin,
)
from dronewatch.auth import Principal

router = APIRouter(prefix="/api", tags=["auth"])
log = logging.getLogger(__name__)


class Login(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


def _me(p: Principal, open_mode: bool) -> dict[str, object]:
    return {"name": p.name, "role": p.role, "via": p.via, "csrf": p.csrf, "open": open_mode}


@router.post("/login", responses={401: {"description": "wrong name or password"},
                                  429: {"description": "too many failed logins"}})
async def login(request: Request) -> Response:
    """Check name and password; set the session cookie; return ``{name, role, csrf}``."""
    body = await decode_body(request, Login)
    sec = get_security(request)
    client = request.client.host if request.client else "?"
    wait = sec.limiter.retry_after(client, body.name)
    if wait > 0:
        raise HTTPException(429, "too many failed logins; try again later",
                            headers={"Retry-After": str(int(wait) + 1)})
    user = await run_in_threadpool(sec.accounts.verify_password, body.name, body.password)
    if user is None:
        sec.limiter.failed(client, body.name)
        log.warning("failed login for %r from %s", body.name, client)
        raise HTTPException(401, "wrong name or password")
    sec.limiter.succeeded(body.name)
    sid, p = await run_in_threadpool(sec.accounts.open_session, user, sec.session_ttl_s)
    log.info("login %s (%s) from %s", p.name, p.role, client)
    response = json_response(_me(p, False))
    response.set_cookie(SESSION_COOKIE, sid, max_age=int(sec.session_ttl_s), httponly=True, samesite="strict",
                        secure=sec.secure_cookies, path="/")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End this session (CSRF-checked like any action)."""
    p = authenticate(request)
    check_csrf(request, p)
    sid = request.cookies.get(SESSION_COOKIE)
    if sid and p.via == "session":
        get_security(request).accounts.close_session(sid)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=get_security(request).secure_cookies)
    return response


@router.get("/me", responses={401: {"description": "not logged in"}})
def me(request: Request) -> Response:
    """``{name, role, via: session|token|open, csrf, open}``; 401 (with ``{"detail"}``) when a
    login is needed."""
    p = authenticate(request)
    return json_response(_me(p, p.via == "open"))


@router.get("/users")
def list_users(request: Request, _: Principal = Depends(require_admin)) -> Response:
    """Users with their role (admins only)."""
    return json_response(get_security(request).accounts.users())
