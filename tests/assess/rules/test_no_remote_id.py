"""no_remote_id: a drone without identity for no_remote_id_s (10) inside Remote ID coverage."""

from __future__ import annotations

from dronewatch.assess import Assessor
from dronewatch.geo import SiteFrame

from ..helpers import TrackFactory, build_site, of_rule, run, serial

STEPS = [100.0 + i for i in range(15)]
FAR_FROM_ZONES = (0.0, -700.0, 50.0)  # inside the 1000 m receiver range


def test_fires_after_no_remote_id_s(assessor: Assessor, make_track: TrackFactory) -> None:
    every, per_t = run(assessor, lambda t: [make_track(1, FAR_FROM_ZONES, (5.0, 0.0, 0.0))], STEPS)
    [alert] = of_rule(every, "no_remote_id")
    assert (alert.raised_at, alert.zone, alert.severity, alert.identity) == (110.0, None, "warning", None)
    assert alert.why == "drone without Remote ID for 10 s inside receiver coverage"
    assert of_rule(per_t[109.0], "no_remote_id") == []


def test_not_with_remote_id(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, FAR_FROM_ZONES, identity=serial("X1"))], STEPS)
    assert of_rule(every, "no_remote_id") == []


def test_not_outside_coverage(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, (0.0, -1100.0, 50.0))], STEPS)
    assert of_rule(every, "no_remote_id") == []


def test_not_without_receiver(frame: SiteFrame, make_track: TrackFactory) -> None:
    assessor = Assessor(build_site(frame, remote_id=False), frame)
    every, _ = run(assessor, lambda t: [make_track(1, FAR_FROM_ZONES)], STEPS)
    assert of_rule(every, "no_remote_id") == []


def test_identity_appearing_resolves(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(1, FAR_FROM_ZONES, identity=serial("X1") if t >= 112 else None)]

    every, _ = run(assessor, tracks, [100.0 + i for i in range(25)])
    assert [(a.state, a.updated_at) for a in of_rule(every, "no_remote_id")] == [
        ("open", 110.0),
        ("resolved", 121.0),
    ]
