"""Two neighbouring sites 2.5 km apart with a gap between their radars, and drones that fly from
one to the other, for the hand-off and hub tests (scenario files written for each site)."""

from __future__ import annotations

from pathlib import Path

import yaml

LAT = 51.50
LON_A = -0.100
LON_B = -0.064  # 2.5 km east of A
START = "2026-03-01T10:00:00Z"


def site(name: str, lon: float, radar_range_m: float = 1200.0) -> dict[str, object]:
    return {
        "name": name,
        "origin": {"lat": LAT, "lon": lon, "alt_m": 40},
        "zones": [{"name": "Core", "circle": {"lat": LAT, "lon": lon, "radius_m": 250}, "severity": "critical"}],
        "sensors": [
            {"id": "radar-1", "kind": "radar", "lat": LAT, "lon": lon, "alt_m": 15, "range_m": radar_range_m,
             "pd": 0.95, "false_alarms_per_scan": 0.5, "class_error_rate": 0.05},
            {"id": "rid-1", "kind": "remoteid", "lat": LAT, "lon": lon, "range_m": radar_range_m},
        ],
    }


def objects(duration_s: float) -> list[dict[str, object]]:
    west, east = LON_A - 0.016, LON_B + 0.016
    return [
        # no identity: crosses A, the gap and B (hand-off by kinematic continuity)
        {"id": "dark", "kind": "multirotor", "speed_mps": 14,
         "waypoints": [{"lat": LAT, "lon": west, "alt_m": 60, "t": 5}, {"lat": LAT, "lon": east, "alt_m": 60}]},
        # Remote ID: crosses too, 600 m north (hand-off by serial)
        {"id": "rid", "kind": "multirotor", "speed_mps": 14, "remote_id": {"serial": "1596HANDOFF00001"},
         "waypoints": [{"lat": LAT + 0.0054, "lon": west, "alt_m": 80, "t": 15},
                       {"lat": LAT + 0.0054, "lon": east, "alt_m": 80}]},
        # one hovering drone at each site, alive at the end (the live picture)
        {"id": "hover-a", "kind": "multirotor",
         "waypoints": [{"lat": LAT - 0.004, "lon": LON_A, "alt_m": 50, "t": 1, "hold_s": duration_s}]},
        {"id": "hover-b", "kind": "multirotor",
         "waypoints": [{"lat": LAT - 0.004, "lon": LON_B, "alt_m": 50, "t": 1, "hold_s": duration_s}]},
    ]


def write(tmp: Path, duration_s: float = 400.0, seed: int = 3) -> dict[str, Path]:
    """Scenario files ``alpha`` (site A) and ``bravo`` (site B): same objects, same clock."""
    out = {}
    for k, (name, lon) in enumerate((("alpha", LON_A), ("bravo", LON_B))):
        scen = {"name": f"handoff-{name}", "site": site(name, lon), "seed": seed + k, "start": START,
                "duration_s": duration_s, "objects": objects(duration_s)}
        path = tmp / f"{name}.yaml"
        path.write_text(yaml.safe_dump(scen, sort_keys=False))
        out[name] = path
    return out
