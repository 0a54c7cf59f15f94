"""Test helper (not a test): small scenarios written in site ENU metres."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from dronewatch.config import Scenario
from dronewatch.geo import SiteFrame

ORIGIN = {"lat": 51.5, "lon": -0.1, "alt_m": 30.0}
FRAME = SiteFrame(ORIGIN["lat"], ORIGIN["lon"], ORIGIN["alt_m"])

ScenarioFactory = Callable[..., Scenario]


def wp(e: float, n: float, alt_m: float, **extra: float) -> dict[str, Any]:
    """A waypoint given in site ENU metres (height above the origin's ground)."""
    lat, lon, _ = FRAME.to_geodetic(e, n, 0.0)
    return {"lat": float(lat), "lon": float(lon), "alt_m": alt_m, **extra}


def sensor(sensor_id: str, kind: str, e: float = 0.0, n: float = 0.0, **extra: Any) -> dict[str, Any]:
    """A sensor spec at ENU (e, n) on the ground."""
    lat, lon, _ = FRAME.to_geodetic(e, n, 0.0)
    return {"id": sensor_id, "kind": kind, "lat": float(lat), "lon": float(lon), **extra}


def scenario(
    objects: list[dict[str, Any]],
    sensors: list[dict[str, Any]] | None = None,
    *,
    seed: int = 3,
    duration_s: float = 120.0,
) -> Scenario:
    """A validated Scenario from objects and sensors (dicts as in a scenario file)."""
    data = {
        "name": "test",
        "seed": seed,
        "duration_s": duration_s,
        "start": "2026-06-13T19:00:00Z",
        "site": {"name": "test site", "origin": ORIGIN, "sensors": sensors or []},
        "objects": objects,
    }
    return msgspec.convert(data, Scenario)
