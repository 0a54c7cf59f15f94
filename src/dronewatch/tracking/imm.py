"""Interacting multiple model (IMM) filter, batched over tracks: mixing, per-model predict and
position update, all as numpy array operations on (models, tracks, ...) stacks.

State is ``[e, n, u, ve, vn, vu]`` (site ENU metres, m/s). Each model is a linear-Gaussian motion
model given by ``transition(dt)`` and ``noise(dt)`` for (N,) time steps:
- nearly-constant velocity with a small process noise (steady flight, aircraft going straight),
- nearly-constant velocity with a large process noise (manoeuvres: turns, climbs, braking),
- near-hover: velocity decays towards zero with time constant ``tau_s``.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from msgspec import Meta, Struct

from dronewatch.tracking.motion import cv_noise, cv_transition

Arr = np.ndarray
_LOG2PI = float(np.log(2.0 * np.pi))


class MotionModel(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One IMM member: white-acceleration PSD (m²/s³) horizontal / vertical; ``hover_tau_s`` > 0
    makes velocity decay (near-hover); ``turn_rate_dps`` != 0 turns the horizontal velocity at that
    fixed rate (coordinated turn, counter-clockwise positive); neither: nearly-constant velocity."""

    q_h: Annotated[float, Meta(gt=0)]
    q_v: Annotated[float, Meta(gt=0)]
    hover_tau_s: Annotated[float, Meta(ge=0)] = 0.0
    turn_rate_dps: float = 0.0

    def transition(self, dt: Arr) -> Arr:
        """(N,) seconds -> (N, 6, 6) transition matrices."""
        if self.turn_rate_dps != 0.0:
            w = np.deg2rad(self.turn_rate_dps)
            s, c = np.sin(w * dt), np.cos(w * dt)
            F = cv_transition(dt)
            F[:, 0, 3], F[:, 0, 4] = s / w, -(1 - c) / w
            F[:, 1, 3], F[:, 1, 4] = (1 - c) / w, s / w
            F[:, 3, 3], F[:, 3, 4] = c, -s
            F[:, 4, 3], F[:, 4, 4] = s, c
            return F
        if self.hover_tau_s <= 0:
            return cv_transition(dt)
        decay = np.exp(-np.abs(dt) / self.hover_tau_s)
        F = np.broadcast_to(np.eye(6), (dt.shape[0], 6, 6)).copy()
        gain = self.hover_tau_s * (1.0 - decay)  # distance covered while velocity decays
        for axis in range(3):
            F[:, axis, axis + 3] = np.sign(dt) * gain
            F[:, axis + 3, axis + 3] = decay
        return F

    def noise(self, dt: Arr) -> Arr:
        """(N,) seconds -> (N, 6, 6) process noise."""
        return cv_noise(np.abs(dt), self.q_h, self.q_v)


def default_models() -> tuple[MotionModel, ...]:
    """Small-drone set: steady (CV, low noise), manoeuvre (CV, high noise), near-hover."""
    return (MotionModel(q_h=0.1, q_v=0.05), MotionModel(q_h=8.0, q_v=2.0),
            MotionModel(q_h=0.1, q_v=0.05, hover_tau_s=2.0))


def default_switching(n_models: int, stay: float = 0.95) -> Arr:
    """Markov model-switching matrix: ``stay`` on the diagonal, the rest spread evenly."""
    if n_models == 1:
        return np.ones((1, 1))
    off = (1.0 - stay) / (n_models - 1)
    return np.full((n_models, n_models), off) + np.eye(n_models) * (stay - off)


def mix(xm: Arr, Pm: Arr, mu: Arr, trans: Arr) -> tuple[Arr, Arr, Arr]:
    """IMM interaction. xm (r,N,6), Pm (r,N,6,6), mu (N,r), trans (r,r) -> mixed x0, P0 and the
    predicted model probabilities c (N,r)."""
    c = mu @ trans  # (N,r): c_j = sum_i p_ij mu_i
    w = mu[:, :, None] * trans[None, :, :] / np.maximum(c[:, None, :], 1e-300)  # (N,i,j) mu_i|j
    x0 = np.einsum("nij,ink->jnk", w, xm)
    P0 = np.einsum("nij,inkl->jnkl", w, Pm)
    for j in range(xm.shape[0]):
        d = xm - x0[j][None]  # (r,N,6)
        P0[j] += np.einsum("ni,inkl->nkl", w[:, :, j], d[:, :, :, None] * d[:, :, None, :])
    return x0, P0, c


def predict(models: tuple[MotionModel, ...], x0: Arr, P0: Arr, dt: Arr) -> tuple[Arr, Arr]:
    """Each model predicts its own mixed state over (N,) dt -> (r,N,6), (r,N,6,6)."""
    xs, Ps = np.empty_like(x0), np.empty_like(P0)
    for j, m in enumerate(models):
        F = m.transition(dt)
        xs[j] = np.einsum("nij,nj->ni", F, x0[j])
        Ps[j] = F @ P0[j] @ F.transpose(0, 2, 1) + m.noise(dt)
    return xs, Ps


def combine(xm: Arr, Pm: Arr, mu: Arr) -> tuple[Arr, Arr]:
    """Moment-matched single Gaussian of the model mixture: (N,6), (N,6,6)."""
    x = np.einsum("nr,rnk->nk", mu, xm)
    d = xm - x[None]
    P = np.einsum("nr,rnkl->nkl", mu, Pm + d[:, :, :, None] * d[:, :, None, :])
    return x, P


def update_position(xm: Arr, Pm: Arr, c: Arr, z: Arr, R: Arr) -> tuple[Arr, Arr, Arr, Arr]:
    """Kalman update of every model with a position z (N,3), R (N,3,3).

    Returns updated xm, Pm, posterior model probabilities mu (N,r) and the log likelihood of z
    under the mixture (N,)."""
    r = xm.shape[0]
    loglik = np.empty((xm.shape[1], r))
    xo, Po = np.empty_like(xm), np.empty_like(Pm)
    for j in range(r):
        S = Pm[j][:, :3, :3] + R
        nu = z - xm[j][:, :3]
        Sinv = np.linalg.inv(S)
        K = Pm[j][:, :, :3] @ Sinv  # (N,6,3)
        xo[j] = xm[j] + np.einsum("nij,nj->ni", K, nu)
        Po[j] = Pm[j] - K @ Pm[j][:, :3, :]
        d2 = np.einsum("ni,nij,nj->n", nu, Sinv, nu)
        _, logdet = np.linalg.slogdet(S)
        loglik[:, j] = -0.5 * (d2 + logdet + 3 * _LOG2PI)
    top = loglik.max(axis=1, keepdims=True)
    w = c * np.exp(loglik - top)
    total = w.sum(axis=1, keepdims=True)
    return xo, Po, w / total, (np.log(total[:, 0]) + top[:, 0])
