"""IMM pieces: coordinated-turn transition, mixing, model probabilities."""

from __future__ import annotations

import numpy as np

from dronewatch.tracking import imm


def test_turn_model_turns_velocity_at_its_rate() -> None:
    m = imm.MotionModel(q_h=1.0, q_v=1.0, turn_rate_dps=10.0)
    F = m.transition(np.array([9.0]))[0]
    x = np.array([0.0, 0.0, 50.0, 10.0, 0.0, 0.0])
    v = (F @ x)[3:5]
    assert np.isclose(np.degrees(np.arctan2(v[1], v[0])), 90.0)  # 9 s x 10 deg/s, counter-clockwise
    assert np.isclose(np.linalg.norm(v), 10.0)
    assert np.isclose((F @ x)[2], 50.0)


def test_hover_model_bleeds_off_velocity() -> None:
    m = imm.MotionModel(q_h=0.1, q_v=0.1, hover_tau_s=2.0)
    x = np.array([0.0, 0.0, 0.0, 4.0, 0.0, 0.0])
    y = m.transition(np.array([10.0]))[0] @ x
    assert abs(y[3]) < 0.05 and 7.5 < y[0] < 8.0  # travels ~tau * v, then stops


def test_mixing_identical_models_changes_nothing() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6))
    A = rng.normal(size=(4, 6, 6))
    P = A @ A.transpose(0, 2, 1) + np.eye(6)
    xm, Pm = np.stack([x, x]), np.stack([P, P])
    mu = np.full((4, 2), 0.5)
    x0, P0, c = imm.mix(xm, Pm, mu, imm.default_switching(2, 0.9))
    assert np.allclose(x0, xm) and np.allclose(P0, Pm) and np.allclose(c, 0.5)


def test_a_turning_target_raises_the_turn_models_probability() -> None:
    models = imm.default_models()
    trans = imm.default_switching(len(models), 0.95)
    n = 1
    xm = np.zeros((3, n, 6))
    xm[:, 0, 3] = 20.0  # east at 20 m/s
    Pm = np.broadcast_to(np.diag([25.0, 25.0, 25.0, 4.0, 4.0, 1.0]), (3, n, 6, 6)).copy()
    mu = np.array([[0.7, 0.15, 0.15]])
    w = np.radians(6.0)
    pos, vel = np.zeros(2), np.array([20.0, 0.0])
    for _ in range(8):  # true left turn at 6 deg/s
        s, c = np.sin(w), np.cos(w)
        pos = pos + np.array([s * vel[0] - (1 - c) * vel[1], (1 - c) * vel[0] + s * vel[1]]) / w
        vel = np.array([c * vel[0] - s * vel[1], s * vel[0] + c * vel[1]])
        x0, P0, cprob = imm.mix(xm, Pm, mu, trans)
        xs, Ps = imm.predict(models, x0, P0, np.ones(n))
        z = np.array([[pos[0], pos[1], 0.0]])
        xm, Pm, mu, _ = imm.update_position(xs, Ps, cprob, z, np.eye(3)[None] * 4.0)
    assert mu[0, 1] > 0.8  # the left-turn model


def test_pda_update_is_the_kalman_update_or_the_prediction_at_its_ends() -> None:
    """One plot of probability 1 gives the plain IMM update; probability 0 leaves the prediction;
    two plots half and half give a state between their updates with the spread of both added."""
    rng = np.random.default_rng(4)
    r, n = 3, 2
    xs = rng.normal(0.0, 10.0, (r, n, 6))
    A = rng.normal(0.0, 1.0, (r, n, 6, 6))
    Ps = A @ np.swapaxes(A, -1, -2) + np.eye(6) * 20.0
    c = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])
    z = rng.normal(0.0, 10.0, (n, 3))
    R = np.broadcast_to(np.eye(3) * 9.0, (n, 3, 3))
    xk, Pk, muk, _ = imm.update_position(xs, Ps, c, z, R)
    tk = np.arange(n)
    xo, Po, mu = imm.pda_update(xs, Ps, c, tk, xs, Ps, z, R, np.ones(n), np.zeros(n))
    assert np.allclose(xo, xk) and np.allclose(Po, Pk) and np.allclose(mu, muk)
    xo, Po, mu = imm.pda_update(xs, Ps, c, tk, xs, Ps, z, R, np.zeros(n), np.ones(n))
    assert np.allclose(xo, xs) and np.allclose(Po, Ps) and np.allclose(mu, c)
    # track 0 with plots z0 and z1 at 0.5 each
    two = np.array([0, 0])
    x2, P2, _ = imm.pda_update(xs[:, :1], Ps[:, :1], c[:1], two, xs[:, [0, 0]], Ps[:, [0, 0]], z, R,
                               np.array([0.5, 0.5]), np.zeros(1))
    xa, Pa, _, _ = imm.update_position(xs[:, [0, 0]], Ps[:, [0, 0]], c[[0, 0]], z, R)
    lo, hi = np.minimum(xa[:, 0], xa[:, 1]), np.maximum(xa[:, 0], xa[:, 1])
    assert np.all(x2[:, 0] >= lo - 1e-9) and np.all(x2[:, 0] <= hi + 1e-9)
    assert np.all(np.linalg.eigvalsh(P2[:, 0] - 0.5 * (Pa[:, 0] + Pa[:, 1])) > -1e-9)
