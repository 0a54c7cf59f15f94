"""GET /api/sensors and the health words: site sensors joined to the status the feeds learnt
(a real CAT034 record of ../shared/data/asterix through the HealthBook), sensors only the feeds
know (a SAPIENT edge node placed by its status location), and the feeds' connection states."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from api_factories import NOW, SITE
from fastapi.testclient import TestClient

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import Site
from dronewatch.sources.asterix.decoder import decode_datagram
from dronewatch.sources.asterix.health import HealthBook
from dronewatch.sources.sensorhealth import STALE_S, feed_word, sensor_word, with_health
from dronewatch.store import Store


@pytest.mark.parametrize(("state", "age", "word"), [
    ("operational", 1.0, "ok"), ("OK", 0.0, "ok"), ("degraded", 1.0, "degraded"), ("WARNING", 1.0, "degraded"),
    ("unknown", 1.0, "degraded"), ("nogo", 1.0, "down"), ("ERROR", 1.0, "down"), ("GOODBYE", 1.0, "down"),
    ("not currently connected", 1.0, "down"), ("silent", 40.0, "stale"), ("OK", STALE_S + 1, "stale"),
])
def test_sensor_words(state: str, age: float, word: str) -> None:
    assert sensor_word({"state": state, "age_s": age}) == word


def test_feed_words() -> None:
    assert feed_word({"connected": False, "last_data_at": NOW}, NOW) == "down"
    assert feed_word({"connected": True, "last_data_at": None}, NOW) == "stale"
    assert feed_word({"connected": True, "last_data_at": NOW - STALE_S - 1}, NOW) == "stale"
    assert feed_word({"connected": True, "last_data_at": NOW - 2}, NOW) == "ok"


def _ingest(captures: Path, now: float) -> dict[str, Any]:
    book = HealthBook()
    for rec in decode_datagram((captures / "asterix" / "cat034.raw").read_bytes()):
        book.update(rec, now - 3.0)
    asterix = {"name": "asterix:udp://127.0.0.1:9", "link": "asterix", "connected": True, "last_data_at": now - 3.0,
               "last_error": None, "sensors": book.snapshot(now)}
    node = {"id": "sapient-n1", "sapient_node": "n1", "name": "mast camera", "kind": "camera", "state": "WARNING",
            "age_s": 1.0, "lat": 52.002, "lon": 4.003, "alt_m": 12.0}
    unplaced = {"id": "sapient-n2", "sapient_node": "n2", "name": None, "kind": "radar", "state": "unknown",
                "age_s": 50.0, "lat": None, "lon": None}
    sapient = {"name": "sapient:tcp-listen://127.0.0.1:8", "link": "sapient", "connected": False,
               "last_data_at": None, "last_error": "listen 127.0.0.1:8: address in use", "sensors": [node, unplaced]}
    statuses = with_health([asterix, sapient], now)
    return {"inputs": statuses, "sensors": [s for st in statuses for s in st["sensors"]]}


def test_api_sensors(tmp_path: Path, captures: Path) -> None:
    site = msgspec.convert(SITE | {"sensors": [*SITE["sensors"], {  # type: ignore[list-item]
        "id": "radar-14", "kind": "radar", "lat": 52.01, "lon": 4.02, "sac": 25, "sic": 14}]}, Site)
    live = LiveState(site)
    live.set_stats_source(lambda: _ingest(captures, NOW))
    store = Store(f"sqlite:///{tmp_path / 'api.db'}")
    try:
        with TestClient(create_app(site, store, live, InProcessBus(), clock=lambda: NOW)) as client:
            body = client.get("/api/sensors").json()
    finally:
        store.close()
    sensors = {s["id"]: s for s in body["sensors"]}
    assert list(sensors) == ["radar-1", "rid-1", "radar-14", "sapient-n1", "sapient-n2"]
    assert sensors["radar-1"]["health"] is None  # nothing reports on it
    radar = sensors["radar-14"]  # the CAT034 of SAC/SIC 25/14, on the site sensor that has that code
    assert (radar["health"], radar["state"], radar["category"], radar["age_s"]) == ("ok", "operational", "CAT034", 3.0)
    assert (radar["lat"], radar["lon"], radar["source"]) == (52.01, 4.02, "site")
    cam = sensors["sapient-n1"]
    assert (cam["health"], cam["kind"], cam["source"], cam["name"]) == ("degraded", "camera", "sapient", "mast camera")
    assert sensors["sapient-n2"]["health"] == "stale"
    points = {f["properties"]["id"]: f for f in body["geojson"]["features"]}
    assert set(points) == {"radar-1", "rid-1", "radar-14", "sapient-n1"}  # n2 has no position
    assert points["sapient-n1"]["geometry"]["coordinates"] == [4.003, 52.002]
    assert points["sapient-n1"]["properties"]["health"] == "degraded"
    feeds = {f["link"]: f for f in body["feeds"]}
    assert (feeds["asterix"]["health"], feeds["asterix"]["age_s"]) == ("ok", 3.0)
    assert feeds["sapient"]["health"] == "down" and "address in use" in feeds["sapient"]["last_error"]


def test_api_sensors_without_feeds(client: TestClient) -> None:
    body = client.get("/api/sensors").json()
    assert [s["health"] for s in body["sensors"]] == [None, None] and body["feeds"] == []
    assert len(body["geojson"]["features"]) == 2
