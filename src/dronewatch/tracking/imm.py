"""Interacting multiple model (IMM) filter, batched over tracks: mixing, per-model predict and
position update, all as numpy array operations on (models, tracks, ...) stacks.

State is ``[e, n, u, ve, vn, vu]`` (site ENU metres, m/s). Each model is a linear-Gaussian motion
model given by ``transition(dt)`` and ``noise(dt)`` for (N,) time steps:
- nearly-constant velocity with a small process noise (steady flight, aircraft going straight),
- nearly-constant velocity with a large process noise (manoeuvres: turns, climbs, braking),
- near-hover: velocity decays towards zero with time constant ``tau_s``.
"""

from __future__ import annotations

from functools import lru_cache
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
    """Steady flight (CV, low noise) and coordinated turns left and right at 6 deg/s (a drone's
    or light aircraft's rate-one-ish turn; the turn models' own noise covers 3-10 deg/s)."""
    return (MotionModel(q_h=0.02, q_v=0.02), MotionModel(q_h=1.0, q_v=0.5, turn_rate_dps=6.0),
            MotionModel(q_h=1.0, q_v=0.5, turn_rate_dps=-6.0))


def drone_models() -> tuple[MotionModel, ...]:
    """Small-drone set: the default three plus near-hover (velocity decays over 2 s) and a
    high-noise CV for abrupt manoeuvres (braking, climbs)."""
    return (*default_models(), MotionModel(q_h=0.1, q_v=0.05, hover_tau_s=2.0),
            MotionModel(q_h=8.0, q_v=2.0))


def default_switching(n_models: int, stay: float = 0.95) -> Arr:
    """Markov model-switching matrix: ``stay`` on the diagonal, the rest spread evenly."""
    if n_models == 1:
        return np.ones((1, 1))
    off = (1.0 - stay) / (n_models - 1)
    return np.full((n_models, n_models), off) + np.eye(n_models) * (stay - off)


def inv3(S: Arr) -> tuple[Arr, Arr]:
    """Inverse and log-determinant of many symmetric positive-definite 3x3 matrices (K,3,3), by
    the adjugate: elementwise over K, much faster than a LAPACK call per matrix at this size."""
    a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
    d, e, f = S[:, 1, 1], S[:, 1, 2], S[:, 2, 2]
    A, B, C = d * f - e * e, c * e - b * f, b * e - c * d
    det = a * A + b * B + c * C
    inv = np.empty_like(S)
    inv[:, 0, 0], inv[:, 0, 1], inv[:, 0, 2] = A, B, C
    inv[:, 1, 0], inv[:, 1, 1], inv[:, 1, 2] = B, a * f - c * c, b * c - a * e
    inv[:, 2, 0], inv[:, 2, 1], inv[:, 2, 2] = C, b * c - a * e, a * d - b * b
    inv /= det[:, None, None]
    return inv, np.log(det)


def mahalanobis2(nu: Arr, Sinv: Arr) -> Arr:
    """Squared Mahalanobis lengths of residuals nu (K,3) under inverse covariances Sinv (K,3,3)."""
    return np.einsum("ki,kij,kj->k", nu, Sinv, nu)


def spread(dev: Arr, w: Arr) -> Arr:
    """sum_i w_i dev_i dev_i^T over the second-last axis: dev (..., i, 6), w (..., i) -> (..., 6, 6),
    as one stacked matmul (numpy's broadcast outer products with a 6-long inner loop are slow)."""
    return (dev * w[..., None]).swapaxes(-1, -2) @ dev


