"""Every frame the simulator produces decodes with the real decode path, with sane fields.
Radar and ADS-B come as dronewatch Report frames; Remote ID as real ASTM F3411 Wi-Fi beacons."""

from __future__ import annotations

import msgspec
import pytest

from dronewatch.config import load_scenario, resolve_scenario
from dronewatch.model import Geodetic, Radar
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.sim import Simulation

LATENCY_S = {"radar": 0.05, "remoteid": 0.02, "adsb": 0.1}


def test_every_stadium_frame_decodes() -> None:
    scenario = msgspec.structs.replace(load_scenario(resolve_scenario("stadium")), duration_s=300.0)
    sim = Simulation(scenario)
    frames = sim.advance(sim.end_at + 1.0)
    kinds: dict[str, int] = {}
    ids = set()
    for f in frames:
        assert f.link == ("odid-wifi-beacon" if f.sensor_id == "rid-1" else "dw-report")
        (report,) = decode_frame(f)
        assert report.sensor_id == f.sensor_id
        assert report.received_at == f.received_at
        latency_s = report.received_at - report.measured_at
        # Remote ID timestamps travel in 0.1 s steps (ASTM F3411 Location message).
        tolerance = 0.05 + 1e-6 if report.sensor_kind == "remoteid" else 1e-6
        assert latency_s == pytest.approx(LATENCY_S[report.sensor_kind], abs=tolerance)
        assert report.report_id.startswith(f"{f.sensor_id}:")
        ids.add(report.report_id)
        kinds[report.sensor_kind] = kinds.get(report.sensor_kind, 0) + 1
        if report.sensor_kind == "radar":
            assert isinstance(report.measurement, Radar)
            assert report.class_hint is not None and report.rcs_dbsm is not None
        else:
            assert isinstance(report.measurement, Geodetic)
            assert report.identity is not None
            assert report.measurement.vel_enu_mps is not None
    assert len(ids) == len(frames)  # report ids are unique
    assert set(kinds) == {"radar", "remoteid", "adsb"}
    beacons = [f for f in frames if f.link == "odid-wifi-beacon"]
    assert beacons and all(b"\xfa\x0b\xbc\x0d" in f.data for f in beacons)  # ODID vendor IE
    radar = [f for f in frames if f.sensor_id == "radar-1"]
    seqs = [int(f.data.split(b'"report_id":"radar-1:')[1].split(b'"')[0]) for f in radar]
    assert sorted(seqs) == list(range(1, len(seqs) + 1))
