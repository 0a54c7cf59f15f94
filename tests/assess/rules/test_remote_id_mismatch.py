"""remote_id_mismatch: claimed position > mismatch_m (150) away for mismatch_s (5), critical."""

from __future__ import annotations

from dronewatch.assess import Assessor

from ..helpers import ALLOWED_SERIAL, TrackFactory, of_rule, run, serial

WHERE = (0.0, -700.0, 50.0)
STEPS = [100.0 + i for i in range(8)]


def test_fires_after_mismatch_s(assessor: Assessor, make_track: TrackFactory) -> None:
    every, per_t = run(
        assessor, lambda t: [make_track(1, WHERE, identity=serial("SPOOF1"), claimed_offset_m=420.0)], STEPS
    )
    [alert] = of_rule(every, "remote_id_mismatch")
    assert (alert.raised_at, alert.severity, alert.zone, alert.identity) == (
        105.0,
        "critical",
        None,
        "SPOOF1",
    )
    assert alert.why == "SPOOF1 claims a position 420 m from where it is seen (for 5 s)"
    assert of_rule(per_t[104.0], "remote_id_mismatch") == []


def test_not_within_mismatch_m(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(
        assessor, lambda t: [make_track(1, WHERE, identity=serial("A"), claimed_offset_m=100.0)], STEPS
    )
    assert of_rule(every, "remote_id_mismatch") == []


def test_not_when_brief(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list:
        return [make_track(1, WHERE, identity=serial("A"), claimed_offset_m=400.0 if t % 4 else 20.0)]

    every, _ = run(assessor, tracks, [100.0 + i for i in range(20)])
    assert of_rule(every, "remote_id_mismatch") == []


def test_not_allow_listed(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(
        assessor,
        lambda t: [make_track(1, WHERE, identity=serial(ALLOWED_SERIAL), claimed_offset_m=900.0)],
        STEPS,
    )
    assert every == []
