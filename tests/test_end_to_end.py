"""The main job end to end: the built-in stadium scenario run fast, judged from its output files.

Alerts are matched to simulated truth by position at alert time; threats a-d must raise their
rules early enough, and no benign object may be alerted. alerts.jsonl has one line per alert
change: the first line of an id is its raise (judged as the alerts were before), later lines
are versions of the same alert (members joining, escalation, resolution, ...).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, Polygon

from dronewatch.config import Scenario, load_scenario, resolve_scenario

THREATS = {
    "a": {"intruder-hover"},
    "b": {"loiterer"},
    "c": {"swarm-1", "swarm-2", "swarm-3"},
    "d": {"spoofer"},
}
ALL_THREATS = set().union(*THREATS.values())
MATCH_M = 150.0  # an alert belongs to the object nearest its position, within this


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _t(iso: str) -> float:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _dist_m(a: dict[str, Any], b: dict[str, Any]) -> float:
    lat0 = math.radians((a["lat"] + b["lat"]) / 2)
    dn = (a["lat"] - b["lat"]) * 111_320.0
    de = (a["lon"] - b["lon"]) * 111_320.0 * math.cos(lat0)
    return math.sqrt(dn * dn + de * de + (a["alt_m"] - b["alt_m"]) ** 2)


class Run:
    def __init__(self, out: Path, scenario: Scenario) -> None:
        self.lines = _read(out / "alerts.jsonl")  # every change
        self.versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.lines:
            self.versions[line["id"]].append(line)
        self.alerts = [lines[0] for lines in self.versions.values()]  # as raised
        self.tracks = _read(out / "tracks.jsonl")
        truth = _read(out / "truth.jsonl")
        self.truth_at: dict[float, list[dict[str, Any]]] = defaultdict(list)
        for row in truth:
            self.truth_at[round(_t(row["time"]), 3)].append(row)
        self.tracks_at: dict[tuple[float, int], dict[str, Any]] = {
            (round(_t(r["time"]), 3), r["track_id"]): r for r in self.tracks
        }
        self.scenario = scenario

    def nearest(self, at: float, pos: dict[str, Any]) -> tuple[str, float]:
        rows = self.truth_at[round(at, 3)]
        assert rows, f"no truth at {at}"
        best = min(rows, key=lambda r: _dist_m(r, pos))
        return best["object_id"], _dist_m(best, pos)

    def object_of(self, alert: dict[str, Any]) -> str | None:
        obj, d = self.nearest(_t(alert["time"]), alert["position"])
        return obj if d <= MATCH_M else None

    def first_critical_entry(self, object_id: str) -> float | None:
        zones = [z for z in self.scenario.site.zones if z.severity == "critical"]
        for at in sorted(self.truth_at):
            for row in self.truth_at[at]:
                if row["object_id"] != object_id:
                    continue
                for z in zones:
                    if not z.floor_m <= row["alt_m"] <= z.ceiling_m:
                        continue
                    if z.polygon is not None:
                        shape = Polygon([(lon, lat) for lat, lon in z.polygon],
                                        [[(lon, lat) for lat, lon in h] for h in z.holes])
                        inside = shape.contains(Point(row["lon"], row["lat"]))
                    else:
                        assert z.circle is not None
                        centre = {"lat": z.circle.lat, "lon": z.circle.lon, "alt_m": row["alt_m"]}
                        inside = _dist_m(row, centre) <= z.circle.radius_m
                    if inside:
                        return at
        return None


@pytest.fixture(scope="module")
def stadium() -> Scenario:
    return load_scenario(resolve_scenario("stadium"))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stadium")
    proc = subprocess.run(
        [sys.executable, "-m", "dronewatch.cli", "run", "--scenario", "stadium", "--fast", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "alerts" in proc.stdout
    return out


@pytest.fixture(scope="module")
def result(run_dir: Path, stadium: Scenario) -> Run:
    return Run(run_dir, stadium)


def _alerts_for(run: Run, objects: set[str], rule: str | None = None) -> list[dict[str, Any]]:
    return [a for a in run.alerts if (rule is None or a["rule"] == rule) and run.object_of(a) in objects]


def test_output_files_have_the_documented_fields(result: Run) -> None:
    assert result.alerts, "the stadium scenario raised no alert"
    for a in result.lines:
        assert set(a) >= {"id", "time", "raised", "change", "state", "rule", "zone", "severity", "track_id",
                          "track_ids", "position", "class", "why", "by", "note"}
        assert set(a["position"]) == {"lat", "lon", "alt_m"}
        assert a["why"]
    assert {"time", "track_id", "lat", "lon", "alt_m", "class", "identity"} <= set(result.tracks[0])
    some_truth = next(iter(result.truth_at.values()))[0]
    assert set(some_truth) == {"time", "object_id", "kind", "lat", "lon", "alt_m"}
    birds = {r["object_id"] for rows in result.truth_at.values() for r in rows if r["kind"] == "bird"}
    assert any(b.endswith("-1") for b in birds) and len(birds) >= 2


def test_one_line_per_change_of_each_alert(result: Run) -> None:
    assert len(result.lines) > len(result.alerts), "no alert ever changed"
    for alert_id, lines in result.versions.items():
        first = lines[0]
        assert (first["change"], first["state"], first["time"]) == ("raised", "open", first["raised"]), alert_id
        times = [_t(line["time"]) for line in lines]
        assert times == sorted(times), f"{alert_id}: changes out of order"
        assert {(line["rule"], line["raised"]) for line in lines} == {(first["rule"], first["raised"])}
        assert all(line["change"] != "raised" for line in lines[1:])
    assert {"escalated", "cleared"} <= {line["change"] for line in result.lines}


def test_threat_a_predicted_entry_and_hover(result: Run) -> None:
    assert _alerts_for(result, THREATS["a"], "predicted_zone_entry")
    assert _alerts_for(result, THREATS["a"], "hover")


def test_threat_b_no_remote_id_and_loiter(result: Run) -> None:
    assert _alerts_for(result, THREATS["b"], "no_remote_id")
    assert _alerts_for(result, THREATS["b"], "loiter")


def test_threat_c_swarm_names_all_three(result: Run) -> None:
    swarms = [a for a in result.lines if a["rule"] == "swarm"]
    assert swarms, "no swarm alert"
    assert len({a["id"] for a in swarms}) == 1, "the swarm is one incident"
    named_all = False
    for a in swarms:
        at = round(_t(a["time"]), 3)
        objects = set()
        for tid in a["track_ids"]:
            row = result.tracks_at.get((at, tid))
            if row is not None:
                obj, d = result.nearest(at, row)
                if d <= MATCH_M:
                    objects.add(obj)
        named_all = named_all or THREATS["c"] <= objects
    assert named_all, f"no swarm alert names all of {sorted(THREATS['c'])}: {swarms}"


def test_threat_d_remote_id_mismatch(result: Run) -> None:
    assert _alerts_for(result, THREATS["d"], "remote_id_mismatch")


@pytest.mark.parametrize("threat", ["a", "c", "d"])
def test_alerted_30_s_before_critical_entry(result: Run, threat: str) -> None:
    for obj in THREATS[threat]:
        entry = result.first_critical_entry(obj)
        assert entry is not None, f"{obj} never enters a critical zone"
        alerts = _alerts_for(result, {obj})
        assert alerts, f"{obj} was never alerted"
        first = min(_t(a["time"]) for a in alerts)
        assert first <= entry - 30, f"{obj}: first alert {entry - first:.0f} s before entry"


def test_no_benign_object_is_alerted(result: Run) -> None:
    bad = []
    for a in result.alerts:
        obj = result.object_of(a)
        if obj not in ALL_THREATS:
            bad.append((a["rule"], a["zone"], a["time"], obj))
    # A later version sits where its track was at that change (or was last seen, once lost):
    # never on a benign object.
    for a in result.lines:
        obj = result.object_of(a)
        if obj is not None and obj not in ALL_THREATS:
            bad.append((a["rule"], a["zone"], a["time"], obj, a["change"]))
    assert not bad, f"alerts not on a threat: {bad}"


def test_same_seed_gives_identical_alerts(run_dir: Path, stadium: Scenario, tmp_path: Path) -> None:
    from dronewatch.runner import run_fast

    run_fast(stadium, tmp_path)
    assert (tmp_path / "alerts.jsonl").read_bytes() == (run_dir / "alerts.jsonl").read_bytes()
    assert (tmp_path / "tracks.jsonl").read_bytes() == (run_dir / "tracks.jsonl").read_bytes()


def test_zone_geometry_sane(stadium: Scenario) -> None:
    critical = [z for z in stadium.site.zones if z.severity == "critical"]
    assert critical
    for z in critical:
        if z.polygon is not None:
            shape = Polygon([(lon, lat) for lat, lon in z.polygon], [[(lon, lat) for lat, lon in h] for h in z.holes])
            assert shapely.is_valid(shape)
