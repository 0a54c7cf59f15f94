"""Movers against the real trajectories: the simulated figures fall within what real flights show."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewatch.sources.sim.calibrate import FlightStats, comparison, markdown

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def table() -> dict[str, tuple[list[FlightStats], FlightStats]]:
    trajectories = DATA / "trajectories"
    if not trajectories.is_dir():
        pytest.fail(f"real trajectories not found at {trajectories}")
    return comparison(trajectories)


def _real(real: list[FlightStats], name: str) -> np.ndarray:
    return np.array([getattr(s, name) for s in real])


def test_real_logs_match_their_manifest(table: dict[str, tuple[list[FlightStats], FlightStats]]) -> None:
    real, _ = table["multirotor"]
    assert len(real) == 6
    # MANIFEST: M100 median ground speeds 3.6, 2.0, 3.9, 4.0, 3.2, 0.3 m/s
    assert sorted(np.round(_real(real, "median_speed_mps"), 1)) == pytest.approx(
        sorted([3.6, 2.0, 3.9, 4.0, 3.2, 0.3]), abs=0.25
    )
    assert len(table["fixed_wing"][0]) == 3 and len(table["bird"][0]) == 8


@pytest.mark.parametrize(
    ("kind", "name", "slack"),
    [
        ("fixed_wing", "median_speed_mps", 0.0),
        ("fixed_wing", "p95_turn_dps", 0.25),
        ("bird", "median_speed_mps", 0.0),
        ("bird", "p95_turn_dps", 0.25),
        ("bird", "p95_accel_mps2", 0.25),
        ("multirotor", "max_climb_mps", 0.0),
        ("multirotor", "max_descent_mps", 0.0),
        ("multirotor", "p95_turn_dps", 0.5),
    ],
)
def test_simulated_within_real_range(
    table: dict[str, tuple[list[FlightStats], FlightStats]], kind: str, name: str, slack: float
) -> None:
    real, sim = table[kind]
    values = _real(real, name)
    lo, hi = values.min(), values.max()
    pad = slack * (abs(lo) + abs(hi)) / 2
    assert lo - pad <= getattr(sim, name) <= hi + pad, markdown(table)
