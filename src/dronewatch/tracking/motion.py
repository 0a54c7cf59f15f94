"""Motion models: batched Kalman prediction of every track at once (no loop over tracks).

State is ``[e, n, u, ve, vn, vu]`` in site ENU metres and m/s. A model is a frozen Struct with
``predict(x, P, dt)``; an IMM (constant velocity, coordinated turn, near-hover) can later hold
several of them and mix their outputs.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from msgspec import Meta, Struct

Arr = np.ndarray


def cv_transition(dt: Arr) -> Arr:
    """(N,) seconds -> (N, 6, 6) constant-velocity transition matrices."""
    F = np.broadcast_to(np.eye(6), (dt.shape[0], 6, 6)).copy()
    F[:, 0, 3] = F[:, 1, 4] = F[:, 2, 5] = dt
    return F


def cv_noise(dt: Arr, q_h: float, q_v: float) -> Arr:
    """(N,) seconds -> (N, 6, 6) white-acceleration process noise (PSD m²/s³, horizontal/vertical)."""
    Q = np.zeros((dt.shape[0], 6, 6))
    d3, d2, d1 = dt**3 / 3.0, dt**2 / 2.0, dt
    for axis, q in ((0, q_h), (1, q_h), (2, q_v)):
        Q[:, axis, axis] = q * d3
        Q[:, axis, axis + 3] = Q[:, axis + 3, axis] = q * d2
        Q[:, axis + 3, axis + 3] = q * d1
    return Q


class NearlyConstantVelocity(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Nearly-constant-velocity model; process noise PSD horizontal and vertical in m²/s³."""

    q_h: Annotated[float, Meta(gt=0)] = 1.0
    q_v: Annotated[float, Meta(gt=0)] = 0.5

    def predict(self, x: Arr, P: Arr, dt: Arr) -> tuple[Arr, Arr]:
        """x (N, 6), P (N, 6, 6), dt (N,) seconds -> predicted x, P.

        A negative dt retrodicts (for out-of-sequence reports); uncertainty still grows with |dt|.
        """
        F = cv_transition(dt)
        x_new = np.einsum("nij,nj->ni", F, x)
        P_new = F @ P @ F.transpose(0, 2, 1) + cv_noise(np.abs(dt), self.q_h, self.q_v)
        return x_new, P_new
