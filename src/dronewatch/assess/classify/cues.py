"""Evidence about what a track is, each cue as per-class scores (log-likelihoods) and a label.

* ``cooperative``: an ICAO address is an aircraft, a Remote ID / DJI identity a drone;
* ``hints``: radar class votes, their share per class times at most ``HINT_MAX`` (reached
  with ``HINT_FULL_VOTES`` of summed confidence), so hints alone never outweigh the motion;
* ``rcs``: a broad Gaussian per class (dBsm), differences capped at ``RCS_CAP``;
* ``physics``: bounds no fit is needed for: faster than 60 m/s or above 1000 m is an aircraft,
  hovering (60 % of a window) is no bird; in flight faster than ``FAST_MPS`` (30 m/s), a fast
  steep dive at low height is no crewed aircraft, fast level flight above 150 m is more likely
  one;
* ``bird_speed``: sustained flight fast for a bird counts against a bird, softly
  (``bird_speed_penalty``: nothing up to ``BIRD_FAST_MPS`` 25 m/s, rising to ``STRONG`` at
  ``BIRD_MAX_MPS`` 40 m/s: real birds' ground speeds reach 25-35 m/s, racing pigeons, ducks,
  swifts, any bird with a tailwind), judged on the speed the track really covered the ground at
  (``covered_speed``: at most its net speed over the window / ``COVERED``; see ``features``);
* ``flock``: several tracks moving together at bird speeds look like birds; ``among_birds``: a
  track among tracks already called birds is likely one of them.

Every function returns ``Scores`` (class -> score, 0 for "no opinion") or None without evidence.
"""

from __future__ import annotations

import numpy as np

from dronewatch.assess.classify.features import NAMES
from dronewatch.model import ObjectClass, Track

Scores = dict[ObjectClass, float]
CLASSES: tuple[ObjectClass, ...] = ("drone", "bird", "aircraft")

HINT_MAX = 4.0
HINT_FULL_VOTES = 3.0
RCS_MODEL_DBSM: dict[ObjectClass, tuple[float, float]] = {  # mean, 1-sigma (broad: real RCS varies)
    "drone": (-15.0, 6.0),
    "bird": (-26.0, 5.0),
    "aircraft": (10.0, 7.0),
}
RCS_CAP = 6.0
STRONG = 8.0
FLOCK_MAX = 2.0
HOVER = 4.0
BIRD_FAST_MPS = 25.0
BIRD_MAX_MPS = 40.0
FAST_MPS = 30.0
COVERED = 0.8
AMONG_BIRDS_MAX = 5.0
_I = {name: i for i, name in enumerate(NAMES)}


def zero() -> Scores:
    return dict.fromkeys(CLASSES, 0.0)


def hints(track: Track) -> Scores | None:
    votes = {c: max(0.0, float(track.class_votes.get(c, 0.0))) for c in CLASSES}
    total = sum(votes.values())
    if total <= 0.0:
        return None
    weight = HINT_MAX * min(1.0, total / HINT_FULL_VOTES)
    return {c: weight * votes[c] / total for c in CLASSES}


def rcs(track: Track) -> Scores | None:
    if track.rcs_dbsm is None:
        return None
    raw = {c: -0.5 * ((track.rcs_dbsm - m) / s) ** 2 for c, (m, s) in RCS_MODEL_DBSM.items()}
    top = max(raw.values())
    return {c: max(v - top, -RCS_CAP) for c, v in raw.items()}


def physics(f: np.ndarray) -> tuple[Scores, list[str]] | None:
    """Scores and short labels from the latest window's features (``features.NAMES`` order)."""
    speed, height, climb, hover = f[_I["speed"]], f[_I["height"]], f[_I["climb"]], f[_I["hover"]]
    s = zero()
    why: list[str] = []
    if speed > 60.0 or height > 1000.0:
        s["aircraft"] += STRONG
        why.append(f"{speed:.0f} m/s at {height:.0f} m")
    if covered_speed(f) > FAST_MPS:
        why.append(f"fast flight ({speed:.0f} m/s)")
        if climb < -4.0 and height < 300.0:
            s["aircraft"] -= 3.0
            why.append(f"diving {-climb:.0f} m/s at {height:.0f} m")
        elif height > 150.0 and abs(climb) < 2.0:
            s["aircraft"] += 1.0
    if hover > 0.6:
        s["bird"] -= HOVER
        why.append("hovers")
    return (s, why) if why else None


def covered_speed(f: np.ndarray) -> float:
    """The window's speed, but no more than the ground it really covered allows (net speed /
    ``COVERED``): a track hopping between birds circling in one place shows a high filtered
    speed while it stays where it was."""
    return float(min(f[_I["speed"]], f[_I["net_speed"]] / COVERED))


def bird_speed_penalty(speed: float) -> float:
    """How much a sustained ground ``speed`` (m/s) counts against a bird: 0 up to
    ``BIRD_FAST_MPS``, linear to ``STRONG`` at ``BIRD_MAX_MPS`` (published level-flight ground
    speeds: most birds 8-23 m/s, racing pigeons and ducks to about 30, more with a tailwind)."""
    return STRONG * min(1.0, max(0.0, (speed - BIRD_FAST_MPS) / (BIRD_MAX_MPS - BIRD_FAST_MPS)))


def bird_speed(f: np.ndarray) -> tuple[Scores, str] | None:
    """The soft speed bound for birds (``bird_speed_penalty`` of ``covered_speed``)."""
    speed = covered_speed(f)
    penalty = bird_speed_penalty(speed)
    if penalty <= 0.0:
        return None
    s = zero()
    s["bird"] = -penalty
    return s, f"{'too fast' if penalty >= STRONG else 'fast'} for a bird ({speed:.0f} m/s)"


def among_birds(count: float) -> Scores | None:
    """``count``: smoothed number of tracks called bird within 100 m. Among circling birds the
    tracker may hop from bird to bird; a slow, confused track there is most likely one of them."""
    if count < 0.5:
        return None
    s = zero()
    s["bird"] = min(AMONG_BIRDS_MAX, 1.5 * count)
    return s


def flock(neighbours: float) -> Scores | None:
    """``neighbours``: smoothed count of tracks flying alongside at bird speed."""
    if neighbours < 0.5:
        return None
    s = zero()
    s["bird"] = min(FLOCK_MAX, 0.75 * neighbours)
    return s
