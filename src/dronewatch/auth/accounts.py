"""``Accounts``: users with a role, API tokens for machines and login sessions, kept in the
store's database (tables in ``dronewatch.store.tables``, made by the store's migrations).

Roles are ordered: ``viewer`` reads, ``operator`` also acts on alerts, ``admin`` also manages
users. A token or session counts only while its user exists, so deleting a user cuts off its
tokens and sessions at once. Passwords are hashed with argon2id (argon2-cffi defaults).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from typing import Literal, get_args

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, insert, select, update

from dronewatch.store.tables import api_tokens, sessions, users

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
TOKEN_PREFIX = "dw_"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
MIN_PASSWORD = 8


class AuthError(ValueError):
    """A bad account request (unknown role, taken name, weak password...), said plainly."""


class Principal(msgspec.Struct, frozen=True):
    """Who is asking: a user by name and role, and how they proved it."""

    name: str
    role: Role
    via: Literal["session", "token", "open"]
    csrf: str | None = None  # the session's CSRF token (sessions only)


def role_at_least(role: str, needed: Role) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


class Accounts:
    """Users, tokens and sessions on an SQLAlchemy engine (the Store's)."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))  # equal time for unknown users

    # --- users ------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str | None) -> None:
        """Add a user; ``password`` None makes a machine account that only tokens can use."""
        if not NAME_RE.match(name):
            raise AuthError(f"user name {name!r}: 1-128 letters, digits or . _ @ -, starting with a letter or digit")
        role = check_role(role)
        if password is not None and len(password) < MIN_PASSWORD:
            raise AuthError(f"password for {name!r} is too short (at least {MIN_PASSWORD} characters)")
        hashed = self.hasher.hash(password) if password is not None else None
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
                raise AuthError(f"user {name!r} exists already")
            conn.execute(insert(users).values(name=name, role=role, password_hash=hashed,
                                              created_at=self.clock()))

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"password for {name!r} is too short (at least {MIN_PASSWORD} characters)")
        with self.engine.begin() as conn:
            done = conn.execute(update(users).where(users.c.name == name)
                                .values(password_hash=self.hasher.hash(password))).rowcount
            if not done:
                raise AuthError(f"no user {name!r}")
            conn.execute(delete(sessions).where(sessions.c.user_name == name))

    def delete_user(self, name: str) -> bool:
        """Remove a user with its tokens and sessions; False if there was none."""
        with self.engine.begin() as conn:
            gone = conn.execute(delete(users).where(users.c.name == name)).rowcount
            conn.execute(delete(api_tokens).where(api_tokens.c.user_name == name))
            conn.execute(delete(sessions).where(sessions.c.user_name == name))
        return bool(gone)

    def users(self) -> list[dict[str, object]]:
        """``[{name, role, login (has a password), tokens, created_at}]`` by name."""
        with self.engine.connect() as conn:
            n_tokens: dict[str, int] = dict(conn.execute(select(api_tokens.c.user_name, func.count())
                                         .group_by(api_tokens.c.user_name)).all())
            rows = conn.execute(select(users).order_by(users.c.name)).mappings().all()
        return [{"name": r["name"], "role": r["role"], "login": r["password_hash"] is not None,
                 "tokens": int(n_tokens.get(r["name"], 0)), "created_at": r["created_at"]} for r in rows]

    def has_users(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(users.c.id).limit(1)).first() is not None

    def verify_password(self, name: str, password: str) -> Principal | None:
        """The user if ``password`` is theirs (argon2 verify, same cost for unknown names)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users.c.role, users.c.password_hash)
                               .where(users.c.name == name)).first()
        stored = row.password_hash if row is not None and row.password_hash else self._dummy_hash
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.password_hash:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(update(users).where(users.c.name == name)
                             .values(password_hash=self.hasher.hash(password)))
        return Principal(name=name, role=row.role, via="session")

    # --- tokens -----------------------------------------------------------------------------

    def add_token(self, name: str, role: str) -> str:
        """A new API token for ``name`` (made a machine account if it is not a user yet). The
        token acts with ``role`` or the user's role, whichever is lower. Returned once."""
        role = check_role(role)
        with self.engine.connect() as conn:
            exists = conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None
        if not exists:
            self.add_user(name, role, None)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(api_tokens).values(token_sha256=_digest(token), user_name=name, role=role,
                                                   created_at=self.clock()))
        return token

    def revoke_tokens(self, name: str) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(delete(api_tokens).where(api_tokens.c.user_name == name)).rowcount)

    def token_principal(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(api_tokens.c.user_name, api_tokens.c.role, users.c.role.label("user_role"))
                .join(users, users.c.name == api_tokens.c.user_name)
                .where(api_tokens.c.token_sha256 == _digest(token))).first()
        if row is None:
            return None
        role = min(row.role, row.user_role, key=ROLES.index)
        return Principal(name=row.user_name, role=role, via="token")

    # --- sessions ---------------------------------------------------------------------------

    def open_session(self, user: Principal, ttl_s: float) -> tuple[str, Principal]:
        """A new session for a verified user: (session id for the cookie, principal with CSRF)."""
        sid = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
            conn.execute(insert(sessions).values(id_sha256=_digest(sid), user_name=user.name, csrf=csrf,
                                                 created_at=now, expires_at=now + ttl_s))
        return sid, Principal(name=user.name, role=user.role, via="session", csrf=csrf)

    def session_principal(self, sid: str) -> Principal | None:
        """The session's user, or None when unknown, expired, or the user is gone."""
        if len(sid) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sessions.c.user_name, sessions.c.csrf, sessions.c.expires_at, users.c.role)
                .join(users, users.c.name == sessions.c.user_name)
                .where(sessions.c.id_sha256 == _digest(sid))).first()
        if row is None or row.expires_at <= self.clock():
            return None
        return Principal(name=row.user_name, role=row.role, via="session", csrf=row.csrf)

    def close_session(self, sid: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_sha256 == _digest(sid)))
