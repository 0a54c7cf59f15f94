"""The full example in docs/scenario-file.md loads and runs (the docs cannot rot)."""

from __future__ import annotations

from pathlib import Path

from dronewatch.config import load_scenario
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.sim import Simulation

DOC = Path(__file__).resolve().parents[3] / "docs" / "scenario-file.md"


def test_scenario_file_example_runs(tmp_path: Path) -> None:
    example = DOC.read_text(encoding="utf-8").split("```yaml\n")[1].split("```")[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    scenario = load_scenario(path)
    sim = Simulation(scenario)
    frames = sim.advance(sim.start_at + 120.0)
    assert {f.sensor_id for f in frames} == {"radar-1", "rid-1", "adsb-1"}
    assert all(decode_frame(f) for f in frames)
    ids = {r.object_id for r in sim.truth(sim.start_at + 100.0)}
    assert {"intruder", "crew", "spoof", "ambulance"} <= ids
    assert {f"starlings-{i}" for i in range(1, 7)} <= ids
