"""Classification: cooperative identity first, then votes + RCS + kinematics, with hysteresis."""

from __future__ import annotations

from dronewatch.assess.classify import Classifier, class_probabilities
from dronewatch.model import Identity

from .helpers import TrackFactory, serial


def test_icao_is_aircraft_whatever_the_radar_says(make_track: TrackFactory) -> None:
    track = make_track(1, identity=Identity(scheme="icao", value="4CA2D1"), class_votes={"drone": 9.0})
    assert Classifier().classify(track) == ("aircraft", 0.99)


def test_remote_id_serial_is_drone(make_track: TrackFactory) -> None:
    track = make_track(1, (0.0, 0.0, 80.0), (12.0, 0.0, 0.0), identity=serial("1596A123"), class_votes={})
    assert Classifier().classify(track) == ("drone", 0.95)


def test_bird_votes_with_a_few_wrong_hints_end_bird_and_never_drone(make_track: TrackFactory) -> None:
    # One hint a second, confidence 0.8; hints 3 and 7 wrongly say "drone" (~10 % + bad luck).
    classifier = Classifier()
    votes = {"bird": 0.0, "drone": 0.0}
    seen = []
    for i in range(1, 13):
        votes["drone" if i in (1, 7) else "bird"] += 0.8
        track = make_track(1, (0.0, 0.0, 40.0), (11.0, 3.0, 0.5), class_votes=dict(votes), rcs_dbsm=-24.0)
        seen.append(classifier.classify(track))
    assert "drone" not in [cls for cls, _ in seen]
    assert seen[-1][0] == "bird"
    assert seen[-1][1] > 0.99


def test_fast_target_without_identity_is_aircraft(make_track: TrackFactory) -> None:
    track = make_track(1, (0.0, 0.0, 600.0), (75.0, 10.0, 0.0), class_votes={}, rcs_dbsm=12.0)
    cls, confidence = Classifier().classify(track)
    assert cls == "aircraft"
    assert confidence > 0.99


def test_high_target_without_identity_is_aircraft_even_with_a_wrong_hint(make_track: TrackFactory) -> None:
    track = make_track(1, (0.0, 0.0, 1500.0), (40.0, 0.0, 0.0), class_votes={"drone": 0.9})
    assert Classifier().classify(track)[0] == "aircraft"


def test_hovering_is_not_a_bird(make_track: TrackFactory) -> None:
    # Bird-sized RCS and one bird hint, but it hangs still: a small drone.
    track = make_track(1, vel=(0.2, 0.1, 0.0), class_votes={"bird": 0.8}, rcs_dbsm=-22.0)
    probs = class_probabilities(track)
    assert probs is not None and probs["bird"] < 0.01
    assert Classifier().classify(track)[0] == "drone"


def test_rcs_alone_separates_bird_and_drone(make_track: TrackFactory) -> None:
    moving = (8.0, 0.0, 0.0)
    assert Classifier().classify(make_track(1, vel=moving, class_votes={}, rcs_dbsm=-28.0))[0] == "bird"
    assert Classifier().classify(make_track(1, vel=moving, class_votes={}, rcs_dbsm=-12.0))[0] == "drone"


def test_no_evidence_is_unknown(make_track: TrackFactory) -> None:
    assert Classifier().classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={})) == ("unknown", 0.0)


def test_weak_evidence_stays_unknown(make_track: TrackFactory) -> None:
    # One drone hint against bird-like RCS: not enough to call it anything.
    track = make_track(1, vel=(8.0, 0.0, 0.0), class_votes={"drone": 0.9}, rcs_dbsm=-25.0)
    assert Classifier().classify(track)[0] == "unknown"


def test_hysteresis_keeps_class_through_ambiguous_evidence(make_track: TrackFactory) -> None:
    classifier = Classifier()
    moving = (8.0, 0.0, 0.0)
    assert classifier.classify(make_track(1, vel=moving, class_votes={"drone": 3.0}))[0] == "drone"
    # Now the evidence leans bird (p ~ 0.7), but not enough to switch (0.85).
    leaning = make_track(1, vel=moving, class_votes={"drone": 3.0, "bird": 3.3})
    probs = class_probabilities(leaning)
    assert probs is not None and 0.5 < probs["bird"] < 0.85
    assert classifier.classify(leaning)[0] == "drone"
    # Without the history, the same evidence reads as bird.
    assert Classifier().classify(leaning)[0] == "bird"
    # Strong bird evidence does switch it.
    assert (
        classifier.classify(make_track(1, vel=moving, class_votes={"drone": 3.0, "bird": 6.0}))[0] == "bird"
    )


def test_forget_drops_state(make_track: TrackFactory) -> None:
    classifier = Classifier()
    classifier.classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={"drone": 3.0}))
    classifier.forget([1])
    assert classifier.classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={})) == ("unknown", 0.0)
