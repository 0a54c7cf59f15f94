"""loiter: within loiter_near_m (300) of a zone, outside it, for loiter_s (120) in total."""

from __future__ import annotations

from dronewatch.assess import Assessor

from ..helpers import CAR_PARK_E_M, TrackFactory, of_rule, run

NEAR = (0.0, 250.0, 50.0)  # 150 m north of the Stands
AWAY = (0.0, -1000.0, 50.0)
INSIDE = (0.0, 0.0, 50.0)


def _seconds(start: int, stop: int) -> list[float]:
    return [float(t) for t in range(start, stop)]


def test_fires_after_loiter_s(assessor: Assessor, make_track: TrackFactory) -> None:
    every, per_t = run(assessor, lambda t: [make_track(1, NEAR, (3.0, 0.0, 0.0))], _seconds(100, 222))
    loiters = of_rule(every, "loiter")
    assert [(a.raised_at, a.zone, a.severity) for a in loiters] == [(220.0, "Stands", "warning")]
    assert loiters[0].why == "loitering near Stands for 120 s"
    assert of_rule(per_t[219.0], "loiter") == []


def test_time_away_does_not_reset(assessor: Assessor, make_track: TrackFactory) -> None:
    # Near 100-160 (60 s counted), away 161-190, near again from 191: 60 more s at 251.
    def tracks(t: float) -> list:
        return [make_track(1, AWAY if 160 < t <= 190 else NEAR, (3.0, 0.0, 0.0))]

    every, _ = run(assessor, tracks, _seconds(100, 260))
    assert [a.raised_at for a in of_rule(every, "loiter")] == [251.0]


def test_entering_resets(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(1, INSIDE if t == 200 else NEAR, (3.0, 0.0, 0.0))]

    every, _ = run(assessor, tracks, _seconds(100, 300))
    assert [a.raised_at for a in of_rule(every, "loiter")] == []
    assert len({a.alert_id for a in of_rule(every, "zone_entry")}) == 1


def test_info_zone_raises_info(assessor: Assessor, make_track: TrackFactory) -> None:
    near_car_park = (CAR_PARK_E_M + 150.0, 0.0, 50.0)
    every, _ = run(assessor, lambda t: [make_track(1, near_car_park, (3.0, 0.0, 0.0))], _seconds(100, 222))
    assert [(a.zone, a.severity) for a in of_rule(every, "loiter")] == [("Car park", "info")]


def test_not_for_bird(assessor: Assessor, make_track: TrackFactory) -> None:
    def bird(t: float) -> list:
        return [make_track(1, NEAR, (3.0, 0.0, 0.0), class_votes={"bird": 5.0}, rcs_dbsm=-24.0)]

    every, _ = run(assessor, bird, _seconds(100, 230))
    assert every == []
