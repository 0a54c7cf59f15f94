"""Who may call the API: ``Security`` (on ``app.state.security``) and the dependencies the
app puts on every API router.

A request proves who it is with ``Authorization: Bearer <token>`` (machines) or the
``dw_session`` cookie from ``POST /api/login`` (browsers; HttpOnly, SameSite=Strict, Secure
under TLS). Reading needs ``viewer``; any other method needs ``operator`` and, with a session
cookie, the session's CSRF token in the ``X-CSRF-Token`` header. Open mode: while the database
has no users and the server is bound to loopback only, every request acts as the local
``admin`` (``make demo`` needs no login); the first user added ends open mode at once.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from dronewatch.auth import Accounts, LoginLimiter, Principal, Role, role_at_least

SESSION_COOKIE = "dw_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_PRINCIPAL = Principal(name="local", role="admin", via="open")


@dataclass
class Security:
    """Auth settings and state for one app."""

    accounts: Accounts
    open_when_no_users: bool = True   # False whenever the server listens beyond loopback
    session_ttl_s: float = 12 * 3600.0  # one long shift
    secure_cookies: bool = False        # True under TLS
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    users_cache_s: float = 2.0
    _has_users: tuple[float, bool] = (-1e18, False)

    def is_open(self) -> bool:
        """Open mode: no users yet and loopback only (re-read from the database every 2 s)."""
        if not self.open_when_no_users:
            return False
        now = time.monotonic()
        at, has = self._has_users
        if now - at > self.users_cache_s:
            has = self.accounts.has_users()
            self._has_users = (now, has)
        return not has

    def principal(self, conn: HTTPConnection) -> Principal | None:
        """Who is asking, or None. A Bearer token that is not valid is refused outright."""
        header = conn.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            p = self.accounts.token_principal(token.strip()) if scheme.lower() == "bearer" else None
            if p is None:
                raise HTTPException(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
            return p
        sid = conn.cookies.get(SESSION_COOKIE)
        if sid:
            p = self.accounts.session_principal(sid)
            if p is not None:
                return p
        return OPEN_PRINCIPAL if self.is_open() else None


def get_security(conn: HTTPConnection) -> Security:
    sec: Security = conn.app.state.security
    return sec


def authenticate(conn: HTTPConnection) -> Principal:
    """The caller, or 401. Stored on ``conn.state.principal`` for the routes."""
    p = get_security(conn).principal(conn)
    if p is None:
        raise HTTPException(401, "log in (POST /api/login) or send Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    conn.state.principal = p
    return p


def require(conn: HTTPConnection, role: Role) -> Principal:
    p = authenticate(conn)
    if not role_at_least(p.role, role):
        raise HTTPException(403, f"{p.name} is a {p.role}; this needs {role} or above")
    return p


def check_csrf(conn: HTTPConnection, p: Principal) -> None:
    """A cookie session must send its CSRF token with every action."""
    if p.via != "session":
        return
    sent = conn.headers.get(CSRF_HEADER, "")
    if not p.csrf or not hmac.compare_digest(sent.encode(), p.csrf.encode()):
        raise HTTPException(403, "CSRF token missing or wrong (send X-CSRF-Token from /api/me)")


def authorize(conn: HTTPConnection) -> None:
    """The dependency on every API router: viewers read, operators act (with CSRF).
    WebSockets check for themselves (``stream``) before accepting."""
    if conn.scope["type"] != "http":
        return
    method = conn.scope.get("method", "GET")
    if method in SAFE_METHODS:
        require(conn, "viewer")
        return
    p = require(conn, "operator")
    check_csrf(conn, p)


def require_admin(conn: HTTPConnection) -> Principal:
    return require(conn, "admin")


def actor(conn: HTTPConnection, claimed: str) -> str:
    """The name an action is audited under: the authenticated user; in open mode, the name
    the request gives."""
    p: Principal | None = getattr(conn.state, "principal", None)
    if p is None or p.via == "open":
        return claimed
    return p.name
