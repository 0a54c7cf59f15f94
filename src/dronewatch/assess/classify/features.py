"""Kinematic features of one track over a window of its recent states.

A track's history is its position and velocity (site ENU, as the tracker estimates them) at
the assessment calls, thinned to about one a second. Over the last ``WINDOW_S`` the features
(``NAMES``) are:

* ``speed``: median horizontal speed (m/s);
* ``speed_sd``: its standard deviation (m/s): birds flap and glide, multirotors hold a speed;
* ``turn``: median absolute heading change (deg/s) while moving faster than 3 m/s;
* ``climb_sd``: standard deviation of the vertical speed (m/s): straight legs at constant height;
* ``hover``: share of the window slower than 1.5 m/s;
* ``straight``: net distance / path length (1 = one straight leg);
* ``height``: median height above the site's ground (m);
* ``climb``: median vertical speed (m/s; negative = descending);
* ``net_speed``: net horizontal distance over the window / its span (m/s): how fast the track
  really got anywhere. A track that hops between birds circling in one place can show a high
  filtered speed while it stays where it was.

``speed_sd`` and ``climb_sd`` are read from the velocity averaged over ``SMOOTH_N`` consecutive
states: their spread is the one place where the velocity estimator's own noise (lower with range
rates, a finer radar or a self-report) is as large as the motion's real changes. The other features
read the velocity as estimated: averaging it would also blunt a real steady turn, which is what
tells a fixed-wing's coordinated circle from a bird's heading wander. ``window_features`` returns
None until the window spans at least ``MIN_SPAN_S``.
"""

from __future__ import annotations

from collections import deque

import numpy as np

NAMES = ("speed", "speed_sd", "turn", "climb_sd", "hover", "straight", "height", "climb", "net_speed")
WINDOW_S = 20.0
MIN_SPAN_S = 12.0
SAMPLE_S = 0.9  # keep at most about one state a second
HOVER_MPS = 1.5
MOVING_MPS = 3.0
KEEP_S = 30.0
SMOOTH_N = 5  # states (about 5 s) averaged for the two spread features (speed_sd, climb_sd)

State = tuple[float, float, float, float, float, float]  # e, n, u, ve, vn, vu


class History:
    """Recent states of one track: ``add(t, state)``; ``window()`` -> (times, (k, 6) states)."""

    def __init__(self) -> None:
        self._t: deque[float] = deque()
        self._s: deque[State] = deque()

    def add(self, t: float, state: State) -> bool:
        """Keep the state if at least ``SAMPLE_S`` after the last one; True if kept."""
        if self._t and t - self._t[-1] < SAMPLE_S:
            return False
        self._t.append(t)
        self._s.append(state)
        while t - self._t[0] > KEEP_S:
            self._t.popleft()
            self._s.popleft()
        return True

    def window(self, window_s: float = WINDOW_S) -> tuple[np.ndarray, np.ndarray]:
        if not self._t:
            return np.zeros(0), np.zeros((0, 6))
        t = np.fromiter(self._t, float)
        keep = t >= t[-1] - window_s - 1e-6
        return t[keep], np.array(self._s, dtype=float)[keep]


def smoothed_velocity(states: np.ndarray, n: int = SMOOTH_N) -> np.ndarray:
    """Velocities (ve, vn, vu) averaged over each run of ``n`` consecutive states (k - n + 1 rows)."""
    v = states[:, 3:6]
    if n <= 1 or len(v) < n:
        return v
    kernel = np.ones(n) / n
    return np.column_stack([np.convolve(v[:, k], kernel, "valid") for k in range(3)])


def window_features(t: np.ndarray, states: np.ndarray) -> np.ndarray | None:
    """Feature vector (order of ``NAMES``) over ``states`` (k, 6) at times ``t``; None if too short."""
    if len(t) < 8 or t[-1] - t[0] < MIN_SPAN_S:
        return None
    v = states[:, 3:6]
    speed = np.hypot(v[:, 0], v[:, 1])
    moving = speed > MOVING_MPS
    turn = 0.0
    if moving.sum() >= 4:
        heading = np.unwrap(np.arctan2(v[moving, 0], v[moving, 1]))
        rates = np.abs(np.diff(heading)) / np.maximum(np.diff(t[moving]), 0.5)
        turn = float(np.degrees(np.median(rates)))
    steps = np.diff(states[:, :2], axis=0)
    path = float(np.hypot(steps[:, 0], steps[:, 1]).sum())
    net = float(np.hypot(*(states[-1, :2] - states[0, :2])))
    vs = smoothed_velocity(states)
    return np.array([
        float(np.median(speed)),
        float(np.std(np.hypot(vs[:, 0], vs[:, 1]))),
        turn,
        float(np.std(vs[:, 2])),
        float(np.mean(speed < HOVER_MPS)),
        net / path if path > 1e-6 else 0.0,
        float(np.median(states[:, 2])),
        float(np.median(v[:, 2])),
        net / float(t[-1] - t[0]),
    ])
