"""Alert lifecycle through the Assessor: ids, ack, forget, and history."""

from __future__ import annotations

from dronewatch.assess import Assessor
from dronewatch.config import Site
from dronewatch.geo import SiteFrame

from .helpers import TrackFactory, of_rule, run

INSIDE = (0.0, 0.0, 50.0)
FAR = (0.0, -700.0, 50.0)


def test_ids_in_raise_order_and_history_newest_last(assessor: Assessor, make_track: TrackFactory) -> None:
    # Track 3 is in the Stands from t=100, track 5 from t=101: ids follow the raise order.
    def tracks(t: float) -> list:
        return [
            make_track(5, INSIDE if t >= 101 else FAR, (4.0, 0.0, 0.0)),
            make_track(3, INSIDE, (4.0, 0.0, 0.0)),
        ]

    every, _ = run(assessor, tracks, [100.0, 101.0])
    assert [(a.alert_id, a.rule, a.track_id) for a in every] == [
        ("A00001", "zone_entry", 3),
        ("A00002", "zone_entry", 5),
    ]
    assert [a.alert_id for a in assessor.alerts()] == ["A00001", "A00002"]


def test_same_input_same_output(site: Site, frame: SiteFrame, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(i, (-300.0 + 40.0 * i, 30.0 * i, 50.0), (6.0, -1.0, 0.0)) for i in (4, 2, 1, 3)]

    times = [100.0 + i for i in range(40)]
    first, _ = run(Assessor(site, frame), tracks, times)
    second, _ = run(Assessor(site, frame), tracks, times)
    assert first == second
    assert len(first) > 5


def test_ack(assessor: Assessor, make_track: TrackFactory) -> None:
    _, [alert] = assessor.assess([make_track(1, INSIDE, (4.0, 0.0, 0.0))], now=100.0)
    acked = assessor.ack(alert.alert_id, by="ops1", now=101.5)
    assert acked is not None
    assert (acked.state, acked.acked_by, acked.updated_at) == ("acknowledged", "ops1", 101.5)
    assert assessor.alerts() == [acked]
    assert assessor.ack("A99999", by="ops1", now=102.0) is None


def test_acknowledged_alert_is_not_resent_and_still_resolves(
    assessor: Assessor, make_track: TrackFactory
) -> None:
    _, [alert] = assessor.assess([make_track(1, INSIDE, (4.0, 0.0, 0.0))], now=100.0)
    assessor.ack(alert.alert_id, by="ops1", now=100.5)
    _, changed = assessor.assess([make_track(1, INSIDE, (4.0, 0.0, 0.0))], now=101.0)
    assert changed == []
    _, changed = assessor.assess([make_track(1, FAR, (4.0, 0.0, 0.0))], now=111.0)
    [resolved] = of_rule(changed, "zone_entry")
    assert (resolved.alert_id, resolved.state, resolved.acked_by) == (alert.alert_id, "resolved", "ops1")
    assert assessor.ack(alert.alert_id, by="ops2", now=112.0) == resolved  # resolved stays resolved


def test_forget_resolves_at_once(assessor: Assessor, make_track: TrackFactory) -> None:
    _, [alert] = assessor.assess([make_track(1, INSIDE, (4.0, 0.0, 0.0))], now=100.0)
    [resolved] = assessor.forget([1])
    assert (resolved.alert_id, resolved.state, resolved.updated_at) == (alert.alert_id, "resolved", 100.0)
    assert assessor.alerts() == [resolved]
    _, changed = assessor.assess([], now=101.0)
    assert changed == []  # not reported twice
    # The same id coming back later is a new alert.
    _, changed = assessor.assess([make_track(1, INSIDE, (4.0, 0.0, 0.0), first_seen_at=90.0)], now=103.0)
    assert [a.alert_id for a in changed] == ["A00002"]


def test_classified_tracks_keep_input_order(assessor: Assessor, make_track: TrackFactory) -> None:
    tracks = [make_track(9, FAR), make_track(2, FAR, (9.0, 0.0, 0.0), class_votes={"bird": 3.0})]
    classified, _ = assessor.assess(tracks, now=100.0)
    assert [(t.track_id, t.cls) for t in classified] == [(9, "drone"), (2, "bird")]
    assert classified[0].cls_confidence > 0.9
