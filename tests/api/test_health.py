"""GET /api/health and the app's other pages (OpenAPI docs, console)."""

from __future__ import annotations

from api_factories import NOW, make_alert, make_track
from fastapi.testclient import TestClient

from dronewatch.api import LiveState
from dronewatch.model import Frame, Update
from dronewatch.store import Store


def test_health_reports_counts_and_time(client: TestClient, store: Store, live: LiveState) -> None:
    store.add_frames([Frame(sensor_id="s", received_at=1.0, link="dw-report", data=b"{}")] * 3)
    live.apply(Update(at=NOW - 5, tracks=[make_track(1), make_track(2)], alerts=[make_alert()]))
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["time"] == NOW and body["picture_at"] == NOW - 5
    assert body["counts"]["frames"] == 3
    assert body["counts"]["live_tracks"] == 2 and body["counts"]["live_alerts"] == 1


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/health", "/api/site", "/api/tracks", "/api/tracks/{track_id}", "/api/alerts",
            "/api/alerts/{alert_id}", "/api/alerts/{alert_id}/ack"} <= set(spec["paths"])
    body = spec["paths"]["/api/alerts/{alert_id}/ack"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["required"] == ["by"]
    assert client.get("/docs").status_code == 200


def test_console_is_served_at_root(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'data-testid="alert-list"' in page.text
    js = client.get("/vendor/maplibre-gl/maplibre-gl.mjs")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert client.get("/vendor/maplibre-gl/LICENSE.txt").status_code == 200
