"""zone_entry: fires inside a zone's area and height band, once, and resolves after clear_s."""

from __future__ import annotations

import pytest

from dronewatch.assess import Assessor

from ..helpers import ALLOWED_SERIAL, CAR_PARK_E_M, TrackFactory, of_rule, run, serial

INSIDE = (20.0, -30.0, 50.0)
OUTSIDE = (0.0, 400.0, 50.0)


def test_fires_inside_polygon_with_zone_severity(assessor: Assessor, make_track: TrackFactory) -> None:
    track = make_track(7, INSIDE)
    classified, changed = assessor.assess([track], now=100.0)
    [alert] = of_rule(changed, "zone_entry")
    assert (alert.alert_id, alert.zone, alert.severity, alert.state) == (
        "A00001",
        "Stands",
        "critical",
        "open",
    )
    assert (alert.track_id, alert.track_ids, alert.cls) == (7, (7,), "drone")
    assert alert.position.lat == pytest.approx(track.lat)
    assert alert.position.lon == pytest.approx(track.lon)
    assert alert.position.alt_m == pytest.approx(50.0)
    assert alert.raised_at == alert.updated_at == 100.0
    assert "Stands" in alert.why
    assert classified[0].cls == "drone"


def test_circle_zone_raises_info(assessor: Assessor, make_track: TrackFactory) -> None:
    _, changed = assessor.assess([make_track(1, (CAR_PARK_E_M + 30.0, 30.0, 10.0))], now=100.0)
    [alert] = of_rule(changed, "zone_entry")
    assert (alert.zone, alert.severity) == ("Car park", "info")


def test_edge_of_circle(assessor: Assessor, make_track: TrackFactory) -> None:
    _, inside = assessor.assess([make_track(1, (CAR_PARK_E_M + 49.0, 0.0, 10.0))], now=100.0)
    _, outside = assessor.assess([make_track(2, (CAR_PARK_E_M + 51.0, 0.0, 10.0))], now=100.0)
    assert [a.track_id for a in of_rule(inside + outside, "zone_entry")] == [1]


@pytest.mark.parametrize("u_m", [130.0, -5.0])
def test_not_above_ceiling_or_below_floor(assessor: Assessor, make_track: TrackFactory, u_m: float) -> None:
    _, changed = assessor.assess([make_track(1, (0.0, 0.0, u_m))], now=100.0)
    assert of_rule(changed, "zone_entry") == []


def test_not_outside(assessor: Assessor, make_track: TrackFactory) -> None:
    _, changed = assessor.assess([make_track(1, OUTSIDE)], now=100.0)
    assert of_rule(changed, "zone_entry") == []


def test_not_allow_listed(assessor: Assessor, make_track: TrackFactory) -> None:
    track = make_track(1, INSIDE, identity=serial(ALLOWED_SERIAL.lower()))
    classified, changed = assessor.assess([track], now=100.0)
    assert classified[0].cls == "drone"
    assert changed == []


def test_not_bird_aircraft_or_unknown(assessor: Assessor, make_track: TrackFactory) -> None:
    bird = make_track(1, INSIDE, class_votes={"bird": 5.0}, rcs_dbsm=-25.0)
    aircraft = make_track(2, INSIDE, class_votes={"aircraft": 3.0}, rcs_dbsm=10.0)
    unknown = make_track(3, INSIDE, vel=(5.0, 0.0, 0.0), class_votes={})
    classified, changed = assessor.assess([bird, aircraft, unknown], now=100.0)
    assert [t.cls for t in classified] == ["bird", "aircraft", "unknown"]
    assert changed == []


def test_not_tentative(assessor: Assessor, make_track: TrackFactory) -> None:
    _, changed = assessor.assess([make_track(1, INSIDE, status="tentative")], now=100.0)
    assert changed == []


def test_coasting_is_assessed(assessor: Assessor, make_track: TrackFactory) -> None:
    _, changed = assessor.assess([make_track(1, INSIDE, status="coasting")], now=100.0)
    assert len(of_rule(changed, "zone_entry")) == 1


def test_too_young_then_old_enough(assessor: Assessor, make_track: TrackFactory) -> None:
    # min_track_age_s = 3: first seen at 100, alerts from 103 on.
    every, per_t = run(
        assessor, lambda t: [make_track(1, INSIDE, first_seen_at=100.0)], [100.0, 102.0, 103.0]
    )
    assert per_t[100.0] == per_t[102.0] == []
    assert [a.raised_at for a in of_rule(every, "zone_entry")] == [103.0]


def test_no_duplicates_while_inside(assessor: Assessor, make_track: TrackFactory) -> None:
    every, per_t = run(assessor, lambda t: [make_track(1, INSIDE)], [100.0 + i for i in range(30)])
    assert len(of_rule(every, "zone_entry")) == 1
    assert of_rule(per_t[100.0], "zone_entry")
    assert len(of_rule(assessor.alerts(), "zone_entry")) == 1


def test_resolves_after_clear_s_and_reraises_as_new(assessor: Assessor, make_track: TrackFactory) -> None:
    # Inside 100-104, outside 105-120 (clear_s = 10 after the last time it held, 104), back at 121.
    def tracks(t: float) -> list:
        return [make_track(1, INSIDE if t < 105 or t >= 121 else OUTSIDE)]

    every, per_t = run(assessor, tracks, [float(t) for t in range(100, 123)])
    entries = of_rule(every, "zone_entry")
    assert [(a.alert_id, a.state, a.updated_at) for a in entries] == [
        (entries[0].alert_id, "open", 100.0),
        (entries[0].alert_id, "resolved", 114.0),
        (entries[2].alert_id, "open", 121.0),
    ]
    assert entries[2].alert_id != entries[0].alert_id
    assert of_rule(per_t[113.0], "zone_entry") == []


def test_brief_exit_keeps_one_alert(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(1, OUTSIDE if 105 <= t < 110 else INSIDE)]

    every, _ = run(assessor, tracks, [float(t) for t in range(100, 130)])
    assert [a.state for a in of_rule(every, "zone_entry")] == ["open"]
