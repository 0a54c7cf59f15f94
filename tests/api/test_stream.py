"""WebSocket /api/stream: a snapshot on connect, then the Updates published on the bus."""

from __future__ import annotations

from api_factories import NOW, make_alert, make_track
from fastapi.testclient import TestClient

from dronewatch.api import LiveState
from dronewatch.api.routers.stream import merge
from dronewatch.bus import InProcessBus
from dronewatch.model import Update


def test_snapshot_then_updates(client: TestClient, live: LiveState, bus: InProcessBus) -> None:
    live.apply(Update(at=NOW, tracks=[make_track(1, at=NOW)], alerts=[make_alert(at=NOW)]))
    with client.websocket_connect("/api/stream") as ws:
        snap = ws.receive_json()
        assert snap["type"] == "snapshot" and snap["at"] == NOW
        assert [t["track_id"] for t in snap["tracks"]] == [1]
        assert [a["alert_id"] for a in snap["alerts"]] == ["zone_entry:7:stadium"]
        hover = make_alert("hover:2:car park", at=NOW + 1, rule="hover", zone="car park", track_id=2)
        update = Update(at=NOW + 1, tracks=[make_track(2, at=NOW + 1)], alerts=[hover], removed=[1])
        assert client.portal is not None
        client.portal.call(live.apply_and_publish, update, bus)  # on the app's event loop
        msg = ws.receive_json()
        assert msg["type"] == "update" and msg["at"] == NOW + 1
        assert [t["track_id"] for t in msg["tracks"]] == [2]
        assert msg["alerts"][0]["alert_id"] == "hover:2:car park" and msg["alerts"][0]["why"] == hover.why
        assert msg["removed"] == [1]
    assert bus._subs[live.subject] == []  # the client's subscription ended with it


def test_merge_keeps_newest_and_sums_removals() -> None:
    a = Update(at=1.0, tracks=[make_track(1, at=1.0), make_track(2, at=1.0)], alerts=[make_alert(at=1.0)])
    b = Update(at=2.0, tracks=[make_track(1, at=2.0)], alerts=[make_alert(at=1.0, state="resolved")],
               removed=[2, 9])
    msg = merge([a, b])
    assert msg["at"] == 2.0
    assert [(t.track_id, t.at) for t in msg["tracks"]] == [(1, 2.0)]
    assert [x.state for x in msg["alerts"]] == ["resolved"]
    assert msg["removed"] == [2, 9]