def mix(xm: Arr, Pm: Arr, mu: Arr, trans: Arr) -> tuple[Arr, Arr, Arr]:
    """IMM interaction. xm (r,N,6), Pm (r,N,6,6), mu (N,r), trans (r,r) -> mixed x0, P0 and the
    predicted model probabilities c (N,r)."""
    r, n = xm.shape[0], xm.shape[1]
    c = mu @ trans  # (N,r): c_j = sum_i p_ij mu_i
    w = mu[:, :, None] * trans[None, :, :] / np.maximum(c[:, None, :], 1e-300)  # (N,i,j) mu_i|j
    wt = w.transpose(0, 2, 1)  # (N,j,i)
    d = (xm - xm[0][None]).transpose(1, 0, 2)  # (N,i,6): means relative to model 0 (small numbers)
    dx0 = wt @ d  # (N,j,6)
    # P0_j = sum_i w_ij (P_i + (x_i - x0_j)(x_i - x0_j)^T)
    P0 = (wt @ Pm.transpose(1, 0, 2, 3).reshape(n, r, 36)).reshape(n, r, 6, 6)
    P0 += spread(d[:, None, :, :] - dx0[:, :, None, :], wt)
    x0 = dx0 + xm[0][:, None, :]
    return x0.transpose(1, 0, 2), P0.transpose(1, 0, 2, 3), c


@lru_cache(maxsize=64)
def _step(model: MotionModel, dt: float) -> tuple[Arr, Arr, Arr]:
    """One model's F, F transposed (contiguous: a matmul with a transposed view is several times
    slower) and Q over one time step; a scan sensor repeats the same few steps."""
    F, Q = model.transition(np.array([dt]))[0], model.noise(np.array([dt]))[0]
    return F, np.ascontiguousarray(F.T), Q


def predict(models: tuple[MotionModel, ...], x0: Arr, P0: Arr, dt: Arr) -> tuple[Arr, Arr]:
    """Each model predicts its own mixed state over (N,) dt -> (r,N,6), (r,N,6,6)."""
    xs, Ps = np.empty_like(x0), np.empty_like(P0)
    if len(dt) and np.all(dt == dt[0]):  # one scan interval for all (the usual case): one F, one Q
        for j, m in enumerate(models):
            F1, F1t, Q1 = _step(m, float(dt[0]))
            xs[j] = x0[j] @ F1t
            Ps[j] = F1 @ np.ascontiguousarray(P0[j]) @ F1t + Q1  # (mix hands over strided views)
        return xs, Ps
    for j, m in enumerate(models):
        F = m.transition(dt)
        xs[j] = np.einsum("nij,nj->ni", F, x0[j])
        Ps[j] = F @ P0[j] @ F.transpose(0, 2, 1) + m.noise(dt)
    return xs, Ps


def combine(xm: Arr, Pm: Arr, mu: Arr) -> tuple[Arr, Arr]:
    """Moment-matched single Gaussian of the model mixture: (N,6), (N,6,6)."""
    x = np.einsum("nr,rnk->nk", mu, xm)
    P = np.einsum("nr,rnkl->nkl", mu, Pm) + spread((xm - x[None]).transpose(1, 0, 2), mu)
    return x, P


def combine_mean(xm: Arr, mu: Arr) -> Arr:
    """Mean of the model mixture only: (N,6)."""
    return np.einsum("nr,rnk->nk", mu, xm)


def combine_position(xm: Arr, Pm: Arr, mu: Arr) -> tuple[Arr, Arr]:
    """Mixture mean (N,6) and the position block of its covariance (N,3,3) (what gating needs)."""
    x = np.einsum("nr,rnk->nk", mu, xm)
    P = np.einsum("nr,rnkl->nkl", mu, Pm[:, :, :3, :3]) + spread((xm[:, :, :3] - x[None, :, :3]).transpose(1, 0, 2), mu)
    return x, P


def update_models(xm: Arr, Pm: Arr, z: Arr, R: Arr) -> tuple[Arr, Arr, Arr]:
    """Kalman update of every model with a position z (N,3), R (N,3,3): updated xm, Pm and each
    model's log likelihood of z (N,r)."""
    r, n = xm.shape[0], xm.shape[1]
    # the 3x3 innovation parts of all models as one (r*N) stack (few numpy calls) ...
    S = (Pm[:, :, :3, :3] + R[None]).reshape(r * n, 3, 3)
    nu = z[None] - xm[:, :, :3]  # (r,N,3)
    Sinv, logdet = inv3(S)
    loglik = (-0.5 * (mahalanobis2(nu.reshape(r * n, 3), Sinv) + logdet + 3 * _LOG2PI)).reshape(r, n).T
    Sinv = Sinv.reshape(r, n, 3, 3)
    xo, Po = np.empty_like(xm), np.empty_like(Pm)
    for j in range(r):  # ... the 6x6 parts one model at a time: its temporaries stay in cache
        K = Pm[j][:, :, :3] @ Sinv[j]  # (N,6,3)
        xo[j] = xm[j] + np.einsum("nij,nj->ni", K, nu[j])
        Pj = Pm[j] - K @ Pm[j][:, :3, :]
        # keep it symmetric (rounding drifts it); the transposed copy first: an add over a
        # transposed view runs a 6-long strided inner loop
        Po[j] = 0.5 * (Pj + np.swapaxes(Pj, 1, 2).copy())
    return xo, Po, loglik


