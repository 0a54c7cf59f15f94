"""How ``serve`` and ``demo`` expose the console safely: no network bind without users, HTTPS
when given a certificate, a warning for plain HTTP beyond loopback, and uvicorn limits."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Any

from dronewatch.api.security import Security
from dronewatch.auth import Accounts
from dronewatch.store import Store

log = logging.getLogger("dronewatch.serve")
WS_MAX_BYTES = 65_536  # the browser sends nothing big; bigger WebSocket frames close with 1009


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that might resolve anywhere


def guard_bind(store: Store, host: str, db: Path, tls: tuple[Path, Path] | None) -> Security:
    """The app's Security for a bind to ``host``; ValueError if it must not start."""
    accounts = Accounts(store.engine)
    loopback = is_loopback(host)
    if not loopback and not accounts.has_users():
        raise ValueError(
            f"refusing to serve on {host}: anyone on the network could see and act, and {db} has no users. "
            f"Add one first: dronewatch users add NAME --role admin --db {db}  "
            f"(or bind 127.0.0.1 for a local, login-free console)")
    if not loopback and tls is None:
        log.warning("serving on %s over plain HTTP: passwords and session cookies cross the network "
                    "unencrypted; use --tls-cert/--tls-key", host)
    return Security(accounts, open_when_no_users=loopback, secure_cookies=tls is not None)


def uvicorn_options(tls: tuple[Path, Path] | None) -> dict[str, Any]:
    opts: dict[str, Any] = {"ws_max_size": WS_MAX_BYTES}
    if tls is not None:
        opts |= {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])}
    return opts
