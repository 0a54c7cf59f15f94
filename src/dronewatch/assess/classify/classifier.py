"""The classifier: fuses every cue over a track's life into drone / bird / aircraft / unknown.

Per call (``classify_all(tracks, now)``), for each track:

Coasting states (extrapolated, not measured) are not used as evidence of motion.

1. A cooperative identity decides: ICAO -> aircraft (0.99), Remote ID / DJI -> drone (0.95).
2. Otherwise the scores of the cues (``cues``) are summed per class: radar hints, RCS,
   physical bounds, the soft speed bound for birds, flock behaviour (flying along with others at
   bird speed, up to ``cues.BIRD_MAX_MPS``; being among tracks
   already called birds), base rates (``DRONE_PRIOR``), and the fitted kinematic
   model (``kinematic``): the median drone-vs-bird log-likelihood ratio of the track's recent
   windows (one every ``EVERY_S``, the last ``KEEP_WINDOWS``) times a weight that grows with
   the windows seen (overlapping windows are not independent: four make one, at most
   ``KIN_MAX_WEIGHT``). An aircraft without a
   physical or RCS cue gets ``AIRCRAFT_PRIOR``. A softmax gives the probabilities.
3. Hysteresis: a track leaves "unknown" only with enough evidence (at least one kinematic
   window, or ``cues.HINT_FULL_VOTES`` of hints) and a probability of ``ENTER_P``; it changes
   class only when another reaches ``SWITCH_P``; it falls back to "unknown" when its class drops
   below ``DOUBT_P`` (and from that doubt needs ``SWITCH_P`` for any other class).
4. Evidence over the track's life: once a track has had a class, its summed scores are
   integrated over its measured time (a leaky mean with time constant ``EVIDENCE_TAU_S``,
   starting from the scores that gave it the class; coasting time does not count), and every
   later decision (switch, doubt, a class after doubt) reads the integrated scores. A few
   seconds of contrary cues cannot undo what minutes of motion showed: among circling birds the
   tracker may hop from bird to bird, and a short fragment of such a track can look like a
   hover or a dash. A new track's first class is not slowed down.

Each verdict carries a one-line reason naming the cues that weighed most.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from dronewatch.assess.classify import cues
from dronewatch.assess.classify.cues import CLASSES, Scores
from dronewatch.assess.classify.features import History, window_features
from dronewatch.assess.classify.kinematic import KinematicModel
from dronewatch.model import ObjectClass, Track

ICAO_CONFIDENCE = 0.99
REMOTE_ID_CONFIDENCE = 0.95
EVERY_S = 5.0
KEEP_WINDOWS = 12
KIN_MAX_WEIGHT = 2.0
# Base rates without a cooperative identity: birds are far more common than drones, and an
# aircraft shows itself by RCS or speed (AIRCRAFT_PRIOR applies when neither is known).
DRONE_PRIOR = -1.0
AIRCRAFT_PRIOR = -2.0
ENTER_P = 0.9
SWITCH_P = 0.95
DOUBT_P = 0.5
FLOCK_RADIUS_M = 150.0
FLOCK_HEIGHT_M = 50.0
FLOCK_DV_MPS = 4.0
FLOCK_SPEED_MPS = (5.0, cues.BIRD_MAX_MPS)  # ground speeds birds fly at (cues.bird_speed_penalty)
FLOCK_SMOOTH = 0.2
AMONG_BIRDS_M = 100.0
EVIDENCE_TAU_S = 30.0


@dataclass(frozen=True)
class Verdict:
    cls: ObjectClass
    confidence: float
    reason: str
    probs: dict[ObjectClass, float] = field(default_factory=dict)


@dataclass
class _State:
    history: History = field(default_factory=History)
    llrs: deque[float] = field(default_factory=lambda: deque(maxlen=KEEP_WINDOWS))
    windows: int = 0
    last_window_at: float = -math.inf
    features: np.ndarray | None = None
    flock: float = 0.0
    among_birds: float = 0.0
    doubted_from: ObjectClass | None = None
    evidence: Scores | None = None  # integrated scores, once the track has had a class
    evidence_at: float = 0.0
    verdict: Verdict = field(default_factory=lambda: Verdict("unknown", 0.0, "not enough evidence yet"))


@lru_cache(maxsize=1)
def shipped_model() -> KinematicModel:
    """The kinematic model fitted by ``fit`` (params.json), loaded once per process."""
    return KinematicModel()


def cooperative(track: Track) -> Verdict | None:
    if track.identity is None:
        return None
    if track.identity.scheme == "icao":
        return Verdict("aircraft", ICAO_CONFIDENCE, f"ADS-B {track.identity.value}", {"aircraft": ICAO_CONFIDENCE})
    return Verdict("drone", REMOTE_ID_CONFIDENCE, f"{track.identity.scheme} {track.identity.value}",
                   {"drone": REMOTE_ID_CONFIDENCE})


class Classifier:
    """Classifies tracks call after call, keeping each track's evidence and class."""

    def __init__(self, model: KinematicModel | None = None) -> None:
        self._model = model or shipped_model()
        self._state: dict[int, _State] = {}

    def classify(self, track: Track, now: float | None = None) -> tuple[ObjectClass, float]:
        """(class, confidence) of one track (no flock context); see ``classify_all``."""
        v = self.classify_all([track], track.at if now is None else now)[track.track_id]
        return v.cls, v.confidence

    def classify_all(self, tracks: Sequence[Track], now: float) -> dict[int, Verdict]:
        """A verdict per track id for the tracks seen now (all of them, for the flock cue)."""
        for track in tracks:
            self._observe(track, now)
        self._update_flocks(tracks)
        return {t.track_id: self._decide(t, now) for t in tracks}

    def forget(self, track_ids: Collection[int]) -> None:
        for track_id in track_ids:
            self._state.pop(track_id, None)

    # --- evidence ----------------------------------------------------------------------------

    def _observe(self, track: Track, now: float) -> None:
        st = self._state.setdefault(track.track_id, _State())
        if track.status == "coasting":  # extrapolated, not measured: no evidence about the motion
            return
        if not st.history.add(now, (*track.enu_m, *track.vel_enu_mps)) or now - st.last_window_at < EVERY_S:
            return
        f = window_features(*st.history.window())
        if f is None:
            return
        st.features = f
        st.llrs.append(float(self._model.llr(f)[0]))
        st.windows += 1
        st.last_window_at = now

    def _update_flocks(self, tracks: Sequence[Track]) -> None:
        if not tracks:
            return
        p = np.array([t.enu_m for t in tracks], dtype=float)
        v = np.array([t.vel_enu_mps for t in tracks], dtype=float)
        speed = np.hypot(v[:, 0], v[:, 1])
        lo, hi = FLOCK_SPEED_MPS
        bird_speed = (speed >= lo) & (speed <= hi)
        together = (
            (np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1]) <= FLOCK_RADIUS_M)
            & (np.abs(p[:, None, 2] - p[None, :, 2]) <= FLOCK_HEIGHT_M)
            & (np.linalg.norm(v[:, None, :] - v[None, :, :], axis=2) <= FLOCK_DV_MPS)
            & bird_speed[:, None] & bird_speed[None, :]
        )
        np.fill_diagonal(together, False)
        counts = together.sum(axis=1)
        birds = np.array([self._state[t.track_id].verdict.cls == "bird" for t in tracks])
        near = (
            (np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1]) <= AMONG_BIRDS_M)
            & (np.abs(p[:, None, 2] - p[None, :, 2]) <= FLOCK_HEIGHT_M) & birds[None, :]
        )
        np.fill_diagonal(near, False)
        among = near.sum(axis=1)
        for track, n, m in zip(tracks, counts, among, strict=True):
            st = self._state[track.track_id]
            st.flock += FLOCK_SMOOTH * (float(n) - st.flock)
            st.among_birds += FLOCK_SMOOTH * (float(m) - st.among_birds)

    def _scores(self, track: Track, st: _State) -> tuple[Scores, list[tuple[str, Scores]]]:
        parts: list[tuple[str, Scores]] = []
        hint = cues.hints(track)
        if hint is not None:
            parts.append(("radar hints", hint))
        rcs = cues.rcs(track)
        if rcs is not None:
            parts.append((f"RCS {track.rcs_dbsm:.0f} dBsm", rcs))
        physical = cues.physics(st.features) if st.features is not None else None
        if physical is not None:
            parts.append(("; ".join(physical[1]), physical[0]))
        fast = cues.bird_speed(st.features) if st.features is not None else None
        if fast is not None:
            parts.append((fast[1], fast[0]))
        if st.llrs:
            weight = min(KIN_MAX_WEIGHT, st.windows * EVERY_S / 20.0)
            k = weight * float(np.median(st.llrs))
            label = "steady, drone-like motion" if k > 0 else "bird-like motion (speed and heading vary)"
            parts.append((label, {"drone": k / 2, "bird": -k / 2, "aircraft": 0.0}))
        flock = cues.flock(st.flock)
        if flock is not None:
            parts.append((f"flies with {st.flock:.0f} others at bird speed", flock))
        among = cues.among_birds(st.among_birds)
        if among is not None:
            parts.append((f"among {st.among_birds:.0f} birds", among))
        total = cues.zero()
        total["drone"] = DRONE_PRIOR
        total["aircraft"] = AIRCRAFT_PRIOR if physical is None and rcs is None else 0.0
        for _, s in parts:
            for c in CLASSES:
                total[c] += s[c]
        return total, parts

    # --- decision ----------------------------------------------------------------------------

    @staticmethod
    def _integrate(track: Track, st: _State, total: Scores, now: float) -> Scores:
        """The scores integrated over the track's measured time since it first had a class."""
        if st.evidence is None:
            return total
        if track.status != "coasting":
            a = 1.0 - math.exp(-max(0.0, now - st.evidence_at) / EVIDENCE_TAU_S)
            st.evidence = {c: e + a * (total[c] - e) for c, e in st.evidence.items()}
        st.evidence_at = now
        return st.evidence

    def _decide(self, track: Track, now: float) -> Verdict:
        st = self._state[track.track_id]
        coop = cooperative(track)
        if coop is not None:
            st.verdict = coop
            return coop
        total, parts = self._scores(track, st)
        enough = st.windows > 0 or sum(track.class_votes.values()) >= cues.HINT_FULL_VOTES
        total = self._integrate(track, st, total, now)
        x = np.array([total[c] for c in CLASSES])
        e = np.exp(x - x.max())
        probs = {c: float(p) for c, p in zip(CLASSES, e / e.sum(), strict=True)}
        best = max(CLASSES, key=lambda c: probs[c])
        current = st.verdict.cls
        if current == "unknown":
            # Back in doubt after a class: another class needs as much as a direct switch.
            needed = SWITCH_P if st.doubted_from not in (None, best) else ENTER_P
            if enough and probs[best] >= needed:
                current = best
                st.doubted_from = None
        elif best != current and probs[best] >= SWITCH_P:
            current = best
        elif probs[current] < DOUBT_P:
            st.doubted_from = current
            current = "unknown"
        if st.evidence is None and current != "unknown":
            st.evidence, st.evidence_at = dict(total), now
        st.verdict = Verdict(current, probs.get(current, 0.0) if current != "unknown" else 0.0,
                             _reason(current, probs, parts), probs)
        return st.verdict


def _reason(cls: ObjectClass, probs: dict[ObjectClass, float], parts: list[tuple[str, Scores]]) -> str:
    """The cues that pushed most toward the chosen class (or the leading one, for unknown)."""
    lead = cls if cls != "unknown" else max(CLASSES, key=lambda c: probs[c])
    others = [c for c in CLASSES if c != lead]
    weights = [(s[lead] - sum(s[o] for o in others) / len(others), label) for label, s in parts]
    top = [label for w, label in sorted(weights, reverse=True) if w > 0.3][:3]
    if cls == "unknown":
        if not parts:
            return "not enough evidence yet"
        return f"unknown (leaning {lead} {probs[lead]:.2f}" + (f": {', '.join(top)})" if top else ")")
    return f"{cls} {probs[cls]:.2f}: " + (", ".join(top) if top else "weak evidence")
