"""predicted_zone_entry: straight-line entry within predict_horizon_s (60 s), not when inside."""

from __future__ import annotations

import pytest

from dronewatch.assess import Assessor

from ..helpers import TrackFactory, of_rule, run


def test_fires_with_time_to_entry(assessor: Assessor, make_track: TrackFactory) -> None:
    # 300 m west of the Stands' west edge (e = -100), flying east at 10 m/s: 30 s.
    _, changed = assessor.assess([make_track(1, (-400.0, 0.0, 50.0), (10.0, 0.0, 0.0))], now=100.0)
    [alert] = of_rule(changed, "predicted_zone_entry")
    assert (alert.zone, alert.severity) == ("Stands", "critical")
    assert alert.time_to_entry_s == pytest.approx(30.0, abs=0.01)
    assert alert.why == "predicted entry into Stands in 30 s"


def test_not_beyond_horizon(assessor: Assessor, make_track: TrackFactory) -> None:
    # 4 m/s: 75 s away, beyond the 60 s horizon.
    _, changed = assessor.assess([make_track(1, (-400.0, 0.0, 50.0), (4.0, 0.0, 0.0))], now=100.0)
    assert of_rule(changed, "predicted_zone_entry") == []


@pytest.mark.parametrize(
    ("enu", "vel"),
    [
        ((-400.0, 0.0, 50.0), (-10.0, 0.0, 0.0)),  # flying away
        ((-400.0, 0.0, 200.0), (10.0, 0.0, 0.0)),  # passing over the ceiling (120 m)
        ((-400.0, 300.0, 50.0), (10.0, 0.0, 0.0)),  # passing north of it
        ((0.0, 0.0, 50.0), (10.0, 0.0, 0.0)),  # already inside (it is heading for the Car park)
    ],
)
def test_does_not_fire(
    assessor: Assessor,
    make_track: TrackFactory,
    enu: tuple[float, float, float],
    vel: tuple[float, float, float],
) -> None:
    _, changed = assessor.assess([make_track(1, enu, vel)], now=100.0)
    assert [a for a in of_rule(changed, "predicted_zone_entry") if a.zone == "Stands"] == []


def test_descending_into_zone_from_above(assessor: Assessor, make_track: TrackFactory) -> None:
    # Above the Stands at 200 m, descending 4 m/s: reaches the 120 m ceiling in 20 s.
    _, changed = assessor.assess([make_track(1, (0.0, 0.0, 200.0), (0.0, 0.0, -4.0))], now=100.0)
    [alert] = of_rule(changed, "predicted_zone_entry")
    assert alert.time_to_entry_s == pytest.approx(20.0)


def test_not_for_bird(assessor: Assessor, make_track: TrackFactory) -> None:
    bird = make_track(1, (-400.0, 0.0, 50.0), (10.0, 0.0, 0.0), class_votes={"bird": 4.0}, rcs_dbsm=-26.0)
    _, changed = assessor.assess([bird], now=100.0)
    assert changed == []


def test_one_alert_per_track_while_any_entry_is_predicted(
    assessor: Assessor, make_track: TrackFactory
) -> None:
    # East at 10 m/s from e=-405 at t=100: enters the Stands at t=130.5, leaves them at 150.5;
    # beyond lies the Car park (e 550-650): predicted from t=135.5 (60 s out), entered at 195.5.
    def tracks(t: float) -> list:
        return [make_track(1, (-405.0 + 10.0 * (t - 100.0), 0.0, 50.0), (10.0, 0.0, 0.0))]

    every, _ = run(assessor, tracks, [float(t) for t in range(100, 215)])
    predicted = of_rule(every, "predicted_zone_entry")
    # One incident: the less severe Car park prediction holds the Stands alert; no second alert.
    assert {a.alert_id for a in predicted} == {predicted[0].alert_id}
    assert [(a.state, a.zone, a.severity, a.change, a.updated_at) for a in predicted] == [
        ("open", "Stands", "critical", "raised", 100.0),
        ("escalated", "Stands", "critical", "escalated", 190.0),  # nobody acknowledged in 90 s
        ("resolved", "Stands", "critical", "cleared", 205.0),  # last prediction at 195
    ]
    entries = [(a.zone, a.raised_at) for a in of_rule(every, "zone_entry") if a.change == "raised"]
    assert entries == [("Stands", 131.0), ("Car park", 196.0)]
