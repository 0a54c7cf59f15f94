"""Track classification: drone | bird | aircraft | unknown, with a confidence, without flicker.

Small, explainable scoring:

1. Cooperative identity decides: an ICAO address -> aircraft (0.99); a Remote ID / DJI
   serial, session id or registration -> drone (0.95).
2. Otherwise each class gets a score (a log-likelihood) from three kinds of evidence:
   * radar class votes (``Track.class_votes``, summed hint confidences): a hint is right ~90 %
     of the time and wrong ones split over the two other classes, so each unit of vote adds
     ln(0.9 / 0.05) to its class; a few wrong hints are outvoted;
   * RCS: a Gaussian per class (bird -25 dBsm, small drone -15, aircraft +10);
   * kinematics: faster than 60 m/s or higher than 1000 m -> strongly aircraft; hovering
     (< 1 m/s) -> strongly not a bird.
   Scores become probabilities with a softmax over (drone, bird, aircraft).
3. Hysteresis per track: "unknown" becomes a class when its probability reaches 0.7; a class
   changes to another only when the other reaches 0.85. With no evidence the track stays as it is.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np
from scipy.special import softmax

from dronewatch.model import ObjectClass, Track

CLASSES: tuple[ObjectClass, ...] = ("drone", "bird", "aircraft")

VOTE_WEIGHT = math.log(0.9 / 0.05)  # a hint right 90 % of the time, wrong ones split over two
RCS_MODEL_DBSM: dict[ObjectClass, tuple[float, float]] = {  # mean, 1-sigma
    "drone": (-15.0, 5.0),
    "bird": (-25.0, 5.0),
    "aircraft": (10.0, 10.0),
}
AIRCRAFT_SPEED_MPS = 60.0
AIRCRAFT_ALT_M = 1000.0
HOVER_SPEED_MPS = 1.0
KINEMATIC_WEIGHT = 8.0  # a kinematic cue outweighs about three contrary radar hints
ICAO_CONFIDENCE = 0.99
REMOTE_ID_CONFIDENCE = 0.95
ENTER_P = 0.7  # unknown -> class
SWITCH_P = 0.85  # class -> other class


def class_scores(track: Track) -> dict[ObjectClass, float] | None:
    """Log-likelihood score per class from votes, RCS and kinematics; None without evidence."""
    scores = dict.fromkeys(CLASSES, 0.0)
    evidence = False
    for cls in CLASSES:
        vote = float(track.class_votes.get(cls, 0.0))
        if vote > 0:
            scores[cls] += VOTE_WEIGHT * vote
            evidence = True
    if track.rcs_dbsm is not None:
        for cls, (mean, sigma) in RCS_MODEL_DBSM.items():
            scores[cls] += -0.5 * ((track.rcs_dbsm - mean) / sigma) ** 2 - math.log(sigma)
        evidence = True
    speed_mps = float(np.linalg.norm(track.vel_enu_mps))
    if speed_mps > AIRCRAFT_SPEED_MPS or track.alt_m > AIRCRAFT_ALT_M:
        scores["aircraft"] += KINEMATIC_WEIGHT
        evidence = True
    elif speed_mps < HOVER_SPEED_MPS:
        scores["bird"] -= KINEMATIC_WEIGHT
        evidence = True
    return scores if evidence else None


def class_probabilities(track: Track) -> dict[ObjectClass, float] | None:
    """Softmax of ``class_scores``; None without evidence."""
    scores = class_scores(track)
    if scores is None:
        return None
    probs = softmax(np.array([scores[c] for c in CLASSES]))
    return {c: float(p) for c, p in zip(CLASSES, probs, strict=True)}


def cooperative_class(track: Track) -> tuple[ObjectClass, float] | None:
    """Class from the cooperative identity alone, if the track has one."""
    if track.identity is None:
        return None
    if track.identity.scheme == "icao":
        return "aircraft", ICAO_CONFIDENCE
    return "drone", REMOTE_ID_CONFIDENCE


class Classifier:
    """Classifies tracks one call at a time, keeping each track's class (hysteresis)."""

    def __init__(self) -> None:
        self._current: dict[int, tuple[ObjectClass, float]] = {}

    def classify(self, track: Track) -> tuple[ObjectClass, float]:
        """(class, confidence) for ``track`` now; remembers the class for the next call."""
        coop = cooperative_class(track)
        if coop is not None:
            self._current[track.track_id] = coop
            return coop
        current, confidence = self._current.get(track.track_id, ("unknown", 0.0))
        probs = class_probabilities(track)
        if probs is None:  # nothing new to go on: keep what we had
            return current, confidence
        best = max(CLASSES, key=lambda c: probs[c])
        if (current == "unknown" and probs[best] >= ENTER_P) or (current != best and probs[best] >= SWITCH_P):
            current = best
        result = (current, probs[current] if current != "unknown" else 0.0)
        self._current[track.track_id] = result
        return result

    def forget(self, track_ids: Collection[int]) -> None:
        for track_id in track_ids:
            self._current.pop(track_id, None)
