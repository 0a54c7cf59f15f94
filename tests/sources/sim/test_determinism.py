"""Same seed and file -> the same frame bytes, however advance() is stepped; another seed differs."""

from __future__ import annotations

import msgspec
import numpy as np

from dronewatch.config import Scenario, load_scenario, resolve_scenario
from dronewatch.model import Frame
from dronewatch.sources.sim import Simulation


def _run(scenario: Scenario, steps_s: list[float]) -> list[Frame]:
    sim = Simulation(scenario)
    out: list[Frame] = []
    at = sim.start_at
    for step in steps_s:
        at += step
        out.extend(sim.advance(at))
    out.extend(sim.advance(sim.end_at + 5.0))
    return out


def _stadium(duration_s: float = 200.0) -> Scenario:
    return msgspec.structs.replace(load_scenario(resolve_scenario("stadium")), duration_s=duration_s)


def test_same_seed_same_bytes_whatever_the_steps() -> None:
    scenario = _stadium()
    fine = _run(scenario, [0.1] * 2000)
    coarse = _run(scenario, [1.0] * 200)
    rng = np.random.default_rng(0)
    ragged = _run(scenario, list(rng.uniform(0.01, 7.0, 60)))
    one_go = _run(scenario, [])
    assert len(fine) > 1000
    expected = [(f.sensor_id, f.received_at, f.link, f.data) for f in fine]
    for other in (coarse, ragged, one_go):
        assert [(f.sensor_id, f.received_at, f.link, f.data) for f in other] == expected


def test_a_fresh_simulation_repeats_itself() -> None:
    scenario = _stadium(60.0)
    assert _run(scenario, [1.0] * 60) == _run(scenario, [1.0] * 60)


def test_another_seed_gives_other_frames() -> None:
    scenario = _stadium(60.0)
    other = msgspec.structs.replace(scenario, seed=scenario.seed + 1)
    assert [f.data for f in _run(scenario, [1.0] * 60)] != [f.data for f in _run(other, [1.0] * 60)]


def test_advance_returns_frames_in_the_window_sorted() -> None:
    sim = Simulation(_stadium(60.0))
    previous = sim.start_at
    seen = 0
    for k in range(1, 61):
        to_at = sim.start_at + k
        frames = sim.advance(to_at)
        times = [f.received_at for f in frames]
        assert times == sorted(times)
        assert all(previous < t <= to_at for t in times)
        previous = to_at
        seen += len(frames)
    assert seen > 100
    assert sim.advance(previous) == []  # nothing twice
