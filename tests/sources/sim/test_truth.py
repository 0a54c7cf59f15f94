"""Truth rows: a flock's members, positions consistent between geodetic and ENU, alive windows."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import FRAME, ScenarioFactory, wp

from dronewatch.sources.sim import Simulation


def test_flock_truth_rows(make_scenario: ScenarioFactory) -> None:
    flock = {
        "id": "ID",
        "kind": "bird",
        "count": 8,
        "start_s": 10.0,
        "waypoints": [wp(-1000, 0, 80), wp(1000, 200, 80)],
    }
    sim = Simulation(make_scenario([flock], duration_s=200.0))
    assert sim.truth(sim.start_at + 5.0) == []
    for at in (20.0, 60.0, 95.5):
        rows = sim.truth(sim.start_at + at)
        assert [r.object_id for r in rows] == [f"ID-{i}" for i in range(1, 9)]
        assert {r.kind for r in rows} == {"bird"}
        enu = np.array([(r.e, r.n, r.u) for r in rows])
        spread = np.hypot(*(enu[:, :2] - enu[:, :2].mean(axis=0)).T)
        assert spread.max() < 60.0 and spread.mean() > 5.0  # ~10-40 m around the path
        assert len({(round(r.e), round(r.n)) for r in rows}) == 8  # each bird its own place
        for r in rows:
            e, n, u = FRAME.ground_to_enu(r.lat, r.lon, r.alt_m)
            assert (e, n, u) == pytest.approx((r.e, r.n, r.u), abs=1e-3)
            assert 10.0 < float(np.hypot(r.ve, r.vn)) < 30.0
    assert sim.truth(sim.end_at + 10.0) == []


def test_truth_interpolates_between_steps(make_scenario: ScenarioFactory) -> None:
    obj = {"id": "q", "kind": "multirotor", "loop": True, "waypoints": [wp(0, 0, 40), wp(800, 0, 40)]}
    sim = Simulation(make_scenario([obj], duration_s=100.0))
    a, b, mid = (sim.truth(sim.start_at + t)[0] for t in (30.0, 30.1, 30.05))
    assert mid.e == pytest.approx((a.e + b.e) / 2)
    assert a.e < mid.e < b.e
