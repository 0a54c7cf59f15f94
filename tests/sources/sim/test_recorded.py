"""Recorded movers (``track_file`` + ``place``) and radars without class hints.

A recorded track is put on the site as documented: first row at ``place`` at ``t0_s``, turned
``heading_deg`` clockwise, timing and shape kept, heights relative to the first row plus
``alt_m``. Broken track files are refused by ``load_scenario`` and ``dronewatch check`` with the
file and line named.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from simkit import FRAME, ORIGIN, sensor

from dronewatch.config import ConfigError, load_scenario
from dronewatch.geo import SiteFrame
from dronewatch.model import REPORT_DECODER
from dronewatch.sources.sim import Simulation


def _write_track(path: Path, rows: list[tuple[float, float, float, float]]) -> None:
    path.write_text("t_s,lat,lon,alt_m\n" + "".join(f"{t},{la:.9f},{lo:.9f},{al:.3f}\n" for t, la, lo, al in rows))


def _northward_track(path: Path) -> None:
    """A recording somewhere else (Pittsburgh): 100 s flying due north at 10 m/s, climbing 20 m."""
    there = SiteFrame(40.45, -79.78, 270.0)
    rows = []
    for t in range(0, 101, 2):
        lat, lon, alt = there.to_geodetic(0.0, 10.0 * t, 0.2 * t)
        rows.append((30.0 + t, float(lat), float(lon), float(alt)))
    _write_track(path, rows)


def _scenario_file(tmp: Path, obj: dict, *, radar: dict | None = None) -> Path:
    doc = {
        "name": "recorded",
        "seed": 5,
        "duration_s": 150,
        "site": {"name": "s", "origin": ORIGIN,
                 "sensors": [radar or sensor("radar-1", "radar", range_m=3000.0, class_hints=False)]},
        "objects": [obj],
    }
    path = tmp / "scen" / "scenario.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _place(e: float, n: float, heading_deg: float, t0_s: float) -> dict:
    lat, lon, _ = FRAME.to_geodetic(e, n, 0.0)
    return {"lat": float(lat), "lon": float(lon), "heading_deg": heading_deg, "t0_s": t0_s}


def test_recorded_track_is_placed_turned_and_timed(tmp_path: Path) -> None:
    (tmp_path / "scen").mkdir()
    _northward_track(tmp_path / "scen" / "pigeon.csv")
    obj = {"id": "rec-1", "kind": "bird", "track_file": "pigeon.csv", "alt_m": 50.0,
           "place": _place(200.0, -300.0, 90.0, 20.0)}
    sim = Simulation(load_scenario(_scenario_file(tmp_path, obj)))
    start = sim.start_at
    assert [r.object_id for r in sim.truth(start + 19.0)] == []  # not yet
    first = sim.truth(start + 20.0)
    assert [(r.object_id, r.kind) for r in first] == [("rec-1", "bird")]
    assert first[0].e == pytest.approx(200.0, abs=0.01) and first[0].n == pytest.approx(-300.0, abs=0.01)
    assert first[0].u == pytest.approx(50.0, abs=0.01)
    # Turned 90 degrees clockwise: the recording's "north at 10 m/s" now flies east; climbs 0.2 m/s.
    later = sim.truth(start + 70.0)[0]
    assert later.e == pytest.approx(700.0, abs=0.5) and later.n == pytest.approx(-300.0, abs=0.5)
    assert later.u == pytest.approx(60.0, abs=0.05)
    assert (later.ve, later.vn, later.vu) == pytest.approx((10.0, 0.0, 0.2), abs=0.05)
    assert sim.truth(start + 120.0)[0].e == pytest.approx(1200.0, abs=0.5)  # the last row
    assert sim.truth(start + 121.0) == []  # the recording has ended


def test_radar_without_class_hints_reports_none(tmp_path: Path) -> None:
    (tmp_path / "scen").mkdir()
    _northward_track(tmp_path / "scen" / "pigeon.csv")
    obj = {"id": "rec-1", "kind": "bird", "track_file": "pigeon.csv", "alt_m": 50.0,
           "place": _place(200.0, -300.0, 0.0, 0.0)}
    reports = []
    for hints in (False, True):
        radar = sensor("radar-1", "radar", range_m=3000.0, class_hints=hints, false_alarms_per_scan=1.0)
        sim = Simulation(load_scenario(_scenario_file(tmp_path, obj, radar=radar)))
        reports.append([REPORT_DECODER.decode(f.data) for f in sim.advance(sim.start_at + 60.0)])
    off, on = reports
    assert off and all(r.class_hint is None for r in off)
    assert sum(r.class_hint is not None and r.class_hint.cls == "bird" for r in on) > 40
    # Same random streams either way: the plots are the same, only the hint is missing.
    assert [r.measurement for r in off] == [r.measurement for r in on]


@pytest.mark.parametrize(
    ("content", "line", "needle"),
    [
        ("t_s,lat,lon\n0,51.5,-0.1\n1,51.5,-0.1\n", 1, "header must be exactly t_s,lat,lon,alt_m"),
        ("t_s,lat,lon,alt_m\n0,51.5,-0.1,10\n1,51.5,-0.1\n", 3, "expected 4 columns"),
        ("t_s,lat,lon,alt_m\n0,51.5,-0.1,10\n1,north,-0.1,10\n", 3, "expected numbers"),
        ("t_s,lat,lon,alt_m\n0,51.5,-0.1,10\n2,51.5,-0.1,10\n2,51.5,-0.1,10\n", 4, "t_s must increase"),
        ("t_s,lat,lon,alt_m\n0,51.5,-0.1,10\n5,51.5,-0.1,10\n4,51.5,-0.1,10\n", 4, "t_s must increase"),
        ("t_s,lat,lon,alt_m\n0,95.5,-0.1,10\n5,51.5,-0.1,10\n", 2, "lat must be in [-90, 90]"),
    ],
)
def test_bad_track_file_names_file_and_line(tmp_path: Path, content: str, line: int, needle: str) -> None:
    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "bad.csv").write_text(content)
    path = _scenario_file(tmp_path, {"id": "x", "kind": "bird", "track_file": "bad.csv",
                                     "place": _place(0.0, 0.0, 0.0, 0.0)})
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert err.value.file.endswith("bad.csv") and err.value.line == line
    assert needle in str(err.value) and f"bad.csv:{line}:" in str(err.value)


def test_missing_track_file_names_the_scenario_line(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path, {"id": "x", "kind": "bird", "track_file": "nowhere.csv",
                                     "place": _place(0.0, 0.0, 0.0, 0.0)})
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    text = str(err.value)
    assert text.startswith(f"{path}:") and "$.objects[0].track_file" in text and "nowhere.csv" in text
    assert err.value.line is not None and "track_file" in path.read_text().splitlines()[err.value.line - 1]


@pytest.mark.parametrize(
    ("obj", "needle"),
    [
        ({"id": "x", "kind": "bird", "track_file": "t.csv"}, "`track_file` needs `place"),
        ({"id": "x", "kind": "bird", "track_file": "t.csv", "place": {"lat": 51.5, "lon": -0.1},
          "waypoints": [{"lat": 51.5, "lon": -0.1, "alt_m": 10}]}, "either `waypoints` or `track_file`"),
        ({"id": "x", "kind": "bird"}, "`waypoints` needs at least one point"),
    ],
)
def test_track_file_and_waypoints_rules(tmp_path: Path, obj: dict, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle.replace("[", r"\[").replace("`", "`")):
        load_scenario(_scenario_file(tmp_path, obj))


def test_check_command_on_a_bad_track_file(tmp_path: Path) -> None:
    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "bad.csv").write_text("t_s,lat,lon,alt_m\n0,51.5,-0.1,10\n0,51.5,-0.1,10\n")
    path = _scenario_file(tmp_path, {"id": "x", "kind": "bird", "track_file": "bad.csv",
                                     "place": _place(0.0, 0.0, 0.0, 0.0)})
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "bad.csv:3:" in proc.stderr and "t_s must increase" in proc.stderr
    (tmp_path / "scen" / "bad.csv").write_text("t_s,lat,lon,alt_m\n0,51.5,-0.1,10\n1,51.5,-0.1,10\n")
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "valid scenario" in proc.stdout


def test_recorded_flock_spreads_around_the_recording(tmp_path: Path) -> None:
    (tmp_path / "scen").mkdir()
    _northward_track(tmp_path / "scen" / "pigeon.csv")
    obj = {"id": "flock", "kind": "bird", "count": 5, "track_file": "pigeon.csv", "alt_m": 60.0,
           "place": _place(0.0, 0.0, 45.0, 0.0)}
    sim = Simulation(load_scenario(_scenario_file(tmp_path, obj)))
    rows = sim.truth(sim.start_at + 50.0)
    assert sorted(r.object_id for r in rows) == [f"flock-{i}" for i in range(1, 6)]
    centre = np.mean([[r.e, r.n] for r in rows], axis=0)
    expect = 500.0 * np.array([math.sin(math.radians(45)), math.cos(math.radians(45))])
    assert np.hypot(*(centre - expect)) < 40.0
