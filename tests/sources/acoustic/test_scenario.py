"""A microphone in a scenario: a dark drone near a zone raises no_remote_id; a helicopter with
ADS-B raises nothing; the simulated microphone obeys its miss and false-alarm rates."""

from __future__ import annotations

import msgspec
import pytest

from dronewatch.config import Scenario
from dronewatch.model import REPORT_DECODER, Alert, Geodetic
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation

LAT, LON = 52.0, 4.0
D_LAT = 1 / 111_200  # degrees per metre north (about)


def _scenario(objects: list[dict], mic: dict | None = None, duration_s: float = 90.0, seed: int = 3) -> Scenario:
    site = {
        "name": "mic-site",
        "origin": {"lat": LAT, "lon": LON},
        "zones": [{"name": "Yard", "circle": {"lat": LAT, "lon": LON, "radius_m": 120.0}, "severity": "critical"}],
        "sensors": [
            {"id": "mic-1", "kind": "acoustic", "lat": LAT + 150 * D_LAT, "lon": LON, "range_m": 300.0,
             "pd": 0.8, "false_alarms_per_scan": 0.0, "class_error_rate": 0.05, **(mic or {})},
            {"id": "rid-1", "kind": "remoteid", "lat": LAT, "lon": LON, "range_m": 2000.0},
            {"id": "adsb-1", "kind": "adsb", "lat": LAT, "lon": LON, "range_m": 50000.0},
        ],
    }
    return msgspec.convert({"name": "mic", "site": site, "objects": objects, "seed": seed,
                            "duration_s": duration_s}, Scenario)


def _run(scen: Scenario) -> tuple[list[Alert], Simulation]:
    sim = Simulation(scen)
    pipe = Pipeline(scen.site, sim.frame)
    steps = int(scen.duration_s)
    for k in range(1, steps + 1):
        now = sim.start_at + k
        pipe.step(sim.advance(now), now)
    return pipe.assessor.alerts(), sim


DARK_DRONE = {
    "id": "dark", "kind": "multirotor", "speed_mps": 4.0,
    "waypoints": [{"lat": LAT + 250 * D_LAT, "lon": LON, "alt_m": 60.0},
                  {"lat": LAT + 170 * D_LAT, "lon": LON, "alt_m": 60.0, "hold_s": 300.0}],
}
HELICOPTER = {
    "id": "heli", "kind": "aircraft", "speed_mps": 40.0, "adsb": {"icao": "3C6586", "callsign": "CHX12"},
    "waypoints": [{"lat": LAT + 1500 * D_LAT, "lon": LON - 0.01, "alt_m": 200.0},
                  {"lat": LAT + 150 * D_LAT, "lon": LON, "alt_m": 200.0},
                  {"lat": LAT - 1500 * D_LAT, "lon": LON + 0.01, "alt_m": 200.0}],
}


def test_dark_drone_heard_near_zone_raises_no_remote_id() -> None:
    alerts, sim = _run(_scenario([DARK_DRONE]))
    assert not sim.ignored_sensors
    rules = {a.rule for a in alerts}
    assert "no_remote_id" in rules
    first = min(a.raised_at for a in alerts if a.rule == "no_remote_id") - sim.start_at
    assert first < 60.0
    assert all(a.cls == "drone" for a in alerts)


def test_same_drone_without_microphone_is_not_seen() -> None:
    scen = _scenario([DARK_DRONE])
    site = msgspec.structs.replace(scen.site, sensors=[s for s in scen.site.sensors if s.kind != "acoustic"])
    alerts, _ = _run(msgspec.structs.replace(scen, site=site))
    assert alerts == []  # nothing else senses it: the microphone made the difference


def test_helicopter_with_adsb_raises_nothing() -> None:
    alerts, _sim = _run(_scenario([HELICOPTER], duration_s=120.0))
    assert alerts == []
    # ...although the microphone did hear it (as a helicopter).
    sim2 = Simulation(_scenario([HELICOPTER], duration_s=120.0))
    heard = [REPORT_DECODER.decode(f.data) for f in sim2.advance(sim2.end_at) if f.sensor_id == "mic-1"]
    assert heard and all(r.class_hint is not None for r in heard)
    assert sum(r.class_hint.cls == "aircraft" for r in heard if r.class_hint) > len(heard) // 2


@pytest.mark.parametrize(("pd", "fa"), [(0.9, 0.0), (0.5, 0.0), (0.0, 0.2)])
def test_microphone_miss_and_false_alarm_rates(pd: float, fa: float) -> None:
    hover = {"id": "d", "kind": "multirotor",
             "waypoints": [{"lat": LAT + 150 * D_LAT, "lon": LON, "alt_m": 50.0, "hold_s": 2000.0}]}
    scen = _scenario([hover], mic={"pd": pd, "false_alarms_per_scan": fa, "class_error_rate": 0.0},
                     duration_s=600.0)
    sim = Simulation(scen)
    reports = [REPORT_DECODER.decode(f.data) for f in sim.advance(sim.end_at) if f.sensor_id == "mic-1"]
    windows = 600
    if pd > 0:
        rate = len(reports) / windows
        assert abs(rate - pd) < 4 * (pd * (1 - pd) / windows) ** 0.5 + 1e-9
    else:  # P(at least one false alarm in a window) = 1 - exp(-fa)
        expected = 1 - 2.718281828 ** -fa
        assert abs(len(reports) / windows - expected) < 4 * (expected * (1 - expected) / windows) ** 0.5
    for r in reports:
        assert r.sensor_kind == "acoustic"
        assert isinstance(r.measurement, Geodetic) and r.measurement.h_sigma_m == 150.0
        assert r.measurement.alt_m is None
        assert r.class_hint is not None and r.class_hint.cls == "drone"
