"""Constant-velocity transition and process noise, batched."""

from __future__ import annotations

import numpy as np

from dronewatch.tracking.motion import cv_noise, cv_transition


def test_predict_moves_by_velocity_and_grows_covariance() -> None:
    x = np.array([[0.0, 0.0, 50.0, 3.0, -4.0, 1.0], [10.0, 20.0, 30.0, 0.0, 0.0, 0.0]])
    P = np.stack([np.eye(6), 2 * np.eye(6)])
    dt = np.array([2.0, 0.0])
    F = cv_transition(dt)
    xp = np.einsum("nij,nj->ni", F, x)
    Pp = F @ P @ F.transpose(0, 2, 1) + cv_noise(dt, 1.0, 0.5)
    assert np.allclose(xp[0], [6.0, -8.0, 52.0, 3.0, -4.0, 1.0])
    assert np.allclose(xp[1], x[1]) and np.allclose(Pp[1], P[1])  # dt = 0: unchanged
    # position variance: P_pp + dt² P_vv + q dt³/3
    assert np.isclose(Pp[0, 0, 0], 1 + 4 + 8 / 3) and np.isclose(Pp[0, 2, 2], 1 + 4 + 0.5 * 8 / 3)
    assert np.allclose(Pp, Pp.transpose(0, 2, 1))
    assert np.all(np.linalg.eigvalsh(Pp) > 0)


def test_process_noise_is_the_discretised_white_acceleration() -> None:
    Q = cv_noise(np.array([1.5]), 2.0, 0.5)[0]
    assert np.isclose(Q[1, 1], 2.0 * 1.5**3 / 3) and np.isclose(Q[1, 4], 2.0 * 1.5**2 / 2)
    assert np.isclose(Q[5, 5], 0.5 * 1.5) and Q[0, 1] == 0.0
