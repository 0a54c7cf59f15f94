"""`dronewatch users` / `tokens` on a real database, and `demo` refusing a network bind while
the database has no users."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dronewatch.auth import Accounts
from dronewatch.store import Store


def dw(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dronewatch.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_users_and_tokens_commands(tmp_path: Path) -> None:
    db = tmp_path / "dw.db"
    r = dw("users", "add", "otto", "--role", "operator", "--db", str(db), stdin="operator-pass-1\n")
    assert r.returncode == 0, r.stderr
    r = dw("users", "add", "otto", "--role", "viewer", "--db", str(db), stdin="operator-pass-2\n")
    assert r.returncode == 2 and "exists already" in r.stderr
    r = dw("users", "add", "bob", "--role", "chief", "--db", str(db), stdin="long-enough-1\n")
    assert r.returncode == 2 and "role must be one of viewer, operator, admin" in r.stderr
    r = dw("users", "add", "bob", "--role", "viewer", "--db", str(db))
    assert r.returncode == 2 and "no password" in r.stderr
    r = dw("tokens", "add", "tak-bridge", "--role", "viewer", "--db", str(db))
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert token.startswith("dw_") and len(token) > 40
    listing = dw("users", "list", "--db", str(db)).stdout
    assert "otto" in listing and "operator" in listing and "token only" in listing
    with Store(f"sqlite:///{db}") as store:
        acc = Accounts(store.engine)
        user = acc.verify_password("otto", "operator-pass-1")
        assert user is not None and user.role == "operator"
        principal = acc.token_principal(token)
        assert principal is not None and (principal.name, principal.role) == ("tak-bridge", "viewer")
    assert dw("users", "delete", "tak-bridge", "--db", str(db)).returncode == 0
    with Store(f"sqlite:///{db}") as store:
        assert Accounts(store.engine).token_principal(token) is None


def test_demo_refuses_network_bind_without_users(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    r = dw("demo", "--host", "0.0.0.0", "--port", "1", "--db", str(db))
    assert r.returncode == 2
    assert "refusing to serve on 0.0.0.0" in r.stderr
    assert f"dronewatch users add NAME --role admin --db {db}" in r.stderr.replace("\n", "")
