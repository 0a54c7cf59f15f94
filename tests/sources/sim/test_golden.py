"""A fixed-seed run of every sensor model decodes to the same reports as the recorded run.

``data/golden_reports.json`` holds, for a small scenario with every simulated sensor kind
(radar with clutter, Remote ID with a spoof offset and an operator, ADS-B, DroneID, a
microphone) and every mover kind (multirotor, fixed wing, aircraft, a flock), each frame's
sensor, link, receive time and decoded Report, as the simulator made them before its per-step
work was batched. Speed-ups must not change what the sensors say: strings and integers equal,
floats equal within 1e-9 (relative) or one wire quantum where the value went through an
encoder's rounding. Regenerate only for an intended change of output:
``.venv/bin/python tests/sources/sim/test_golden.py --write``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from simkit import ScenarioFactory, scenario, sensor, wp

from dronewatch.sources.frames import decode_frame
from dronewatch.sources.sim import Simulation

GOLDEN = Path(__file__).with_name("data") / "golden_reports.json"
STEP_S = 0.5


def _scenario(make: ScenarioFactory) -> Any:
    def drone(i: int, **extra: object) -> dict[str, object]:
        return {"id": f"d{i}", "kind": "multirotor", "speed_mps": 6.0 + i,
                "waypoints": [wp(-300.0 + 40.0 * i, -200.0, 40.0 + 5.0 * i, t=float(i)),
                              wp(250.0, 150.0 - 30.0 * i, 70.0, hold_s=4.0), wp(-100.0, 300.0, 60.0)],
                **extra}
    objects = [
        drone(0, remote_id={"serial": "SER-0", "operator": {"lat": 51.5005, "lon": -0.1005}}),
        drone(1, remote_id={"serial": "SER-1"}, remote_id_offset_m={"east": 300.0, "north": -20.0}),
        drone(2, dji={"serial": "1581F2", "pilot": {"lat": 51.5003, "lon": -0.1002}}),
        drone(3, dji={"serial": "1581F3"}, remote_id={"serial": "SER-3"}),
        drone(4),
        {"id": "fw", "kind": "fixed_wing", "remote_id": {"serial": "SER-FW"},
         "waypoints": [wp(-800.0, 0.0, 100.0), wp(800.0, 100.0, 120.0)]},
        {"id": "a1", "kind": "aircraft", "speed_mps": 120.0, "adsb": {"icao": "4ca7b3", "callsign": "EIN154"},
         "waypoints": [wp(-4000.0, 500.0, 900.0), wp(4000.0, 500.0, 900.0)]},
        {"id": "b", "kind": "bird", "count": 4, "waypoints": [wp(0.0, -400.0, 30.0), wp(0.0, 400.0, 40.0)]},
    ]
    sensors = [
        sensor("radar", "radar", range_m=3000.0, false_alarms_per_scan=2.0, scan_s=1.0),
        sensor("rid", "remoteid", range_m=1500.0, rate_hz=2.0, loss=0.2),
        sensor("ads", "adsb", range_m=20000.0, rate_hz=2.0, loss=0.1),
        sensor("rf", "rf", range_m=1500.0, rate_hz=1.6, loss=0.1),
        sensor("mic", "acoustic", range_m=400.0, false_alarms_per_scan=0.2),
    ]
    return make(objects, sensors, seed=11, duration_s=30.0)


def _run(make: ScenarioFactory) -> list[dict[str, Any]]:
    sim = Simulation(_scenario(make))
    out: list[dict[str, Any]] = []
    at = sim.start_at
    while at < sim.end_at:
        at = min(at + STEP_S, sim.end_at)
        for f in sim.advance(at):
            # raw_sha256 is a hash of the bytes: they are compared through the decoded values
            reports = [_leaves(msgspec.to_builtins(msgspec.structs.replace(r, raw_sha256=None)))
                       for r in decode_frame(f)]
            out.append([at, f.sensor_id, f.link, f.received_at, reports])
    return out


def _leaves(value: Any) -> list[Any]:
    """A report's non-null values, depth first in field order (a compact record of it)."""
    if isinstance(value, dict):
        return [leaf for v in value.values() if v is not None for leaf in _leaves(v)]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _same(got: Any, want: Any, where: str) -> None:
    if isinstance(want, list):
        assert isinstance(got, list | tuple) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        # stored to 15 significant digits; one quantum of the coarsest wire field (Remote ID
        # heights: 0.5 m) at worst
        assert got == pytest.approx(want, rel=1e-13, abs=1e-9) or abs(got - want) <= 0.5 + 1e-9, where
    else:
        assert got == want, where


def test_a_fixed_seed_run_says_what_the_recorded_one_said() -> None:
    want = json.loads(GOLDEN.read_text())
    got = _run(scenario)
    assert len(want) > 500 and {w[1] for w in want} == {"radar", "rid", "ads", "rf", "mic"}
    assert len(got) == len(want)
    off_by_a_quantum = 0
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        _same(g, w, f"frame {i}")
        off_by_a_quantum += any(_off(a, b) for a, b in zip(_leaves(g), _leaves(w), strict=True))
    assert off_by_a_quantum <= len(want) // 1000  # a rounding flip is rare, not the rule


def _off(got: Any, want: Any) -> bool:
    return isinstance(want, float) and got != pytest.approx(want, rel=1e-13, abs=1e-9)


def _short(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.15g}")
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(_short(_run(scenario)), separators=(",", ":")) + "\n")
