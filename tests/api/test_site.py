"""GET /api/site: the configured site plus GeoJSON whose circles have the right radius."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from dronewatch.geo import SiteFrame


def test_site_document(client: TestClient) -> None:
    doc = client.get("/api/site").json()
    assert doc["name"] == "Test Stadium"
    assert doc["origin"] == {"lat": 52.0, "lon": 4.0, "alt_m": 10.0}
    assert [z["name"] for z in doc["zones"]] == ["stadium", "car park"]
    assert [s["id"] for s in doc["sensors"]] == ["radar-1", "rid-1"]
    assert doc["tile_url"] is None
    zones = doc["geojson"]["zones"]["features"]
    assert [z["properties"]["severity"] for z in zones] == ["critical", "warning"]
    car_park = zones[1]["geometry"]["coordinates"][0]
    assert car_park[0] == [4.004, 52.004] and car_park[-1] == car_park[0]  # [lon, lat], closed
    (west, south), (east, north) = doc["geojson"]["bounds"]
    assert west < 4.0 < 4.008 == east and south < 52.0 < 52.006 == north


def test_circles_are_the_configured_radius(client: TestClient) -> None:
    doc = client.get("/api/site").json()
    frame = SiteFrame(52.0, 4.0, 10.0)
    ring = np.array(doc["geojson"]["zones"]["features"][0]["geometry"]["coordinates"][0])
    e, n, _ = frame.ground_to_enu(ring[:, 1], ring[:, 0], np.zeros(len(ring)))
    assert np.allclose(np.hypot(e, n), 300.0, atol=0.5)
    radar = doc["geojson"]["rings"]["features"][0]
    assert radar["properties"]["id"] == "radar-1"
    pts = np.array(radar["geometry"]["coordinates"])
    e, n, _ = frame.ground_to_enu(pts[:, 1], pts[:, 0], np.zeros(len(pts)))
    e0, n0, _ = frame.ground_to_enu(52.001, 4.001, 0.0)
    assert np.allclose(np.hypot(e - e0, n - n0), 2000.0, atol=1.0)
