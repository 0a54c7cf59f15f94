"""Classification of real drone and bird recordings held out of fitting (``fit.HELD_OUT``), flown
past a simulated radar WITHOUT class hints and run through the whole pipeline (tracker +
assessor). Reads shared/data/trajectories; a missing file fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.assess.classify import fit
from dronewatch.assess.classify.kinematic import PARAMS_PATH

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "trajectories"


@pytest.fixture(scope="module")
def data() -> Path:
    assert DATA.is_dir(), f"shared data missing: {DATA}"
    return DATA


def test_held_out_recordings_were_not_fitted() -> None:
    import json

    params = json.loads(PARAMS_PATH.read_text())
    assert set(params["held_out"]) == set(fit.HELD_OUT)
    assert not set(params["trained_on"]) & set(fit.HELD_OUT)


def test_held_out_tracks_without_hints(data: Path) -> None:
    m = fit.held_out_confusion(data, hints=False)
    drones, birds = m["drone"], m["bird"]
    assert sum(drones.values()) >= 4 and sum(birds.values()) >= 20
    assert birds["drone"] == 0, m  # never a bird called a drone
    assert drones["bird"] == 0, m
    assert drones["drone"] >= 0.8 * sum(drones.values()), m
    assert birds["bird"] >= 0.9 * sum(birds.values()), m


def test_motion_alone_never_swaps_drone_and_bird(data: Path) -> None:
    # Every object given the same RCS (between a bird's and a drone's): only the motion tells.
    m = fit.held_out_confusion(data, hints=False, rcs_dbsm=fit.NEUTRAL_RCS_DBSM)
    assert m["bird"]["drone"] == 0 and m["drone"]["bird"] == 0, m
    assert m["bird"]["bird"] >= 0.75 * sum(m["bird"].values()), m
    assert m["drone"]["drone"] >= 1, m


def test_held_out_quadcopter_is_drone_within_a_minute(data: Path, tmp_path: Path) -> None:
    rec = next(r for r in fit.read_all(data) if r.name == "cmu_m100_flight006_route_R3")
    tracks = fit.classified_tracks(rec, 77, tmp_path, hints=False)
    assert tracks, "no track followed the flight"
    for true, got, first_s in tracks:
        assert (true, got) == ("drone", "drone")
        assert first_s <= 60.0
