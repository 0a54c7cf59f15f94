"""The simulated DroneID receiver (``rf`` sensor): real DroneID blocks for objects with ``dji``."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import FRAME, ScenarioFactory, sensor, wp

from dronewatch.model import Geodetic, Report
from dronewatch.pipeline import Pipeline
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.ocusync.link import LINK
from dronewatch.sources.ocusync.payload import parse_payload
from dronewatch.sources.sim import Simulation

PILOT = {"lat": 51.5005, "lon": -0.1005}


def _dji_drone(object_id: str, e: float, n: float, **dji: object) -> dict[str, object]:
    return {
        "id": object_id,
        "kind": "multirotor",
        "speed_mps": 6.0,
        "loop": True,
        "dji": {"serial": f"1581F{object_id.upper()}", "pilot": PILOT, **dji},
        "waypoints": [wp(e, n, 60.0), wp(e + 200.0, n, 80.0)],
    }


def test_droneid_blocks_decode_to_the_truth(make_scenario: ScenarioFactory) -> None:
    rf = sensor("rf", "rf", range_m=1500.0, rate_hz=1.6, loss=0.0)
    objects = [_dji_drone("a", 100.0, 0.0), _dji_drone("far", 3000.0, 0.0),
               {"id": "plain", "kind": "multirotor", "waypoints": [wp(0.0, 50.0, 50.0, hold_s=500.0)]}]
    sim = Simulation(make_scenario(objects, [rf], duration_s=100.0))
    frames = [f for f in sim.advance(sim.end_at + 1.0) if f.sensor_id == "rf"]
    assert {f.link for f in frames} == {LINK}
    assert len(frames) == pytest.approx(160, abs=2)  # only "a": 1.6 Hz for 100 s
    seqs = [parse_payload(f.data[:173])[0].sequence for f in frames]
    assert seqs == list(range(len(frames)))
    errors = []
    for f in frames:
        (r,) = decode_frame(f)
        assert isinstance(r, Report) and r.identity is not None and r.identity.value == "1581FA"
        m = r.measurement
        assert isinstance(m, Geodetic)
        truth = next(row for row in sim.truth(r.measured_at) if row.object_id == "a")
        e, n, _ = FRAME.to_enu(m.lat, m.lon, FRAME.h0)
        errors.append((e - truth.e, n - truth.n))
        assert r.operator is not None and r.operator.lat == pytest.approx(PILOT["lat"], abs=1e-5)
        assert r.home is not None
        t, _, ok = parse_payload(f.data[:173])
        assert ok and t.product_type == 58
        assert t.height_m == pytest.approx(truth.u, abs=8.0)
    err = np.array(errors)
    assert np.abs(err.mean(axis=0)).max() < 1.0 and 0.8 < err[:, 0].std() < 3.0


def test_droneid_sim_into_tracks(make_scenario: ScenarioFactory) -> None:
    rf = sensor("rf", "rf", range_m=1500.0, rate_hz=1.6, loss=0.1)
    scen = make_scenario([_dji_drone("b", 200.0, 100.0, product_type=63)], [rf], duration_s=30.0)
    sim = Simulation(scen)
    pipe = Pipeline(scen.site, sim.frame)
    update = None
    for k in range(1, 31):
        update = pipe.step(sim.advance(sim.start_at + k), sim.start_at + k)
    assert update is not None
    (track,) = [t for t in update.tracks if t.identity is not None]
    assert track.identity is not None and track.identity.value == "1581FB" and track.identity.scheme == "dji"
    assert track.status == "confirmed"
    assert track.operator is not None and track.home is not None
    assert track.home.lat == pytest.approx(scen.objects[0].waypoints[0].lat, abs=1e-5)  # 1e-7 rad steps
