"""Zones in site ENU: containment, distance and straight-line time to entry."""

from __future__ import annotations

import numpy as np
import pytest

from dronewatch.assess.zones import build_zones
from dronewatch.config import Site
from dronewatch.geo import SiteFrame

from .helpers import CAR_PARK_E_M, CAR_PARK_RADIUS_M


@pytest.fixture
def zones(site: Site, frame: SiteFrame) -> dict:
    return {z.name: z for z in build_zones(site.zones, frame)}


def test_polygon_corners_land_where_they_were_surveyed(zones: dict) -> None:
    minx, miny, maxx, maxy = zones["Stands"].area.bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((-100.0, -100.0, 100.0, 100.0), abs=0.01)


def test_circle_area(zones: dict) -> None:
    assert zones["Car park"].area.area == pytest.approx(3.14159 * CAR_PARK_RADIUS_M**2, rel=1e-3)
    assert zones["Car park"].contains((CAR_PARK_E_M, CAR_PARK_RADIUS_M - 0.5, 399.0))
    assert not zones["Car park"].contains((CAR_PARK_E_M, CAR_PARK_RADIUS_M + 0.5, 10.0))
    assert not zones["Car park"].contains((CAR_PARK_E_M, 0.0, 401.0))


def test_distance_is_three_dimensional(zones: dict) -> None:
    stands = zones["Stands"]
    assert stands.distance_m((0.0, 0.0, 50.0)) == 0.0
    assert stands.distance_m((0.0, 250.0, 50.0)) == pytest.approx(150.0, abs=0.01)
    assert stands.distance_m((0.0, 130.0, 160.0)) == pytest.approx(50.0, abs=0.01)  # 30 m out, 40 m up


def test_time_to_entry(zones: dict) -> None:
    stands = zones["Stands"]
    assert stands.time_to_entry_s((0.0, 0.0, 50.0), (5.0, 0.0, 0.0), 60.0) == 0.0
    assert stands.time_to_entry_s((-300.0, 0.0, 50.0), (10.0, 0.0, 0.0), 60.0) == pytest.approx(
        20.0, abs=0.01
    )
    assert stands.time_to_entry_s((-300.0, 0.0, 50.0), (10.0, 0.0, 0.0), 15.0) is None
    assert stands.time_to_entry_s((-300.0, 0.0, 50.0), (0.0, 0.0, 0.0), 60.0) is None
    # Level at 130 m the path crosses above the ceiling; descending 1 m/s it is in from t = 20 s.
    assert stands.time_to_entry_s((-300.0, 0.0, 130.0), (10.0, 0.0, 0.0), 60.0) is None
    assert stands.time_to_entry_s((-300.0, 0.0, 130.0), (10.0, 0.0, -1.0), 60.0) == pytest.approx(
        20.0, abs=0.01
    )
    # Descending 0.2 m/s it reaches 120 m at t = 50 s, after leaving the square's far side (t = 40 s).
    assert stands.time_to_entry_s((-300.0, 0.0, 130.0), (10.0, 0.0, -0.2), 60.0) is None


def test_batched_queries_answer_each_row_as_alone(zones: dict) -> None:
    """Many tracks at once (some inside, above, still, crossing, missing) give each the answer
    it gets alone: the rows' paths and intersection parts are not mixed up."""
    rng = np.random.default_rng(7)
    for zone in zones.values():
        centre = zone.area.centroid
        enu = np.column_stack([centre.x + rng.uniform(-500, 500, 300), centre.y + rng.uniform(-500, 500, 300),
                               rng.uniform(-20, 160, 300)])
        vel = np.column_stack([rng.normal(0, 12, 300), rng.normal(0, 12, 300), rng.normal(0, 1, 300)])
        vel[::25] = 0.0
        entry = zone.time_to_entry_all(enu, vel, 60.0)
        inside, distance = zone.contains_all(enu), zone.distance_all(enu)
        assert np.isfinite(entry).sum() > 10 and inside.sum() > 0
        for row in range(len(enu)):
            p, v = tuple(enu[row]), tuple(vel[row])
            alone = zone.time_to_entry_s(p, v, 60.0)
            assert (alone is None and np.isnan(entry[row])) or alone == entry[row]
            assert zone.contains(p) == inside[row]
            assert zone.distance_m(p) == distance[row]
