"""A swarm of four drones arriving from four sides, simulated end to end (radar, tracker,
assessment, run files): ONE swarm alert, whose members grow to name all four, and every
change of it is a line of alerts.jsonl with the same id.

Run with two seeds (radar noise, detections and tracking differ), so passing is not one seed's
luck; seeds 1-6 were all checked to pass when this was written."""

from __future__ import annotations

import msgspec
import pytest

from dronewatch.config import Scenario, load_scenario, resolve_scenario
from dronewatch.geo import SiteFrame
from dronewatch.runner import run_fast
from test_end_to_end import MATCH_M, Run, _t

# (bearing east, north), start distance m, arrival s at 110 m from the centre (inside the Stands)
SIDES = [((0, 1), 1600.0, 200.0), ((1, 0), 1500.0, 212.0), ((0, -1), 1700.0, 228.0), ((-1, 0), 1550.0, 245.0)]


def _scenario(seed: int) -> Scenario:
    site = load_scenario(resolve_scenario("stadium")).site
    frame = SiteFrame(site.origin.lat, site.origin.lon, site.origin.alt_m)

    def point(e: float, n: float, **kw: float) -> dict[str, float]:
        lat, lon, _ = frame.enu_to_ground(e, n, 0.0)
        return {"lat": float(lat), "lon": float(lon), "alt_m": 70.0, **kw}

    objects = [
        {"id": f"side-{i}", "kind": "multirotor", "waypoints": [
            point(de * start, dn * start, t=arrive - 120.0),
            point(de * 110.0, dn * 110.0, t=arrive, hold_s=30.0),
            point(de * 1500.0, dn * 1500.0)]}
        for i, ((de, dn), start, arrive) in enumerate(SIDES, 1)
    ]
    return msgspec.convert({"name": "four sides", "seed": seed, "duration_s": 400.0,
                            "site": msgspec.to_builtins(site), "objects": objects}, Scenario)


@pytest.fixture(scope="module", params=[3, 5], ids=lambda seed: f"seed{seed}")
def result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    scenario = _scenario(request.param)
    out = tmp_path_factory.mktemp("four-sides")
    run_fast(scenario, out)
    return Run(out, scenario)


def test_one_swarm_alert_names_all_four(result: Run) -> None:
    swarm = [line for line in result.lines if line["rule"] == "swarm"]
    assert len({line["id"] for line in swarm}) == 1, [(a["id"], a["track_ids"]) for a in swarm]
    most = max(swarm, key=lambda line: len(line["track_ids"]))
    at = round(_t(most["time"]), 3)
    named = set()
    for track_id in most["track_ids"]:
        row = result.tracks_at[(at, track_id)]
        obj, d = result.nearest(at, row)
        assert d <= MATCH_M
        named.add(obj)
    assert named == {"side-1", "side-2", "side-3", "side-4"}
    # it grew: raised with fewer, a "members" change named the rest
    assert len(swarm[0]["track_ids"]) < 4 and "members" in {line["change"] for line in swarm}
