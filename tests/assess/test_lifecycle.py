"""Alert lifecycle in assessment: hysteresis at a zone edge, severity raised in place until
acknowledged (then a new alert), automatic escalation, operators' actions, swarm growth."""

from __future__ import annotations

import math

import pytest

from dronewatch.assess import Assessor
from dronewatch.assess.lifecycle import LifecycleError
from dronewatch.config import Site
from dronewatch.geo import SiteFrame
from dronewatch.model import Track

from .helpers import STANDS_HALF_M, TrackFactory, build_site, of_rule, run

INSIDE = (0.0, 0.0, 50.0)
FAR = (0.0, -700.0, 50.0)


def test_no_flapping_at_a_zone_edge(site: Site, frame: SiteFrame, make_track: TrackFactory) -> None:
    # A drone sitting on the Stands' east edge (e = 100), its position wandering +-15 m with a
    # 40 s period: outside for 20 s at a time, longer than clear_s (10 s).
    def tracks(t: float) -> list[Track]:
        e = STANDS_HALF_M + 15.0 * math.sin(2 * math.pi * (t - 100.0) / 40.0)
        return [make_track(1, (e, 0.0, 50.0), (0.0, 0.0, 0.0))]

    times = [100.0 + i for i in range(300)]
    every, _ = run(Assessor(site, frame), tracks, times)
    raised = [a for a in of_rule(every, "zone_entry") if a.change == "raised"]
    assert len(raised) == 1 and all(a.state != "resolved" for a in of_rule(every, "zone_entry"))
    # Without the margin the same drone raises an alert per swing: the test can fail.
    no_margin = Assessor(build_site(frame, zone_margin_m=0.0), frame)
    every, _ = run(no_margin, tracks, times)
    assert len([a for a in of_rule(every, "zone_entry") if a.change == "raised"]) >= 5
    # Beyond the margin it resolves as before.
    gone, _ = run(Assessor(site, frame), lambda t: [make_track(1, INSIDE if t < 110 else (130.0, 0.0, 50.0))],
                  [100.0 + i for i in range(30)])
    assert [(a.change, a.updated_at) for a in of_rule(gone, "zone_entry")] == [("raised", 100.0), ("cleared", 119.0)]


PREDICTED = "predicted_zone_entry"


def _approach(t: float) -> tuple[float, float, float]:
    """From e=1405 west at 10 m/s: entry into the Car park (info, e <= 650) predicted within
    60 s from t=115.5; into the Stands (critical, e <= 100) from t=170.5, while the Car park
    one still holds (inside the Car park from t=175.5)."""
    return (1405.0 - 10.0 * (t - 100.0), 0.0, 50.0)


def test_more_severe_zone_raises_severity_in_place_until_acknowledged(
    assessor: Assessor, make_track: TrackFactory
) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, _approach(t), (-10.0, 0.0, 0.0))], [100.0 + i for i in range(80)])
    predicted = of_rule(every, PREDICTED)
    assert {a.alert_id for a in predicted} == {predicted[0].alert_id}
    assert [(a.change, a.zone, a.severity, a.updated_at) for a in predicted][:2] == [
        ("raised", "Car park", "info", 116.0), ("severity", "Stands", "critical", 171.0)]
    assert predicted[1].raised_at == 116.0 and predicted[1].note == "now critical (Stands)"


def test_acknowledged_threat_entering_a_more_severe_zone_raises_a_new_alert(
    assessor: Assessor, make_track: TrackFactory
) -> None:
    def tracks(t: float) -> list[Track]:
        return [make_track(1, _approach(t), (-10.0, 0.0, 0.0))]

    every, _ = run(assessor, tracks, [100.0 + i for i in range(17)])
    [first] = of_rule(every, PREDICTED)
    acked = assessor.act(first.alert_id, "ack", "ops1", "watching it", 116.5)
    assert acked is not None and (acked.state, acked.by, acked.note) == ("acknowledged", "ops1", "watching it")
    every, _ = run(assessor, tracks, [117.0 + i for i in range(60)])
    predicted = of_rule(every, PREDICTED)
    superseded = [a for a in predicted if a.alert_id == first.alert_id]
    [fresh] = [a for a in predicted if a.alert_id != first.alert_id]
    assert (fresh.zone, fresh.severity, fresh.state, fresh.raised_at) == ("Stands", "critical", "open", 171.0)
    assert [(a.state, a.change, a.note) for a in superseded] == [
        ("resolved", "superseded", f"superseded by {fresh.alert_id}")]


def test_unacknowledged_alert_escalates_after_the_site_setting(frame: SiteFrame, make_track: TrackFactory) -> None:
    assessor = Assessor(build_site(frame, escalate_after_s=30.0), frame)
    every, _ = run(assessor, lambda t: [make_track(1, INSIDE), make_track(2, (600.0, 0.0, 30.0))],
                   [100.0 + i for i in range(40)])
    escalated = [a for a in of_rule(every, "zone_entry") if a.change == "escalated"]
    # the critical Stands alert escalates at 30 s; the info Car park one never does
    assert [(a.track_id, a.state, a.by, a.updated_at) for a in escalated] == [(1, "escalated", "system", 130.0)]
    assert escalated[0].note == "not acknowledged within 30 s"
    # an acknowledged alert does not
    quiet = Assessor(build_site(frame, escalate_after_s=30.0), frame)
    _, [alert] = quiet.assess([make_track(1, INSIDE)], 100.0)
    quiet.act(alert.alert_id, "ack", "ops", None, 105.0)
    every, _ = run(quiet, lambda t: [make_track(1, INSIDE)], [101.0 + i for i in range(40)])
    assert of_rule(every, "zone_entry") == []
    # off when the site says null
    off = Assessor(build_site(frame, escalate_after_s=None), frame)
    every, _ = run(off, lambda t: [make_track(1, INSIDE)], [100.0 + i for i in range(300)])
    assert {a.change for a in every} == {"raised"}


