"""Remote ID and ADS-B models: spoof offset, noise, loss, range, identity, altitude reference."""

from __future__ import annotations

import numpy as np
import pytest
from simkit import FRAME, ORIGIN, ScenarioFactory, sensor, wp

from dronewatch.model import Geodetic, Report
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.sim import Simulation


def _reports(sim: Simulation, sensor_id: str) -> list[Report]:
    return [r for f in sim.advance(sim.end_at + 1.0) if f.sensor_id == sensor_id for r in decode_frame(f)]


def _rid_drone(object_id: str, e: float, n: float, **extra: object) -> dict[str, object]:
    return {
        "id": object_id,
        "kind": "multirotor",
        "speed_mps": 6.0,
        "loop": True,
        "remote_id": {"serial": f"SER-{object_id}", "operator": {"lat": 51.5, "lon": -0.1}},
        "waypoints": [wp(e, n, 60.0), wp(e + 200.0, n, 80.0)],
        **extra,
    }


def test_remote_id_offset_noise_and_fields(make_scenario: ScenarioFactory) -> None:
    spoofer = _rid_drone("s", 100.0, 100.0, remote_id_offset_m={"east": 500.0, "north": -20.0})
    rid = sensor("rid", "remoteid", range_m=1500.0, rate_hz=1.0, loss=0.0)
    sim = Simulation(make_scenario([spoofer], [rid], duration_s=400.0))
    reports = _reports(sim, "rid")
    assert len(reports) == pytest.approx(400, abs=1)
    diffs, vel_err = [], []
    for r in reports:
        m = r.measurement
        assert isinstance(m, Geodetic) and m.alt_m is not None and m.vel_enu_mps is not None
        (truth,) = sim.truth(r.measured_at)
        e, n, u = FRAME.to_enu(m.lat, m.lon, m.alt_m)  # alt_m is above the ellipsoid
        diffs.append((e - truth.e, n - truth.n, u - truth.u))
        vel_err.append(np.subtract(m.vel_enu_mps, (truth.ve, truth.vn, truth.vu)))
        assert r.identity is not None and (r.identity.scheme, r.identity.value) == ("serial", "SER-s")
        assert r.operator is not None and r.operator.alt_m == ORIGIN["alt_m"]
        # The beacon's Location timestamp has 0.1 s steps: measured_at is rounded to them.
        assert abs(r.received_at - r.measured_at - 0.02) <= 0.05 + 1e-6
        assert 3.0 <= m.h_sigma_m <= 10.0 and 4.0 <= m.v_sigma_m <= 15.0
    d = np.array(diffs)
    assert d.mean(axis=0) == pytest.approx((500.0, -20.0, 0.0), abs=0.5)
    assert d[:, 0].std() == pytest.approx(1.5, rel=0.2)
    # The velocity is the true one, as quantised on the air (0.25 m/s, 1 degree, 0.5 m/s up).
    assert np.abs(np.array(vel_err)).max() < 0.3


def test_remote_id_loss_and_range(make_scenario: ScenarioFactory) -> None:
    rid = sensor("rid", "remoteid", range_m=1000.0, rate_hz=1.0, loss=0.3)
    objects = [
        _rid_drone("near", 100.0, 0.0),
        _rid_drone("far", 1500.0, 0.0),
        {"id": "silent", "kind": "multirotor", "waypoints": [wp(0.0, 50.0, 50.0, hold_s=1000.0)]},
    ]
    sim = Simulation(make_scenario(objects, [rid], duration_s=600.0))
    reports = _reports(sim, "rid")
    assert {r.identity.value for r in reports if r.identity} == {"SER-near"}
    assert len(reports) / 600 == pytest.approx(0.7, abs=0.06)


def test_adsb_identity_rate_and_altitude(make_scenario: ScenarioFactory) -> None:
    plane = {
        "id": "a1",
        "kind": "aircraft",
        "speed_mps": 150.0,
        "adsb": {"icao": "4ca7b3", "callsign": "EIN154"},
        "waypoints": [wp(-20000.0, 0.0, 3000.0), wp(20000.0, 0.0, 3000.0)],
    }
    adsb = sensor("ads", "adsb", range_m=150000.0, rate_hz=2.0, loss=0.1)
    sim = Simulation(make_scenario([plane], [adsb], duration_s=200.0))
    reports = _reports(sim, "ads")
    assert len(reports) / (200 * 2) == pytest.approx(0.9, abs=0.06)
    for r in reports:
        assert r.identity is not None
        assert (r.identity.scheme, r.identity.value, r.identity.callsign) == ("icao", "4CA7B3", "EIN154")
        m = r.measurement
        assert isinstance(m, Geodetic) and m.alt_m is not None
        (truth,) = sim.truth(r.measured_at)
        assert m.alt_m - ORIGIN["alt_m"] == pytest.approx(truth.alt_m, abs=40.0)
        assert r.received_at - r.measured_at == pytest.approx(0.1)
