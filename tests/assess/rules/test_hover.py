"""hover: slower than hover_speed_mps (2) for hover_s (10) inside or within near_m (150) of a zone."""

from __future__ import annotations

from dronewatch.assess import Assessor

from ..helpers import ALLOWED_SERIAL, TrackFactory, of_rule, run, serial

NEAR = (0.0, 200.0, 50.0)  # 100 m north of the Stands
STEPS = [100.0 + i for i in range(15)]


def test_fires_after_hover_s_near_zone(assessor: Assessor, make_track: TrackFactory) -> None:
    every, per_t = run(assessor, lambda t: [make_track(1, NEAR, (0.5, 0.0, 0.0))], STEPS)
    hovers = of_rule(every, "hover")
    assert [(a.raised_at, a.zone, a.severity) for a in hovers] == [(110.0, "Stands", "critical")]
    assert hovers[0].why == "hovering near Stands for 10 s"
    assert of_rule(per_t[109.0], "hover") == []


def test_not_allow_listed(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, NEAR, identity=serial(ALLOWED_SERIAL))], STEPS)
    assert every == []


def test_fires_over_zone(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, (0.0, 0.0, 60.0))], STEPS)
    assert [a.why for a in of_rule(every, "hover")] == ["hovering over Stands for 10 s"]


def test_not_when_moving(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, NEAR, (3.0, 0.0, 0.0))], STEPS)
    assert of_rule(every, "hover") == []


def test_not_far_from_zones(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, (0.0, 400.0, 50.0))], STEPS)
    assert of_rule(every, "hover") == []


def test_a_burst_of_speed_restarts_the_clock(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(1, NEAR, (5.0, 0.0, 0.0) if t == 105.0 else (0.0, 0.0, 0.0))]

    every, _ = run(assessor, tracks, [100.0 + i for i in range(20)])
    assert [a.raised_at for a in of_rule(every, "hover")] == [116.0]


def test_not_when_young(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [make_track(1, NEAR, first_seen_at=t)], STEPS)
    assert every == []


def test_resolves_after_clear_s(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(1, NEAR, (0.0, 0.0, 0.0) if t < 112 else (5.0, 0.0, 0.0))]

    every, _ = run(assessor, tracks, [100.0 + i for i in range(25)])
    assert [(a.state, a.updated_at) for a in of_rule(every, "hover")] == [
        ("open", 110.0),
        ("resolved", 121.0),
    ]
