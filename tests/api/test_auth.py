"""Users, roles, tokens, sessions, CSRF and the login rate limit through the real app (Store on
SQLite, argon2 hashes), plus the bad input: wrong passwords, expired sessions, forged CSRF
tokens, a token of a deleted user, an oversized WebSocket message, an unauthenticated call."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_factories import NOW, make_alert, make_track
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from dronewatch.api import LiveState, create_app
from dronewatch.api.security import Security
from dronewatch.api.serving import guard_bind, is_loopback
from dronewatch.auth import Accounts, LoginLimiter
from dronewatch.bus import InProcessBus
from dronewatch.config import Site
from dronewatch.model import Update
from dronewatch.store import Store

PASSWORDS = {"vera": "viewer-pass-1", "otto": "operator-pass-1", "ada": "admin-pass-1"}
ROLE = {"vera": "viewer", "otto": "operator", "ada": "admin"}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> Clock:
    return Clock()


@pytest.fixture
def accounts(store: Store, wall: Clock) -> Accounts:
    acc = Accounts(store.engine, clock=wall, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for name, pw in PASSWORDS.items():
        acc.add_user(name, ROLE[name], pw)
    return acc


@pytest.fixture
def app_client(site: Site, store: Store, live: LiveState, bus: InProcessBus, accounts: Accounts,
               wall: Clock) -> Iterator[TestClient]:
    alert = make_alert(at=NOW - 30)
    store.save_alerts([alert])
    live.apply(Update(at=NOW - 2, tracks=[make_track(7)], alerts=[alert]))
    security = Security(accounts, session_ttl_s=3600, limiter=LoginLimiter(per_name=3, per_client=50, window_s=60,
                                                                           clock=wall))
    app = create_app(site, store, live, bus, clock=lambda: NOW, max_rate_hz=100.0, security=security)
    with TestClient(app) as c:
        yield c


def login(c: TestClient, name: str, password: str | None = None) -> str:
    r = c.post("/api/login", json={"name": name, "password": password or PASSWORDS[name]})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == ROLE[name]
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "dw_session=" in cookie
    return str(r.json()["csrf"])


def test_open_mode_without_users_on_loopback(client: TestClient) -> None:
    assert client.get("/api/tracks").status_code == 200
    me = client.get("/api/me").json()
    assert (me["name"], me["role"], me["open"]) == ("local", "admin", True)


def test_unauthenticated_requests_get_401(app_client: TestClient) -> None:
    for path in ("/api/tracks", "/api/alerts", "/api/site", "/api/health", "/api/me", "/api/tracks/7"):
        r = app_client.get(path)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"
    assert app_client.post("/api/alerts/zone_entry:7:stadium/ack", json={"by": "x"}).status_code == 401
    with pytest.raises(WebSocketDenialResponse) as denied, app_client.websocket_connect("/api/stream"):
        pass
    assert denied.value.status_code == 401
    assert app_client.get("/").status_code == 200  # the page itself loads, and asks for a login


def test_wrong_passwords_then_rate_limit(app_client: TestClient, wall: Clock) -> None:
    for _ in range(3):
        r = app_client.post("/api/login", json={"name": "otto", "password": "wrong-password"})
        assert r.status_code == 401 and "set-cookie" not in r.headers
    assert app_client.post("/api/login", json={"name": "nobody", "password": "x"}).status_code == 401
    r = app_client.post("/api/login", json={"name": "otto", "password": PASSWORDS["otto"]})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # even the right one, for now
    assert app_client.post("/api/login", json={"name": "otto"}).status_code == 422
    wall.now += 61
    login(app_client, "otto")


def test_roles_viewer_reads_operator_acts_with_csrf(app_client: TestClient, store: Store) -> None:
    alert_id = "zone_entry:7:stadium"
    login(app_client, "vera")
    assert app_client.get("/api/alerts").status_code == 200
    me = app_client.get("/api/me").json()
    r = app_client.post(f"/api/alerts/{alert_id}/ack", json={"by": "vera"}, headers={"x-csrf-token": me["csrf"]})
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    assert app_client.get("/api/users").status_code == 403

    csrf = login(app_client, "otto")
    assert app_client.post(f"/api/alerts/{alert_id}/ack", json={"by": "otto"}).status_code == 403  # no token
    forged = app_client.post(f"/api/alerts/{alert_id}/ack", json={"by": "otto"}, headers={"x-csrf-token": "f" * 43})
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    assert store.alert(alert_id).state == "open"  # type: ignore[union-attr]
    r = app_client.post(f"/api/alerts/{alert_id}/ack", json={"by": "someone else"}, headers={"x-csrf-token": csrf})
    assert r.status_code == 200 and r.json()["acked_by"] == "otto"  # the user, not what the body claims
    audit = app_client.get(f"/api/alerts/{alert_id}").json()["audit"]
    assert (audit[0]["change"], audit[0]["by"]) == ("ack", "otto")

    login(app_client, "ada")
    assert {u["name"]: u["role"] for u in app_client.get("/api/users").json()} == ROLE


def test_logout_and_expired_session(app_client: TestClient, wall: Clock) -> None:
    csrf = login(app_client, "vera")
    assert app_client.get("/api/tracks").status_code == 200
    wall.now += 3601  # past the session's lifetime
    assert app_client.get("/api/tracks").status_code == 401
    csrf = login(app_client, "vera")
    assert app_client.post("/api/logout", headers={"x-csrf-token": "forged"}).status_code == 403
    assert app_client.post("/api/logout", headers={"x-csrf-token": csrf}).status_code == 204
    assert app_client.get("/api/tracks").status_code == 401


def test_tokens_and_a_deleted_user(app_client: TestClient, accounts: Accounts) -> None:
    machine = accounts.add_token("tak-bridge", "operator")
    viewer_token = accounts.add_token("vera", "admin")  # never above the user's own role
    bearer = {"authorization": f"Bearer {machine}"}
    assert app_client.get("/api/tracks", headers=bearer).status_code == 200
    r = app_client.post("/api/alerts/zone_entry:7:stadium/ack", json={"by": "x"}, headers=bearer)  # no CSRF: no cookie
    assert r.status_code == 200 and r.json()["acked_by"] == "tak-bridge"
    r = app_client.post("/api/alerts/zone_entry:7:stadium/ack", json={"by": "x"},
                        headers={"authorization": f"Bearer {viewer_token}"})
    assert r.status_code == 403
    with app_client.websocket_connect("/api/stream", headers=bearer) as ws:
        assert ws.receive_json()["user"] == {"name": "tak-bridge", "role": "operator"}
    assert app_client.get("/api/tracks", headers={"authorization": "Bearer dw_forged"}).status_code == 401
    assert app_client.get("/api/tracks", headers={"authorization": "Basic b3R0bzp4"}).status_code == 401
    assert accounts.delete_user("tak-bridge")
    assert app_client.get("/api/tracks", headers=bearer).status_code == 401
    with pytest.raises(WebSocketDenialResponse) as denied, app_client.websocket_connect("/api/stream", headers=bearer):
        pass
    assert denied.value.status_code == 401


def test_websocket_cross_site_and_oversized_message(app_client: TestClient) -> None:
    login(app_client, "vera")
    with pytest.raises(WebSocketDenialResponse) as denied, app_client.websocket_connect(
            "/api/stream", headers={"origin": "https://evil.example"}):
        pass
    assert denied.value.status_code == 403
    with app_client.websocket_connect("/api/stream", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "snapshot"
        ws.send_text("x" * 100_000)
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                ws.receive_json()
        assert closed.value.code == 1009
    assert app_client.get("/api/tracks").status_code == 200  # the server goes on


def test_account_rules(accounts: Accounts) -> None:
    with pytest.raises(ValueError, match="exists already"):
        accounts.add_user("otto", "viewer", "another-password")
    with pytest.raises(ValueError, match="role must be one of"):
        accounts.add_user("eve", "root", "long-enough-pw")
    with pytest.raises(ValueError, match="too short"):
        accounts.add_user("eve", "viewer", "short")
    with pytest.raises(ValueError, match="user name"):
        accounts.add_user("<script>", "viewer", "long-enough-pw")
    assert accounts.verify_password("otto", PASSWORDS["otto"]) is not None
    assert accounts.verify_password("otto", PASSWORDS["vera"]) is None
    assert accounts.verify_password("tak", "anything") is None
    accounts.add_token("tak", "viewer")  # token-only account: no password login
    assert accounts.verify_password("tak", "") is None


def test_bind_guard(store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    db = tmp_path / "api.db"
    assert guard_bind(store, "127.0.0.1", db, None).open_when_no_users
    with pytest.raises(ValueError, match=r"dronewatch users add NAME --role admin --db .*api\.db"):
        guard_bind(store, "0.0.0.0", db, None)
    Accounts(store.engine).add_token("ops", "viewer")
    with caplog.at_level(logging.WARNING, logger="dronewatch.serve"):
        sec = guard_bind(store, "0.0.0.0", db, None)
    assert not sec.open_when_no_users and not sec.secure_cookies
    assert "plain HTTP" in caplog.text
    assert guard_bind(store, "0.0.0.0", db, (tmp_path / "c.pem", tmp_path / "k.pem")).secure_cookies
