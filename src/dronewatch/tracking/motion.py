"""Constant-velocity building blocks, batched over tracks: transition matrices and the
discretised white-acceleration process noise. State is ``[e, n, u, ve, vn, vu]`` in site ENU
metres and m/s. The IMM's models (``imm.py``) are built from these.
"""

from __future__ import annotations

import numpy as np

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
