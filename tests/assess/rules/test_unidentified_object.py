"""unidentified_object: an unknown track inside a critical zone for ``unidentified_s`` raises a
notice (site setting, default info), never a drone alert; not in other zones, not for classified
tracks, not when switched off."""

from __future__ import annotations

from dronewatch.assess import Assessor
from dronewatch.config import Site
from dronewatch.geo import SiteFrame

from ..helpers import CAR_PARK_E_M, TrackFactory, build_site, of_rule, run

INSIDE = (20.0, -30.0, 50.0)


def _unknown(make_track: TrackFactory, where: tuple[float, float, float]):  # type: ignore[no-untyped-def]
    # No hint, no RCS, no identity, seen for under 12 s: nothing to classify it by yet.
    return lambda t: [make_track(1, where, (8.0, 0.0, 0.0), at=t, first_seen_at=100.0, class_votes={})]


def _site(frame: SiteFrame, **th: object) -> Site:
    return build_site(frame, unidentified_s=5.0, **th)


def test_notice_after_unidentified_s_inside_a_critical_zone(frame: SiteFrame, make_track: TrackFactory) -> None:
    assessor = Assessor(_site(frame), frame)
    every, _ = run(assessor, _unknown(make_track, INSIDE), [100.0 + s for s in range(11)])
    [notice] = every
    assert (notice.rule, notice.zone, notice.severity) == ("unidentified_object", "Stands", "info")
    assert notice.cls == "unknown"
    assert notice.raised_at == 108.0  # 3 s track age, then 5 s inside
    assert "unidentified object inside Stands" in notice.why
    assert all(a.rule == "unidentified_object" for a in every)


def test_site_may_raise_it_as_a_warning_or_switch_it_off(frame: SiteFrame, make_track: TrackFactory) -> None:
    warn = Assessor(_site(frame, unidentified_severity="warning"), frame)
    every, _ = run(warn, _unknown(make_track, INSIDE), [100.0 + s for s in range(11)])
    assert [(a.rule, a.severity) for a in every] == [("unidentified_object", "warning")]
    off = Assessor(_site(frame, unidentified_severity="off"), frame)
    every, _ = run(off, _unknown(make_track, INSIDE), [100.0 + s for s in range(11)])
    assert every == []


def test_not_outside_critical_zones(frame: SiteFrame, make_track: TrackFactory) -> None:
    assessor = Assessor(_site(frame), frame)
    every, _ = run(assessor, _unknown(make_track, (CAR_PARK_E_M, 0.0, 20.0)), [100.0 + s for s in range(11)])
    assert every == []


def test_not_for_classified_tracks(frame: SiteFrame, make_track: TrackFactory) -> None:
    assessor = Assessor(_site(frame), frame)

    def bird(t: float) -> list:
        return [make_track(1, INSIDE, (8.0, 0.0, 0.0), at=t, first_seen_at=100.0, class_votes={"bird": 5.0},
                           rcs_dbsm=-26.0)]

    every, _ = run(assessor, bird, [100.0 + s for s in range(11)])
    assert every == []
    drone = Assessor(_site(frame), frame)
    every, _ = run(drone, lambda t: [make_track(1, INSIDE, at=t, first_seen_at=100.0)], [100.0 + s for s in range(11)])
    assert of_rule(every, "unidentified_object") == [] and of_rule(every, "zone_entry")
