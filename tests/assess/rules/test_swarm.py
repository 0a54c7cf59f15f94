"""swarm: >= swarm_min (3) drones arriving at one zone within swarm_window_s (30) of each other."""

from __future__ import annotations

from dronewatch.assess import Assessor
from dronewatch.model import Track

from ..helpers import CAR_PARK_E_M, TrackFactory, of_rule, run


def _converging(make_track: TrackFactory, t: float, arrivals_s: dict[int, float]) -> list[Track]:
    """Drones flying at 10 m/s towards the Stands' centre from different bearings, each reaching the
    edge (100 m out) ``arrivals_s[id]`` seconds after t=100."""
    tracks = []
    bearings = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (0.6, 0.8)]
    for i, (track_id, arrival_s) in enumerate(sorted(arrivals_s.items())):
        de, dn = bearings[i]
        # Along a diagonal bearing the square's edge is further out than 100 m.
        edge_m = 100.0 / max(abs(de), abs(dn))
        dist_m = edge_m + 10.0 * (arrival_s - (t - 100.0))
        tracks.append(make_track(track_id, (de * dist_m, dn * dist_m, 50.0), (-de * 10.0, -dn * 10.0, 0.0)))
    return tracks


def test_names_all_members(assessor: Assessor, make_track: TrackFactory) -> None:
    tracks = _converging(make_track, 100.0, {4: 40.0, 9: 50.0, 2: 60.0})
    _, changed = assessor.assess(tracks, now=100.0)
    [alert] = of_rule(changed, "swarm")
    assert (alert.track_id, alert.track_ids, alert.zone, alert.severity) == (
        2,
        (2, 4, 9),
        "Stands",
        "critical",
    )
    assert alert.why == "swarm of 3 drones on Stands, arriving in 40 s"
    assert alert.time_to_entry_s is not None and abs(alert.time_to_entry_s - 40.0) < 0.01


def test_not_two(assessor: Assessor, make_track: TrackFactory) -> None:
    _, changed = assessor.assess(_converging(make_track, 100.0, {1: 40.0, 2: 50.0}), now=100.0)
    assert of_rule(changed, "swarm") == []


def test_not_spread_out(assessor: Assessor, make_track: TrackFactory) -> None:
    # 10, 45, 80 s: no 30 s window holds three (beyond swarm_horizon_s nothing counts anyway).
    _, changed = assessor.assess(_converging(make_track, 100.0, {1: 10.0, 2: 45.0, 3: 80.0}), now=100.0)
    assert of_rule(changed, "swarm") == []


def test_not_birds(assessor: Assessor, make_track: TrackFactory) -> None:
    flock = [
        make_track(t.track_id, t.enu_m, t.vel_enu_mps, class_votes={"bird": 4.0}, rcs_dbsm=-25.0)
        for t in _converging(make_track, 100.0, {1: 40.0, 2: 45.0, 3: 50.0})
    ]
    _, changed = assessor.assess(flock, now=100.0)
    assert changed == []


def test_joining_member_updates_the_one_alert(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list[Track]:
        arrivals = {1: 40.0, 2: 45.0, 3: 50.0} | ({4: 55.0} if t >= 105 else {})
        return _converging(make_track, t, arrivals)

    every, per_t = run(assessor, tracks, [100.0 + i for i in range(10)])
    swarms = of_rule(every, "swarm")
    assert len({a.alert_id for a in swarms}) == 1
    assert [(a.track_ids, a.updated_at) for a in swarms] == [((1, 2, 3), 100.0), ((1, 2, 3, 4), 105.0)]
    assert of_rule(assessor.alerts(), "swarm")[0].track_ids == (1, 2, 3, 4)
    assert of_rule(per_t[106.0], "swarm") == []


def test_info_zone_swarm_is_info(assessor: Assessor, make_track: TrackFactory) -> None:
    hovering = [make_track(i, (CAR_PARK_E_M + 10.0 * i, 0.0, 30.0)) for i in (1, 2, 3)]
    _, changed = assessor.assess(hovering, now=100.0)
    [alert] = of_rule(changed, "swarm")
    assert (alert.zone, alert.severity, alert.track_ids) == ("Car park", "info", (1, 2, 3))
    assert alert.why == "swarm of 3 drones on Car park, all 3 entered within 30 s"
