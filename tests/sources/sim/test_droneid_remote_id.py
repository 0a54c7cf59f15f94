"""One DJI drone on two links: DroneID (OcuSync, ``rf`` sensor) and ASTM Remote ID with the same
physical serial. It must be one track carrying both identities; remote_id_mismatch fires when
the two broadcast positions disagree by more than ``mismatch_m`` and stays quiet when they agree."""

from __future__ import annotations

from typing import Any

import pytest
from simkit import ScenarioFactory, sensor, wp

from dronewatch.model import Alert, Identity, Track
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation

SERIAL = "3NZCK7F00A12"  # a made-up DJI flight-controller serial
STEPS_S = 40


def _dji_with_remote_id(offset_east_m: float, rid_serial: str = "1581F" + SERIAL) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": "mavic",
        "kind": "multirotor",
        "speed_mps": 7.0,
        "loop": True,
        "dji": {"serial": SERIAL, "pilot": {"lat": 51.5005, "lon": -0.1005}},
        "remote_id": {"serial": rid_serial},
        "waypoints": [wp(150.0, 100.0, 60.0), wp(450.0, 100.0, 80.0), wp(450.0, 350.0, 70.0)],
    }
    if offset_east_m:
        obj["remote_id_offset_m"] = {"east": offset_east_m}
    return obj


def _run(make_scenario: ScenarioFactory, obj: dict[str, Any], radar: bool = False
         ) -> tuple[list[Track], list[Alert]]:
    sensors = [sensor("rf", "rf", range_m=2000.0, rate_hz=1.6, loss=0.1),
               sensor("rid", "remoteid", range_m=2000.0, rate_hz=1.0, loss=0.1)]
    if radar:
        sensors.append(sensor("radar", "radar", range_m=2000.0, scan_s=1.0))
    scen = make_scenario([obj], sensors, duration_s=STEPS_S + 5.0)
    sim = Simulation(scen)
    pipe = Pipeline(scen.site, sim.frame)
    alerts: list[Alert] = []
    tracks: list[Track] = []
    for k in range(1, STEPS_S + 1):
        update = pipe.step(sim.advance(sim.start_at + k), sim.start_at + k)
        alerts += update.alerts
        tracks = update.tracks
    return tracks, alerts


def _the_drone(tracks: list[Track]) -> Track:
    identified = [t for t in tracks if t.identity is not None]
    assert len(identified) == 1, [(t.track_id, t.identity, t.aliases) for t in identified]
    return identified[0]


@pytest.mark.parametrize("radar", [False, True])
def test_agreeing_links_make_one_quiet_track(make_scenario: ScenarioFactory, radar: bool) -> None:
    tracks, alerts = _run(make_scenario, _dji_with_remote_id(0.0), radar)
    track = _the_drone(tracks)
    keys = {i.key for i in (track.identity, *track.aliases) if i is not None}
    assert keys == {f"dji:{SERIAL}", f"serial:1581F{SERIAL}"}
    assert not track.identity_conflict
    assert {"rf", "rid"} <= set(track.sensors)
    assert track.broadcast_offset_m is not None and track.broadcast_offset_m < 25.0
    assert track.operator is not None and track.home is not None  # DroneID's pilot and home stay
    assert [a for a in alerts if a.rule == "remote_id_mismatch"] == []


@pytest.mark.parametrize("radar", [False, True])
def test_disagreeing_links_raise_remote_id_mismatch(make_scenario: ScenarioFactory, radar: bool) -> None:
    tracks, alerts = _run(make_scenario, _dji_with_remote_id(300.0), radar)
    track = _the_drone(tracks)  # one track, not one per link
    assert {i.key for i in (track.identity, *track.aliases) if i is not None} == {
        f"dji:{SERIAL}", f"serial:1581F{SERIAL}"}
    assert track.broadcast_offset_m == pytest.approx(300.0, abs=30.0)
    mismatch = [a for a in alerts if a.rule == "remote_id_mismatch"]
    assert mismatch and mismatch[0].track_id == track.track_id and mismatch[0].severity == "critical"
    if not radar:
        assert "broadcast positions" in mismatch[0].why and SERIAL in mismatch[0].why


def test_another_serial_is_another_aircraft(make_scenario: ScenarioFactory) -> None:
    """A Remote ID serial of another airframe flying with the DJI drone is not merged into it."""
    tracks, _ = _run(make_scenario, _dji_with_remote_id(300.0, rid_serial="1581F3NZCK7F00A13"))
    identified = [t for t in tracks if t.identity is not None]
    assert {t.identity.key for t in identified if t.identity is not None} == {
        f"dji:{SERIAL}", "serial:1581F3NZCK7F00A13"}
    assert all(t.aliases == () for t in identified)


def test_aircraft_key_joins_one_serial_across_links() -> None:
    dji = Identity(scheme="dji", value=SERIAL)
    assert dji.aircraft_key == Identity(scheme="serial", value="1581F" + SERIAL).aircraft_key
    assert dji.aircraft_key == Identity(scheme="serial", value="1581C" + SERIAL).aircraft_key  # true length
    assert dji.aircraft_key == Identity(scheme="dji", value="1581F" + SERIAL).aircraft_key
    assert dji.aircraft_key != Identity(scheme="serial", value="1596F" + SERIAL).aircraft_key  # other maker
    assert dji.aircraft_key != Identity(scheme="session", value="1581F" + SERIAL).aircraft_key
    assert Identity(scheme="icao", value="3C6444").aircraft_key == "icao:3C6444"
