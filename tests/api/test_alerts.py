"""/api/alerts: list with ?state=, one alert with its audit, ack round-trip, 404 and 422."""

from __future__ import annotations

import asyncio

import msgspec
from api_factories import NOW, make_alert, make_track
from fastapi.testclient import TestClient

from dronewatch.api import LiveState
from dronewatch.bus import InProcessBus
from dronewatch.model import Alert, Update
from dronewatch.store import Store


def feed(store: Store, live: LiveState, update: Update) -> None:
    """What the pipeline does with an Update: store it, then show it."""
    store.add_tracks(update.tracks, at=update.at)
    store.save_alerts(update.alerts)
    live.apply(update)


def test_list_alerts_newest_first_and_by_state(client: TestClient, store: Store, live: LiveState) -> None:
    old = make_alert("zone_entry:7:stadium", at=NOW - 60)
    new = make_alert("hover:8:car park", at=NOW - 10, rule="hover", zone="car park", severity="warning",
                     state="resolved")
    feed(store, live, Update(at=NOW, tracks=[make_track(7)], alerts=[old, new]))
    assert [a["alert_id"] for a in client.get("/api/alerts").json()] == [new.alert_id, old.alert_id]
    assert [a["alert_id"] for a in client.get("/api/alerts?state=open").json()] == [old.alert_id]
    assert client.get("/api/alerts?state=acknowledged").json() == []
    assert client.get("/api/alerts?state=bogus").status_code == 422
    assert len(client.get("/api/alerts?limit=1").json()) == 1
    one = client.get(f"/api/alerts/{old.alert_id}").json()
    assert msgspec.convert(one["alert"], Alert) == old
    assert [a["change"] for a in one["audit"]] == ["raised"]
    assert client.get("/api/alerts/nope").status_code == 404


def test_ack_round_trip_without_handler(client: TestClient, store: Store, live: LiveState) -> None:
    alert = make_alert(at=NOW - 30)
    feed(store, live, Update(at=NOW - 2, tracks=[make_track(7)], alerts=[alert]))
    r = client.post(f"/api/alerts/{alert.alert_id}/ack", json={"by": "Alice Operator"})
    assert r.status_code == 200
    acked = r.json()
    assert (acked["state"], acked["acked_by"]) == ("acknowledged", "Alice Operator")
    assert acked["updated_at"] == NOW - 2  # the picture's time, not the wall clock
    assert store.alert(alert.alert_id).state == "acknowledged"  # type: ignore[union-attr]
    live_alert = live.alert(alert.alert_id)
    assert live_alert is not None and live_alert.acked_by == "Alice Operator"
    audit = client.get(f"/api/alerts/{alert.alert_id}").json()["audit"]
    assert [(a["change"], a["by"], a["from_state"], a["to_state"]) for a in audit] == [
        ("ack", "Alice Operator", "open", "acknowledged"), ("raised", "system", None, "open")]
    assert [a["alert_id"] for a in client.get("/api/alerts?state=acknowledged").json()] == [alert.alert_id]
    assert live.tracks() == [make_track(7)]  # the ack's Update carried the tracks along


def test_ack_goes_through_the_pipeline_handler(client: TestClient, live: LiveState) -> None:
    calls: list[tuple[str, str, str, str | None]] = []
    alert = make_alert(at=NOW)

    def handler(alert_id: str, action: str, by: str, note: str | None) -> Alert | None:
        calls.append((alert_id, action, by, note))
        if alert_id != alert.alert_id:
            return None
        return msgspec.structs.replace(alert, state="acknowledged", acked_by=by)

    live.set_action_handler(handler)
    r = client.post(f"/api/alerts/{alert.alert_id}/ack", json={"by": "Bob"})
    assert r.status_code == 200 and r.json()["acked_by"] == "Bob"
    assert client.post("/api/alerts/other/ack", json={"by": "Bob", "note": "seen"}).status_code == 404
    assert calls == [(alert.alert_id, "ack", "Bob", None), ("other", "ack", "Bob", "seen")]
    live_alert = live.alert(alert.alert_id)
    assert live_alert is not None and live_alert.acked_by == "Bob"  # a reconnecting console sees it


def test_ack_unknown_is_404(client: TestClient) -> None:
    r = client.post("/api/alerts/no-such/ack", json={"by": "Alice"})
    assert r.status_code == 404 and r.json()["detail"] == "no alert no-such"


def test_ack_bad_body_is_422(client: TestClient, store: Store, live: LiveState) -> None:
    alert = make_alert(at=NOW)
    feed(store, live, Update(at=NOW, tracks=[], alerts=[alert]))
    url = f"/api/alerts/{alert.alert_id}/ack"
    for body, says in (({}, "missing required field `by`"), ({"by": ""}, "length >= 1"),
                       ({"by": 7}, "Expected `str`, got `int`"), ({"by": "a", "x": 1}, "unknown field `x`")):
        r = client.post(url, json=body)
        assert r.status_code == 422, body
        assert says in r.json()["detail"], r.json()
    r = client.post(url, content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "invalid JSON" in r.json()["detail"]
    assert store.alert(alert.alert_id).state == "open"  # type: ignore[union-attr]


def test_ack_publishes_an_update(site: object, store: Store, live: LiveState) -> None:
    """Without a handler the acked alert reaches bus subscribers (the WebSocket clients)."""
    from dronewatch.api import create_app

    bus = InProcessBus()
    alert = make_alert(at=NOW)
    feed(store, live, Update(at=NOW, tracks=[], alerts=[alert]))
    app = create_app(live.site, store, live, bus, clock=lambda: NOW)
    got: list[Update] = []

    async def listen_then_ack() -> None:
        async with bus.subscribe(live.subject) as updates:
            import httpx

            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                r = await http.post(f"/api/alerts/{alert.alert_id}/ack", json={"by": "Carol"})
                assert r.status_code == 200
            got.append(await asyncio.wait_for(anext(updates), 2.0))

    asyncio.run(listen_then_ack())
    assert got[0].alerts[0].acked_by == "Carol" and got[0].alerts[0].state == "acknowledged"