def update_position(xm: Arr, Pm: Arr, c: Arr, z: Arr, R: Arr) -> tuple[Arr, Arr, Arr, Arr]:
    """Kalman update of every model with a position z (N,3), R (N,3,3).

    Returns updated xm, Pm, posterior model probabilities mu (N,r) and the log likelihood of z
    under the mixture (N,)."""
    xo, Po, loglik = update_models(xm, Pm, z, R)
    top = loglik.max(axis=1, keepdims=True)
    w = c * np.exp(loglik - top)
    total = w.sum(axis=1, keepdims=True)
    return xo, Po, w / total, (np.log(total[:, 0]) + top[:, 0])


def pda_update(x0: Arr, P0: Arr, c0: Arr, tk: Arr, xm: Arr, Pm: Arr, z: Arr, R: Arr, beta: Arr, beta0: Arr
               ) -> tuple[Arr, Arr, Arr]:
    """IMM-PDA update of T tracks, each by all its plots at once, weighted by their association
    probabilities (JPDA marginals).

    x0 (r,T,6), P0 (r,T,6,6), c0 (T,r): the tracks' predicted model states and probabilities;
    pair k (K pairs) is plot z[k], R[k] of track tk[k] with predicted states xm[:, k], Pm[:, k]
    (those of its track) and probability beta[k]; beta0 (T,) a track's probability of no plot.
    Hypothesis "plot k" of model j weighs beta_k c_j L_jk / sum_i c_i L_ik, "no plot" beta0 c_j;
    each model's posterior is the moment-matched mixture of its hypotheses, and the model
    probabilities are the summed weights. A track with one plot of beta 1 gets exactly
    ``update_position``. Returns xo (r,T,6), Po (r,T,6,6), mu (T,r)."""
    r, n_t = x0.shape[0], x0.shape[1]
    xk, Pk, loglik = update_models(xm, Pm, z, R)
    lw = np.log(np.maximum(c0[tk], 1e-300)) + loglik  # (K,r)
    top = lw.max(axis=1, keepdims=True)
    post = np.exp(lw - top)
    post /= post.sum(axis=1, keepdims=True)  # model posterior given plot k
    a = np.concatenate([beta0[:, None] * c0, beta[:, None] * post])  # (T+K, r) hypothesis weights
    hx = np.concatenate([x0, xk], axis=1)  # (r, T+K, 6)
    hP = np.concatenate([P0, Pk], axis=1)
    owner = np.concatenate([np.arange(n_t), tk])
    mu = np.zeros((n_t, r))
    np.add.at(mu, owner, a)
    w = a / np.maximum(mu[owner], 1e-300)  # (T+K, r) weight within its track's model
    hx, hP = hx.transpose(1, 0, 2), hP.transpose(1, 0, 2, 3)  # (T+K, r, ...)
    xo = np.zeros((n_t, r, 6))
    np.add.at(xo, owner, w[:, :, None] * hx)
    d = hx - xo[owner]
    Po = np.zeros((n_t, r, 6, 6))
    np.add.at(Po, owner, w[:, :, None, None] * (hP + d[..., :, None] * d[..., None, :]))
    Po = 0.5 * (Po + np.swapaxes(Po, -1, -2))
    xo, Po = xo.transpose(1, 0, 2), Po.transpose(1, 0, 2, 3)
    return xo, Po, mu / mu.sum(axis=1, keepdims=True)
