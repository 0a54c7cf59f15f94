"""The test site of the API tests, and the shared Track / Alert builders."""

from __future__ import annotations

from factories import make_alert, make_track

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z

SITE = {
    "name": "Test Stadium",
    "origin": {"lat": 52.0, "lon": 4.0, "alt_m": 10.0},
    "zones": [
        {"name": "stadium", "circle": {"lat": 52.0, "lon": 4.0, "radius_m": 300}, "severity": "critical"},
        {"name": "car park", "polygon": [[52.004, 4.004], [52.004, 4.008], [52.006, 4.008], [52.006, 4.004]]},
    ],
    "sensors": [
        {"id": "radar-1", "kind": "radar", "lat": 52.001, "lon": 4.001, "range_m": 2000},
        {"id": "rid-1", "kind": "remoteid", "lat": 52.0, "lon": 3.999, "range_m": 1500},
    ],
}

__all__ = ["NOW", "SITE", "make_alert", "make_track"]
