"""Classification: cooperative identity first, then hints + RCS + physics + flock + the fitted
kinematic model, fused over the track's life with hysteresis; every verdict has a reason."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dronewatch.assess.classify import Classifier
from dronewatch.assess.classify.features import window_features
from dronewatch.model import Identity, Track

from .helpers import TrackFactory, serial

Path = Callable[[float], tuple[tuple[float, float, float], tuple[float, float, float]]]


def _fly(classifier: Classifier, make_track: TrackFactory, paths: list[Path], seconds: int,
         **track_args: object) -> list[list[tuple[str, float, str]]]:
    """Feed tracks following ``paths`` (t -> position, velocity) once a second; verdicts per call."""
    out = []
    for i in range(seconds):
        now = 1000.0 + i
        tracks: list[Track] = [
            make_track(k + 1, *paths[k](float(i)), at=now, first_seen_at=1000.0, **track_args)  # type: ignore[arg-type]
            for k in range(len(paths))
        ]
        verdicts = classifier.classify_all(tracks, now)
        out.append([(v.cls, v.confidence, v.reason) for v in (verdicts[t.track_id] for t in tracks)])
    return out


def _bird_path(seed: int, offset: tuple[float, float] = (0.0, 0.0), speed: float = 15.0) -> Path:
    """A flapping-flier path: speed wanders ±3 m/s, heading ±25°, height ±4 m (a few-second memory)."""
    rng = np.random.default_rng(seed)
    n = 400
    speeds = speed + np.convolve(rng.normal(0, 3.0, n), np.ones(4) / 2, "same")
    drift = np.cumsum(rng.normal(0, 8.0, n)) * 0.5
    heads = np.radians(45.0 + drift + np.convolve(rng.normal(0, 25, n), np.ones(3) / 3, "same"))
    ve, vn = speeds * np.sin(heads), speeds * np.cos(heads)
    vu = np.convolve(rng.normal(0, 1.5, n), np.ones(3) / 3, "same")
    pos = np.cumsum(np.column_stack([ve, vn, vu]), axis=0) + np.array([offset[0], offset[1], 60.0])

    def at(t: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        k = int(t)
        return (float(pos[k, 0]), float(pos[k, 1]), float(pos[k, 2])), (float(ve[k]), float(vn[k]), float(vu[k]))

    return at


def _straight(speed: float, height: float = 60.0, climb: float = 0.0) -> Path:
    def at(t: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        return (speed * t - 1500.0, 200.0, height + climb * t), (speed, 0.0, climb)

    return at


def _hover(t: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    return (0.3 * math.sin(t / 3.0), 0.3 * math.cos(t / 4.0), 50.0), (0.1 * math.cos(t / 3.0), -0.07, 0.0)


def test_icao_is_aircraft_whatever_the_radar_says(make_track: TrackFactory) -> None:
    track = make_track(1, identity=Identity(scheme="icao", value="4CA2D1"), class_votes={"drone": 9.0})
    assert Classifier().classify(track) == ("aircraft", 0.99)


def test_remote_id_serial_is_drone(make_track: TrackFactory) -> None:
    track = make_track(1, (0.0, 0.0, 80.0), (12.0, 0.0, 0.0), identity=serial("1596A123"), class_votes={})
    assert Classifier().classify(track) == ("drone", 0.95)
    verdict = Classifier().classify_all([track], 100.0)[1]
    assert "1596A123" in verdict.reason


def test_one_wrong_hint_never_makes_a_bird_a_drone(make_track: TrackFactory) -> None:
    # The first hint (and every tenth) wrongly says "drone"; the motion is a bird's, RCS a bird's.
    classifier = Classifier()
    votes: dict[str, float] = {}
    seen = []
    path = _bird_path(3)
    for i in range(60):
        cls = "drone" if i % 10 == 0 else "bird"
        votes[cls] = votes.get(cls, 0.0) + 0.7
        seen.append(classifier.classify(make_track(1, *path(float(i)), at=1000.0 + i, class_votes=dict(votes),
                                                   rcs_dbsm=-25.0)))
    assert seen[0] == ("unknown", 0.0)  # one hint is not enough to call it anything
    assert "drone" not in [cls for cls, _ in seen]
    assert seen[-1][0] == "bird" and seen[-1][1] > 0.95


def test_hints_alone_need_several_hints(make_track: TrackFactory) -> None:
    assert Classifier().classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={"drone": 0.9}))[0] == "unknown"
    assert Classifier().classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={"drone": 3.0}))[0] == "drone"


def test_no_evidence_is_unknown(make_track: TrackFactory) -> None:
    classifier = Classifier()
    verdict = classifier.classify_all([make_track(1, vel=(8.0, 0.0, 0.0), class_votes={})], 100.0)[1]
    assert (verdict.cls, verdict.confidence) == ("unknown", 0.0)
    assert verdict.reason == "not enough evidence yet"


def test_bird_motion_without_hints_becomes_bird_and_says_why(make_track: TrackFactory) -> None:
    verdicts = _fly(Classifier(), make_track, [_bird_path(11)], 90, class_votes={}, rcs_dbsm=-24.0)
    classes = [v[0][0] for v in verdicts]
    assert "drone" not in classes
    assert classes[-1] == "bird"
    assert "bird-like motion" in verdicts[-1][0][2] and verdicts[-1][0][2].startswith("bird ")


def test_steady_straight_drone_without_hints_becomes_drone_early(make_track: TrackFactory) -> None:
    verdicts = _fly(Classifier(), make_track, [_straight(13.0)], 60, class_votes={}, rcs_dbsm=-15.0)
    classes = [v[0][0] for v in verdicts]
    first = classes.index("drone")
    assert first <= 25, classes
    assert set(classes[first:]) == {"drone"}
    assert "drone-like motion" in verdicts[-1][0][2]


def test_hovering_is_not_a_bird_even_with_bird_rcs_and_a_bird_hint(make_track: TrackFactory) -> None:
    verdicts = _fly(Classifier(), make_track, [_hover], 40, class_votes={"bird": 0.8}, rcs_dbsm=-22.0)
    assert verdicts[-1][0][0] == "drone"
    assert "hovers" in verdicts[-1][0][2]


def test_fast_or_high_target_without_identity_is_aircraft(make_track: TrackFactory) -> None:
    fast = _fly(Classifier(), make_track, [_straight(75.0, height=600.0)], 20, class_votes={}, rcs_dbsm=12.0)
    assert fast[-1][0][0] == "aircraft" and fast[-1][0][1] > 0.99
    high = _fly(Classifier(), make_track, [_straight(40.0, height=1500.0)], 20, class_votes={"drone": 0.9})
    assert high[-1][0][0] == "aircraft"


def test_fast_low_dive_is_no_bird_and_no_aircraft(make_track: TrackFactory) -> None:
    verdicts = _fly(Classifier(), make_track, [_straight(38.0, height=250.0, climb=-6.0)], 30, class_votes={},
                    rcs_dbsm=-12.0)
    assert verdicts[-1][0][0] == "drone", verdicts[-1]


def test_a_flock_reads_as_birds(make_track: TrackFactory) -> None:
    # Five birds 20-40 m apart flying one way together, no hints, no RCS.
    lead = _bird_path(5)

    def member(k: int) -> Path:
        dx, dy = 25.0 * math.cos(k), 25.0 * math.sin(k)
        jitter = np.random.default_rng(k).normal(0, 0.6, (400, 3))

        def at(t: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
            (e, n, u), v = lead(t)
            j = jitter[int(t)]
            return (e + dx + j[0], n + dy + j[1], u + j[2]), (v[0] + j[0], v[1] + j[1], v[2] + j[2])

        return at

    classifier = Classifier()
    verdicts = _fly(classifier, make_track, [member(k) for k in range(5)], 60, class_votes={})
    assert {v[0] for v in verdicts[-1]} == {"bird"}
    assert all("others at bird speed" in v[2] for v in verdicts[-1])
    assert all("drone" not in {v[0] for v in call} for call in verdicts)


def test_a_fast_flock_reads_as_birds(make_track: TrackFactory) -> None:
    # Real pigeons fly 25-30 m/s (racing, tailwind): five of them together at 28 m/s (±3), no
    # hints, no RCS, are birds, never drones; the flock cue counts them at that speed.
    lead = _bird_path(7, speed=28.0)

    def member(k: int) -> Path:
        dx, dy = 15.0 * math.cos(k), 15.0 * math.sin(k)

        def at(t: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
            (e, n, u), v = lead(t)
            return (e + dx, n + dy, u), v

        return at

    verdicts = _fly(Classifier(), make_track, [member(k) for k in range(5)], 60, class_votes={})
    assert all("drone" not in {v[0] for v in call} for call in verdicts)
    assert {v[0] for v in verdicts[-1]} == {"bird"}, verdicts[-1]
    assert all("others at bird speed" in v[2] for v in verdicts[-1])


def test_speed_counts_against_a_bird_softly() -> None:
    from dronewatch.assess.classify import cues

    p = [cues.bird_speed_penalty(v) for v in (20.0, 25.0, 28.0, 32.0, 40.0, 70.0)]
    assert p[0] == p[1] == 0.0 and 0.0 < p[2] < p[3] < p[4] == cues.STRONG == p[5]
    assert p[2] < cues.STRONG / 2  # a fast pigeon's window is weak evidence, not a verdict
    # A track that covered little ground (hopping between birds circling in one place) is
    # judged on what it covered, not on its filtered speed.
    t = np.arange(0.0, 21.0)
    hop = np.column_stack([5.0 * np.sin(t), np.zeros_like(t), np.full_like(t, 50.0),
                           np.full_like(t, 35.0), np.zeros_like(t), np.zeros_like(t)])
    f = window_features(t, hop)
    assert f is not None and f[0] == 35.0
    assert cues.covered_speed(f) < 10.0 and cues.bird_speed(f) is None


def test_hysteresis_keeps_class_through_ambiguous_evidence(make_track: TrackFactory) -> None:
    classifier = Classifier()
    moving = (8.0, 0.0, 0.0)
    assert classifier.classify(make_track(1, vel=moving, class_votes={"drone": 3.0}))[0] == "drone"
    # Now the hints split; not enough to switch or to doubt.
    leaning = make_track(1, vel=moving, class_votes={"drone": 3.0, "bird": 1.5})
    assert classifier.classify(leaning)[0] == "drone"
    # Without the history, the same evidence is not enough to call it anything.
    assert Classifier().classify(leaning)[0] == "unknown"
    # Strong bird evidence for a moment does not undo what the track showed before (the tracker
    # may have hopped onto a bird); held for a while, it does switch it.
    bird = _bird_path(3)

    def bird_like(at: float) -> str:
        pos, vel = bird(at - 100.0)
        track = make_track(1, pos, vel, class_votes={"drone": 3.0, "bird": 60.0}, rcs_dbsm=-27.0, at=at)
        return classifier.classify(track)[0]

    assert bird_like(101.0) == "drone"
    assert bird_like(102.0) == "drone"
    switched = next((at for at in range(103, 200) if bird_like(float(at)) == "bird"), None)
    assert switched is not None and switched <= 160, switched


def test_forget_drops_state(make_track: TrackFactory) -> None:
    classifier = Classifier()
    classifier.classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={"drone": 3.0}))
    classifier.forget([1])
    assert classifier.classify(make_track(1, vel=(8.0, 0.0, 0.0), class_votes={})) == ("unknown", 0.0)


def test_window_features_measure_what_they_say() -> None:
    t = np.arange(0.0, 21.0)
    straight = np.column_stack([10.0 * t, np.zeros_like(t), np.full_like(t, 50.0),
                                np.full_like(t, 10.0), np.zeros_like(t), np.zeros_like(t)])
    f = window_features(t, straight)
    assert f is not None
    speed, speed_sd, turn, climb_sd, hover, straightness, height, climb, net_speed = f
    assert (speed, speed_sd, turn, climb_sd, hover) == (10.0, 0.0, 0.0, 0.0, 0.0)
    assert straightness == 1.0 and height == 50.0 and climb == 0.0 and net_speed == 10.0
    # A circle of 30 m radius at 15 m/s turns 28.6 deg/s.
    w = 15.0 / 30.0
    circle = np.column_stack([30 * np.sin(w * t), 30 * np.cos(w * t), np.full_like(t, 30.0),
                              15 * np.cos(w * t), -15 * np.sin(w * t), np.zeros_like(t)])
    g = window_features(t, circle)
    assert g is not None and abs(g[2] - math.degrees(w)) < 0.5 and g[5] < 0.3 and g[8] < 3.0
    assert window_features(t[:5], straight[:5]) is None


def test_spread_features_weigh_estimator_noise_little_and_keep_a_steady_turn() -> None:
    # A steady 10 m/s leg whose estimated velocity jitters +-1 m/s from state to state (estimator
    # noise, not motion): the raw spread would be 1 m/s; the spread features read far less.
    t = np.arange(0.0, 21.0)
    jitter = np.where(np.arange(len(t)) % 2 == 0, 1.0, -1.0)
    leg = np.column_stack([10.0 * t, np.zeros_like(t), np.full_like(t, 50.0),
                           10.0 + jitter, np.zeros_like(t), jitter])
    f = window_features(t, leg)
    assert f is not None and f[1] < 0.3 and f[3] < 0.3
    # A real change of speed (10 -> 16 m/s halfway) still shows in full.
    ramp = leg.copy()
    ramp[:, 3] = np.where(t < 10, 10.0, 16.0)
    g = window_features(t, ramp)
    assert g is not None and g[1] > 2.0
    # The turn rate is read as estimated: a steady 13 deg/s turn reads 13 deg/s.
    w = math.radians(13.0)
    turn = np.column_stack([20 / w * np.sin(w * t), 20 / w * np.cos(w * t), np.full_like(t, 80.0),
                            20 * np.cos(w * t), -20 * np.sin(w * t), np.zeros_like(t)])
    h = window_features(t, turn)
    assert h is not None and abs(h[2] - 13.0) < 0.3
