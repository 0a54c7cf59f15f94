"""Gating: which (measurement, track) pairs are plausible. A k-d tree on positions gives a coarse
Euclidean pre-gate (so it scales to thousands of tracks); survivors get the Mahalanobis test."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def mahalanobis2(dz: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distances of residuals dz (K,3) under covariances S (K,3,3)."""
    return np.einsum("ki,ki->k", dz, np.linalg.solve(S, dz[:, :, None])[:, :, 0])


DENSE_MAX_PAIRS = 4096  # below this many track x measurement pairs, plain numpy beats a k-d tree


def coarse_pairs(track_pos: np.ndarray, z: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(measurement index, track index) of pairs closer than radius_m, sorted by measurement then track.

    Small problems use one dense distance matrix; large ones a k-d tree on each side.
    """
    if len(track_pos) == 0 or len(z) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if len(track_pos) * len(z) <= DENSE_MAX_PAIRS:
        d = np.linalg.norm(z[:, None, :] - track_pos[None, :, :], axis=2)
        mi, ti = np.nonzero(d <= radius_m)
        return mi.astype(np.intp), ti.astype(np.intp)
    pairs = cKDTree(z).sparse_distance_matrix(cKDTree(track_pos), radius_m, output_type="ndarray")
    mi = pairs["i"].astype(np.intp)
    ti = pairs["j"].astype(np.intp)
    order = np.lexsort((ti, mi))  # deterministic pair order
    return mi[order], ti[order]


NEIGHBOUR_DENSE_MAX = 1 << 18  # below this many query x reference pairs, one distance matrix beats a tree


def neighbours(q: np.ndarray, radius: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(query index, reference index) of the pairs with |q_i - ref_j| <= radius_i, sorted by query
    then reference. q (K,3), radius (K,), ref (L,3). Few pairs: one squared-distance matrix, summed
    per axis (no per-point Python lists); many: a k-d tree on ref."""
    if len(q) == 0 or len(ref) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if len(q) * len(ref) <= NEIGHBOUR_DENSE_MAX:
        d2 = (q[:, 0, None] - ref[None, :, 0]) ** 2
        for a in range(1, q.shape[1]):
            d2 += (q[:, a, None] - ref[None, :, a]) ** 2
        qi, ri = np.nonzero(d2 <= (radius * radius)[:, None])
        return qi.astype(np.intp), ri.astype(np.intp)
    near = cKDTree(ref).query_ball_point(q, radius)
    counts = np.fromiter((len(f) for f in near), dtype=np.intp, count=len(near))
    qi = np.repeat(np.arange(len(q), dtype=np.intp), counts)
    ri = np.fromiter((j for f in near for j in sorted(f)), dtype=np.intp, count=int(counts.sum()))
    return qi, ri


def coarse_radius_m(track_cov: np.ndarray, R: np.ndarray, chi2: float, max_radius_m: float) -> float:
    """A Euclidean radius that holds every chi² gate (capped): sqrt(chi2 * largest trace of S)."""
    if len(track_cov) == 0 or len(R) == 0:
        return 0.0
    spread = np.trace(track_cov, axis1=1, axis2=2).max() + np.trace(R, axis1=1, axis2=2).max()
    return min(float(np.sqrt(chi2 * spread)), max_radius_m)


def gate(
    track_pos: np.ndarray, track_cov: np.ndarray, z: np.ndarray, R: np.ndarray,
    chi2: float, max_radius_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs inside the gate -> (measurement index, track index, squared Mahalanobis distance).

    track_pos (N,3), track_cov (N,3,3) predicted to the measurements' time; z (M,3), R (M,3,3).
    """
    mi, ti = coarse_pairs(track_pos, z, coarse_radius_m(track_cov, R, chi2, max_radius_m))
    d2 = mahalanobis2(z[mi] - track_pos[ti], track_cov[ti] + R[mi])
    keep = d2 <= chi2
    return mi[keep], ti[keep], d2[keep]
