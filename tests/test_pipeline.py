"""The pipeline under bad input: malformed frames are counted and logged with their reason,
the run goes on, and nothing already accepted is lost."""

from __future__ import annotations

import logging

import msgspec
import pytest

from dronewatch.config import load_scenario, resolve_scenario
from dronewatch.model import Frame
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation


def test_malformed_frames_are_counted_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    scenario = load_scenario(resolve_scenario("stadium"))
    sim = Simulation(scenario)
    clean = Pipeline(scenario.site, sim.frame)
    dirty = Pipeline(scenario.site, sim.frame)
    garbage = [
        b"{not json",
        b'{"report_id": "x"}',
        msgspec.json.encode({"report_id": "r", "sensor_id": "radar-1", "sensor_kind": "radar",
                             "measured_at": "yesterday", "received_at": 1.0,
                             "measurement": {"type": "radar"}}),
        b"",
    ]
    now = sim.start_at
    caplog.set_level(logging.WARNING, logger="dronewatch.sources.frames")
    for k in range(1, 121):
        now = sim.start_at + k
        frames = sim.advance(now)
        bad = [Frame(sensor_id="radar-1", received_at=now, link="dw-report", data=g) for g in garbage]
        bad.append(Frame(sensor_id="odd-1", received_at=now, link="no-such-link", data=b"\x00"))
        clean_update = clean.step(frames, now)
        dirty_update = dirty.step(bad[: k % 6] + frames + bad[k % 6 :], now)
        assert [t.enu_m for t in dirty_update.tracks] == [t.enu_m for t in clean_update.tracks]
    rejected = dirty.decoder.rejected
    assert sum(rejected.values()) == 120 * len(bad)
    assert rejected["unknown link type"] == 120
    assert rejected["malformed JSON"] >= 120 and rejected["invalid report"] >= 120
    assert dirty.decoder.accepted == clean.decoder.accepted > 0
    assert any("dropped frame" in r.getMessage() and "malformed JSON" in r.getMessage() for r in caplog.records)
    assert [a.rule for a in dirty.assessor.alerts()] == [a.rule for a in clean.assessor.alerts()]
