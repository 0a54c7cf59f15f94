"""Kinematic features of one track over a window of its recent positions.

A track's history is its positions (site ENU) at the assessment calls, thinned to about one a
second. Velocities are taken from positions over a ``BASELINE_S`` baseline (so raw GPS fixes
and tracker output give comparable figures). Over the last ``WINDOW_S`` the features are:

* ``speed``: median horizontal speed (m/s);
* ``speed_sd``: its standard deviation (m/s): birds flap and glide, drones hold a speed;
* ``turn``: median absolute heading change (deg/s) while moving faster than 3 m/s;
* ``climb_sd``: standard deviation of the vertical speed (m/s);
* ``hover``: share of the window slower than 1.5 m/s;
* ``straight``: net distance / path length (1 = a straight leg);
* ``height``: median height above the site's ground (m).

``window_features`` returns None until the window spans at least ``MIN_SPAN_S``.
"""

from __future__ import annotations

from collections import deque

import numpy as np

NAMES = ("speed", "speed_sd", "turn", "climb_sd", "hover", "straight", "height")
WINDOW_S = 20.0
MIN_SPAN_S = 12.0
BASELINE_S = 2.0
SAMPLE_S = 0.9  # keep at most about one position a second
HOVER_MPS = 1.5
MOVING_MPS = 3.0
KEEP_S = 120.0


class History:
    """Recent positions of one track: ``add(t, enu)``; ``window(at)`` -> (times, (k, 3) enu)."""

    def __init__(self) -> None:
        self._t: deque[float] = deque()
        self._p: deque[tuple[float, float, float]] = deque()

    def add(self, t: float, enu: tuple[float, float, float]) -> None:
        if self._t and t - self._t[-1] < SAMPLE_S:
            return
        self._t.append(t)
        self._p.append(enu)
        while self._t and t - self._t[0] > KEEP_S:
            self._t.popleft()
            self._p.popleft()

    @property
    def span_s(self) -> float:
        return self._t[-1] - self._t[0] if self._t else 0.0

    def window(self, window_s: float = WINDOW_S) -> tuple[np.ndarray, np.ndarray]:
        if not self._t:
            return np.zeros(0), np.zeros((0, 3))
        t = np.fromiter(self._t, float)
        keep = t >= t[-1] - window_s - 1e-6
        return t[keep], np.array(self._p, dtype=float)[keep]


def window_features(t: np.ndarray, enu: np.ndarray) -> np.ndarray | None:
    """Feature vector (order of ``NAMES``) over positions ``enu`` at times ``t``; None if too short."""
    if len(t) < 6 or t[-1] - t[0] < MIN_SPAN_S:
        return None
    j = np.searchsorted(t, t + BASELINE_S - 0.25)
    ok = j < len(t)
    i = np.flatnonzero(ok)
    j = j[ok]
    if len(i) < 4:
        return None
    dt = t[j] - t[i]
    v = (enu[j] - enu[i]) / dt[:, None]
    speed = np.hypot(v[:, 0], v[:, 1])
    moving = speed > MOVING_MPS
    if moving.sum() >= 3:
        heading = np.unwrap(np.arctan2(v[moving, 0], v[moving, 1]))
        rates = np.abs(np.diff(heading)) / np.maximum(np.diff(t[i][moving]), 0.5)
        turn = float(np.degrees(np.median(rates)))
    else:
        turn = 0.0
    steps = np.diff(enu[:, :2], axis=0)
    path = float(np.hypot(steps[:, 0], steps[:, 1]).sum())
    net = float(np.hypot(*(enu[-1, :2] - enu[0, :2])))
    return np.array([
        float(np.median(speed)),
        float(np.std(speed)),
        turn,
        float(np.std(v[:, 2])),
        float(np.mean(speed < HOVER_MPS)),
        net / path if path > 1e-6 else 0.0,
        float(np.median(enu[:, 2])),
    ])


def recording_windows(t: np.ndarray, enu: np.ndarray, every_s: float = 5.0) -> list[np.ndarray]:
    """Features of every ``WINDOW_S`` window of a whole path, one starting each ``every_s``."""
    out = []
    start = float(t[0])
    while start + MIN_SPAN_S <= t[-1]:
        sel = (t >= start) & (t <= start + WINDOW_S)
        f = window_features(t[sel], enu[sel])
        if f is not None:
            out.append(f)
        start += every_s
    return out
