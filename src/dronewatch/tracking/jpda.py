"""Joint probabilistic data association for one small cluster: exact enumeration of the joint
events (each track takes at most one plot, each plot at most one track) and their marginals."""

from __future__ import annotations

import numpy as np


def jpda_marginals(lik: np.ndarray, miss_weight: float) -> np.ndarray:
    """lik (T, M): likelihood ratio of plot m coming from track t (0 = outside the gate);
    miss_weight: weight of a track taking no plot (1 - Pd).

    Returns beta (T, 1 + M): column 0 the probability that track t took no plot, column 1 + m
    that it took plot m. Rows sum to 1. Cost grows with the number of joint events, so callers
    keep clusters small (larger ones go to GNN)."""
    n_t, n_m = lik.shape
    options = [np.flatnonzero(lik[t] > 0).tolist() for t in range(n_t)]
    beta = np.zeros((n_t, 1 + n_m))
    choice = [-1] * n_t

    def walk(t: int, used: int, weight: float) -> None:
        if t == n_t:
            for k, m in enumerate(choice):
                beta[k, m + 1] += weight
            return
        choice[t] = -1
        walk(t + 1, used, weight * miss_weight)
        for m in options[t]:
            if not used >> m & 1:
                choice[t] = m
                walk(t + 1, used | (1 << m), weight * float(lik[t, m]))
        choice[t] = -1

    walk(0, 0, 1.0)
    total = beta.sum(axis=1, keepdims=True)
    return beta / np.where(total > 0, total, 1.0)
