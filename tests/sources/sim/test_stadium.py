"""The built-in stadium scenario: it loads, and its story holds in the simulated truth
(threat timing, benign separation, loiter, swarm arrival); whole-run speed is printed."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from dronewatch.config import Scenario, load_scenario, resolve_scenario
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.sim import Simulation

THREATS = ["intruder-hover", "loiterer", "swarm-1", "swarm-2", "swarm-3", "spoofer"]
BENIGN = ["hobby-1", "hobby-2", "airliner", "helicopter", "police-drone"] + [
    f"gulls-{i}" for i in range(1, 9)
]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(resolve_scenario("stadium"))


@pytest.fixture(scope="module")
def sim(scenario: Scenario) -> Simulation:
    return Simulation(scenario)


def _zone_shape(sim: Simulation, name: str) -> Polygon:
    zone = next(z for z in sim.scenario.site.zones if z.name == name)
    if zone.polygon is not None:
        e, n, _ = sim.frame.ground_to_enu(
            np.array([p[0] for p in zone.polygon]),
            np.array([p[1] for p in zone.polygon]),
            np.zeros(len(zone.polygon)),
        )
        return Polygon(np.column_stack([e, n]))
    assert zone.circle is not None
    e, n, _ = sim.frame.ground_to_enu(zone.circle.lat, zone.circle.lon, 0.0)
    return shapely.Point(float(e), float(n)).buffer(zone.circle.radius_m, quad_segs=64)


def _states(sim: Simulation, object_id: str) -> np.ndarray:
    return sim.truth_table.states[sim.truth_table.ids.index(object_id)]


def _first(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if len(idx) else None


def test_file_loads_with_the_documented_site(scenario: Scenario) -> None:
    site = scenario.site
    assert (scenario.seed, scenario.duration_s) == (7, 600.0)
    assert scenario.start_at == 1781377200.0  # 2026-06-13T19:00:00Z
    assert (site.origin.lat, site.origin.lon, site.origin.alt_m) == (51.556, -0.2796, 40.0)
    assert {z.name: z.severity for z in site.zones} == {
        "Stands": "critical",
        "Pitch": "info",
        "Perimeter": "warning",
        "Approach": "info",
    }
    assert {s.kind for s in site.sensors} == {"radar", "remoteid", "adsb"}
    police = next(o for o in scenario.objects if o.id == "police-drone")
    assert police.remote_id is not None and police.remote_id.serial in {a.serial for a in site.allow}
    assert sum(o.count for o in scenario.objects) <= 25


def test_threats_enter_critical_late_enough_and_staggered(sim: Simulation) -> None:
    stands = _zone_shape(sim, "Stands")
    step_s = sim.scenario.step_s
    appear: dict[str, float] = {}
    entry: dict[str, float] = {}
    for oid in THREATS:
        s = _states(sim, oid)
        alive = ~np.isnan(s[:, 0])
        first_alive = _first(alive)
        assert first_alive is not None
        appear[oid] = first_alive * step_s
        k = _first(alive & shapely.contains_xy(stands, s[:, 0], s[:, 1]))
        if k is not None:
            entry[oid] = k * step_s
            assert entry[oid] - appear[oid] >= 90.0, oid
    assert set(entry) == set(THREATS) - {"loiterer"}
    arrivals = [entry[f"swarm-{i}"] for i in (1, 2, 3)]
    assert max(arrivals) - min(arrivals) <= 10.0
    starts = sorted({round(appear[o] / 50) for o in THREATS})
    assert len(starts) >= 4  # staggered over the run, not all at once


def test_loiterer_stays_just_outside_the_perimeter(sim: Simulation) -> None:
    s = _states(sim, "loiterer")
    r = np.hypot(s[:, 0], s[:, 1])
    band = (r >= 450.0) & (r <= 600.0)
    assert band.sum() * sim.scenario.step_s >= 240.0
    assert np.nanmin(r) > 400.0


def test_benign_objects_stay_far_from_threats_and_hobby_drones_from_zones(sim: Simulation) -> None:
    threats = np.stack([_states(sim, o) for o in THREATS])
    for oid in BENIGN:
        s = _states(sim, oid)
        d = np.hypot(s[None, :, 0] - threats[:, :, 0], s[None, :, 1] - threats[:, :, 1])
        assert np.nanmin(d) > 300.0, oid
    perimeter = _zone_shape(sim, "Perimeter")
    union = shapely.union_all([_zone_shape(sim, z.name) for z in sim.scenario.site.zones])
    for oid in ("hobby-1", "hobby-2"):
        s = _states(sim, oid)
        alive = ~np.isnan(s[:, 0])
        assert alive.all()
        points = shapely.points(s[alive, 0], s[alive, 1])
        assert shapely.distance(perimeter, points).min() > 800.0
        assert shapely.distance(union, points).min() > 200.0


def test_whole_stadium_run_speed(scenario: Scenario) -> None:
    started = time.perf_counter()
    sim = Simulation(scenario)
    built = time.perf_counter()
    frames = []
    for k in range(1, int(scenario.duration_s) + 2):
        frames.extend(sim.advance(sim.start_at + k))
    ran = time.perf_counter()
    print(
        f"\nstadium: build {built - started:.2f} s, advance in 1 s steps {ran - built:.2f} s,",
        f"{len(frames)} frames",
    )
    by_sensor = {sid: sum(f.sensor_id == sid for f in frames) for sid in ("radar-1", "rid-1", "adsb-1")}
    assert all(v > 100 for v in by_sensor.values()), by_sensor
    identities = {
        r.identity.value for f in frames if f.sensor_id != "radar-1" for r in decode_frame(f) if r.identity
    }
    assert {"1581HOBBY0000001", "1581HOBBY0000002", "1596POLICEUAS0001", "1748SPOOFER00777"} <= identities
    assert {"4CA7B3", "43C5E1"} <= identities
