"""GET /api/tracks and /api/tracks/{id}: live tracks, history from the store, 404/422."""

from __future__ import annotations

from api_factories import NOW, make_track
from fastapi.testclient import TestClient

from dronewatch.api import LiveState
from dronewatch.model import Update
from dronewatch.store import Store


def test_tracks_follow_updates(client: TestClient, live: LiveState) -> None:
    assert client.get("/api/tracks").json() == []
    tracks = [make_track(3, at=NOW, serial="1596F"), make_track(1, at=NOW)]
    live.apply(Update(at=NOW, tracks=tracks, alerts=[]))
    body = client.get("/api/tracks").json()
    assert [t["track_id"] for t in body] == [1, 3]
    assert body[1]["identity"] == {"scheme": "serial", "value": "1596F", "callsign": None}
    assert body[1]["cls"] == "drone" and body[1]["enu_m"] == [0.0, 100.0, 50.0]
    live.apply(Update(at=NOW + 1, tracks=[make_track(3, at=NOW + 1, e_m=10.0)], alerts=[], removed=[1]))
    body = client.get("/api/tracks").json()
    assert [(t["track_id"], t["at"]) for t in body] == [(3, NOW + 1)]


def test_one_track_with_history(client: TestClient, live: LiveState, store: Store) -> None:
    for i in range(5):
        store.add_tracks([make_track(3, at=NOW + i, e_m=i)], at=NOW + i)
    live.apply(Update(at=NOW + 4, tracks=[make_track(3, at=NOW + 4, e_m=4)], alerts=[]))
    body = client.get("/api/tracks/3").json()
    assert body["track"]["track_id"] == 3
    assert [h["at"] for h in body["history"]] == [NOW + i for i in range(5)]
    assert client.get("/api/tracks/3", params={"history_limit": 2}).json()["history"][0]["at"] == NOW + 3
    live.apply(Update(at=NOW + 5, tracks=[], alerts=[], removed=[3]))
    gone = client.get("/api/tracks/3").json()  # gone from the picture, still in the record
    assert gone["track"] is None and len(gone["history"]) == 5


def test_unknown_track_is_404_and_bad_id_422(client: TestClient) -> None:
    r = client.get("/api/tracks/42")
    assert r.status_code == 404 and r.json()["detail"] == "no track 42"
    assert client.get("/api/tracks/forty-two").status_code == 422
