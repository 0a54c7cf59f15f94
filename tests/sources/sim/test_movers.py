"""Movers: hover holds, pinned times, acceleration / climb / bank limits, orbits, appear and leave."""

from __future__ import annotations

import math

import numpy as np
import pytest
from simkit import ScenarioFactory, wp

from dronewatch.sources.sim import Simulation
from dronewatch.sources.sim.movers import DYNAMICS, G_MPS2


def _path(sim: Simulation, row: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(t_s from start, states) of the alive samples of one object."""
    s = sim.truth_table.states[row]
    k = np.flatnonzero(~np.isnan(s[:, 0]))
    return k * sim.scenario.step_s, s[k]


def test_multirotor_hovers_at_the_waypoint_for_hold_s(make_scenario: ScenarioFactory) -> None:
    obj = {
        "id": "q",
        "kind": "multirotor",
        "start_s": 5.0,
        "waypoints": [wp(0, 0, 50), wp(300, 100, 60, hold_s=40.0), wp(600, 0, 50)],
    }
    sim = Simulation(make_scenario([obj], duration_s=200.0))
    t, s = _path(sim)
    assert t[0] == pytest.approx(5.0)
    speed = np.hypot(s[:, 3], s[:, 4])
    near = np.hypot(s[:, 0] - 300, s[:, 1] - 100) < 3.0
    slow_near = (speed < 1.0) & near
    hover_s = slow_near.sum() * sim.scenario.step_s
    assert hover_s == pytest.approx(40.0, abs=2.0)
    assert np.abs(s[slow_near, 2] - 60).max() < 1.5
    # wander: it does not sit frozen, but stays within a couple of metres
    assert 0.05 < np.hypot(s[slow_near, 0] - 300, s[slow_near, 1] - 100).std() < 2.0
    # it leaves after the last point (braked to a stop there)
    assert t[-1] < 200.0
    assert np.hypot(s[-1, 0] - 600, s[-1, 1]) < 2.0


def test_multirotor_limits(make_scenario: ScenarioFactory) -> None:
    obj = {
        "id": "q",
        "kind": "multirotor",
        "waypoints": [wp(0, 0, 10), wp(400, 0, 120), wp(400, 400, 20), wp(0, 0, 60)],
    }
    sim = Simulation(make_scenario([obj], duration_s=300.0))
    dt_s = sim.scenario.step_s
    _, s = _path(sim)
    dyn = DYNAMICS["multirotor"]
    acc = np.hypot(np.diff(s[:, 3]), np.diff(s[:, 4])) / dt_s
    assert acc.max() <= dyn.accel_mps2 + 1e-6
    assert acc.max() > 0.8 * dyn.accel_mps2  # it does use its acceleration in the turns
    assert s[:, 5].max() <= dyn.climb_mps + 1e-6 and s[:, 5].min() >= -dyn.descent_mps - 1e-6
    assert np.hypot(s[:, 3], s[:, 4]).max() <= dyn.cruise_mps + 1e-6


def test_pinned_time_is_kept(make_scenario: ScenarioFactory) -> None:
    obj = {
        "id": "q",
        "kind": "multirotor",
        "waypoints": [wp(-900, 0, 50, t=10.0), wp(0, 0, 50, t=110.0, hold_s=5.0), wp(200, 0, 50)],
    }
    sim = Simulation(make_scenario([obj], duration_s=200.0))
    t, s = _path(sim)
    arrive = t[np.flatnonzero(np.hypot(s[:, 0], s[:, 1]) < 1.5)[0]]
    assert t[0] == pytest.approx(10.0)
    assert arrive == pytest.approx(110.0, abs=3.0)


def test_fixed_wing_bank_limit_min_speed_and_orbit(make_scenario: ScenarioFactory) -> None:
    obj = {
        "id": "p",
        "kind": "fixed_wing",
        "waypoints": [wp(0, 0, 100), wp(500, 0, 100, hold_s=60.0), wp(500, 600, 100)],
    }
    sim = Simulation(make_scenario([obj], duration_s=200.0))
    dt_s = sim.scenario.step_s
    _, s = _path(sim)
    dyn = DYNAMICS["fixed_wing"]
    speed = np.hypot(s[:, 3], s[:, 4])
    assert speed.min() >= dyn.min_mps - 1e-6
    heading = np.arctan2(s[:, 3], s[:, 4])
    rate = np.abs((np.diff(heading) + math.pi) % (2 * math.pi) - math.pi) / dt_s
    assert (rate <= G_MPS2 * math.tan(math.radians(dyn.bank_deg)) / speed[:-1] + 1e-6).all()
    # the hold is an orbit around the point: it keeps turning within a few hundred metres
    r = np.hypot(s[:, 0] - 500, s[:, 1])
    orbit = r < 250.0
    assert orbit.sum() * dt_s > 60.0
    assert np.degrees(np.abs(np.diff(np.unwrap(heading[orbit])))).sum() > 360.0


def test_loop_keeps_flying_until_the_end_and_bird_speeds(make_scenario: ScenarioFactory) -> None:
    objects = [
        {"id": "l", "kind": "multirotor", "loop": True, "waypoints": [wp(0, 0, 40), wp(100, 0, 40)]},
        {"id": "b", "kind": "bird", "waypoints": [wp(0, 0, 60), wp(3000, 500, 60)]},
    ]
    sim = Simulation(make_scenario(objects, duration_s=150.0))
    t, _ = _path(sim, 0)
    assert t[-1] == pytest.approx(150.0)
    _, bird = _path(sim, 1)
    assert 12.0 < np.median(np.hypot(bird[:, 3], bird[:, 4])) < 20.0
    assert {r.object_id for r in sim.truth(sim.start_at + 100.0)} == {"l", "b"}