def test_operator_actions_follow_the_lifecycle(assessor: Assessor, make_track: TrackFactory) -> None:
    _, [alert] = assessor.assess([make_track(1, INSIDE)], 100.0)
    steps = [("ack", "acknowledged"), ("escalate", "escalated"), ("resolve", "resolved"),
             ("false_alarm", "false_alarm")]
    for i, (action, state) in enumerate(steps):
        done = assessor.act(alert.alert_id, action, f"op{i}", f"note {i}", 101.0 + i)  # type: ignore[arg-type]
        assert done is not None
        assert (done.state, done.change, done.by, done.note, done.updated_at) == (
            state, action, f"op{i}", f"note {i}", 101.0 + i)
    assert done.acked_by == "op0"
    with pytest.raises(LifecycleError, match="is false_alarm: cannot escalate"):
        assessor.act(alert.alert_id, "escalate", "op9", None, 110.0)
    assert assessor.act("A99999", "ack", "op", None, 110.0) is None
    # closed while the drone is still inside: no new alert until the condition has gone
    every, _ = run(assessor, lambda t: [make_track(1, INSIDE)], [105.0 + i for i in range(30)])
    assert of_rule(every, "zone_entry") == []
    _, changed = assessor.assess([make_track(1, FAR)], 140.0)
    assert of_rule(changed, "zone_entry") == []  # closed: not resolved again by the system
    _, changed = assessor.assess([make_track(1, INSIDE)], 151.0)
    [again] = of_rule(changed, "zone_entry")
    assert again.change == "raised" and again.alert_id != alert.alert_id


def test_escalated_alert_can_still_be_acknowledged(frame: SiteFrame, make_track: TrackFactory) -> None:
    assessor = Assessor(build_site(frame, escalate_after_s=5.0), frame)
    every, _ = run(assessor, lambda t: [make_track(1, INSIDE)], [100.0 + i for i in range(6)])
    every = of_rule(every, "zone_entry")
    assert every[-1].state == "escalated"
    acked = assessor.act(every[0].alert_id, "ack", "supervisor", None, 106.0)
    assert acked is not None and (acked.state, acked.acked_by, acked.change) == ("escalated", "supervisor", "ack")
    assert assessor.act(every[0].alert_id, "ack", "someone else", None, 107.0) == acked  # already done


def _from_four_sides(make_track: TrackFactory, t: float) -> list[Track]:
    """Four drones at 10 m/s towards the Stands from N, E, S and W, reaching its edge at
    t = 140, 150, 165 and 200: no 30 s window holds all four."""
    out = []
    for track_id, (de, dn), arrive in ((11, (0, 1), 140.0), (12, (1, 0), 150.0), (13, (0, -1), 165.0),
                                        (14, (-1, 0), 200.0)):
        dist = max(STANDS_HALF_M - 20.0, STANDS_HALF_M + 10.0 * (arrive - t))
        moving = dist > STANDS_HALF_M - 20.0
        out.append(make_track(track_id, (de * dist, dn * dist, 50.0),
                              (-de * 10.0, -dn * 10.0, 0.0) if moving else (0.0, 0.0, 0.0)))
    return out


def test_swarm_from_four_sides_is_one_alert_naming_all_four(
    assessor: Assessor, make_track: TrackFactory
) -> None:
    every, _ = run(assessor, lambda t: _from_four_sides(make_track, t), [100.0 + i for i in range(130)])
    swarms = of_rule(every, "swarm")
    assert len({a.alert_id for a in swarms}) == 1
    assert swarms[0].track_ids == (11, 12, 13)  # the three that arrive within 30 s
    joined = [a for a in swarms if a.change == "members"]
    assert joined[0].track_ids == (11, 12, 13, 14) and joined[0].note == "joined 14"
    assert joined[0].why == "swarm of 4 drones on Stands (joined 14)"
    assert of_rule(assessor.alerts(), "swarm")[0].track_ids == (11, 12, 13, 14)


def test_swarm_members_leave_when_their_track_is_lost(assessor: Assessor, make_track: TrackFactory) -> None:
    run(assessor, lambda t: _from_four_sides(make_track, t), [100.0 + i for i in range(120)])
    [left] = of_rule(assessor.forget([12], 220.0), "swarm")
    assert (left.track_ids, left.change, left.note) == ((11, 13, 14), "members", "left 12")
    assert left.state != "resolved"
    resolved = assessor.forget([11, 13, 14], 221.0)
    swarm = [a for a in resolved if a.rule == "swarm"]
    assert [(a.state, a.change) for a in swarm] == [("resolved", "track_lost")]
