"""WebSocket /api/stream: a snapshot on connect, then only the changes published on the bus."""

from __future__ import annotations

from api_factories import NOW, make_alert, make_track
from fastapi.testclient import TestClient

from dronewatch.api import LiveState
from dronewatch.api.delta import Delta
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


def test_delta_keeps_newest_sends_moves_and_sums_removals() -> None:
    delta = Delta()
    delta.mark_sent([make_track(1, at=0.5)])  # the browser holds track 1 from its snapshot
    delta.add(Update(at=1.0, tracks=[make_track(1, at=1.0), make_track(2, at=1.0)], alerts=[make_alert(at=1.0)]))
    delta.add(Update(at=2.0, tracks=[make_track(1, at=2.0)], alerts=[make_alert(at=1.0, state="resolved")],
                     removed=[2, 9]))
    msg = delta.take()
    assert msg["at"] == 2.0
    assert msg["tracks"] == []  # track 1 only moved: a short array, not the whole track
    assert [m[:2] for m in msg["moves"]] == [[1, 2.0]]
    assert [x.state for x in msg["alerts"]] == ["resolved"]
    assert msg["removed"] == []  # 2 was never sent, 9 never known: nothing to remove
    assert not delta
    delta.add(Update(at=3.0, tracks=[make_track(3, at=3.0)], alerts=[], removed=[1]))
    msg = delta.take()
    assert [t.track_id for t in msg["tracks"]] == [3] and msg["moves"] == [] and msg["removed"] == [1]


def test_delta_stays_bounded_when_nothing_is_taken() -> None:
    delta = Delta()
    for k in range(500):  # a browser that stopped reading: 500 steps of 50 moving tracks
        delta.add(Update(at=float(k), tracks=[make_track(i, at=float(k)) for i in range(50)], alerts=[]))
    assert len(delta.tracks) == 50
    assert {t.at for t in delta.tracks.values()} == {499.0}
