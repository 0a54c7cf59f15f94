"""Bearing-only reports (RF direction finders, cameras, microphone arrays): triangulation of
bearings from two or more sensors into a position fix that can start or update a track.

A bearing from sensor o with unit direction d constrains the target to the line o + s d. The fix
minimises the weighted squared perpendicular distances to all lines (linear least squares); each
line's weight is 1 / (range * sigma)^2, so its covariance is the inverse of the summed weighted
projectors. A bearing with no elevation constrains the horizontal plane only; if no bearing has an
elevation, the height gets ``default_alt_m`` with ``no_alt_sigma_m``.

A bearing that pairs with no other updates an existing track instead (``azimuth_update``: an
extended Kalman update with the azimuth alone, H its gradient in the horizontal position), when
exactly one confirmed track lies inside its gate; it never starts a track.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dronewatch.model import Bearing, LocalEnu, Report

NO_ALT_SIGMA_M = 300.0
MIN_CROSSING_DEG = 5.0  # rays closer to parallel than this do not make a fix


def directions(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """(K,) azimuth clockwise from north and elevation (nan: none -> horizontal) -> (K,3) ENU units."""
    az = np.radians(azimuth_deg)
    el = np.radians(np.nan_to_num(elevation_deg, nan=0.0))
    return np.stack([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)], axis=1)


def triangulate(origins_enu: np.ndarray, azimuth_deg: np.ndarray, elevation_deg: np.ndarray,
                sigma_deg: np.ndarray, default_alt_m: float = 0.0) -> tuple[np.ndarray, np.ndarray] | None:
    """Least-squares crossing of K >= 2 bearings -> (position (3,), covariance (3,3)), or None when
    the rays are near parallel or the crossing lies behind a sensor."""
    d = directions(azimuth_deg, elevation_deg)
    has_el = ~np.isnan(elevation_deg)
    horiz = d[:, :2] / np.linalg.norm(d[:, :2], axis=1, keepdims=True)
    cross = np.abs(horiz[:, None, 0] * horiz[None, :, 1] - horiz[:, None, 1] * horiz[None, :, 0])
    if cross.max() < np.sin(np.radians(MIN_CROSSING_DEG)):
        return None
    sig = np.radians(sigma_deg)
    rng_m = np.full(len(d), 1000.0)
    p: np.ndarray = np.zeros(3)
    for _ in range(2):  # weights depend on range: solve, re-weight with the ranges found, solve
        A = np.zeros((3, 3))
        b = np.zeros(3)
        for k in range(len(d)):
            if has_el[k]:
                proj = np.eye(3) - np.outer(d[k], d[k])
            else:  # only the horizontal direction is known
                h = np.array([horiz[k, 0], horiz[k, 1], 0.0])
                proj = np.diag([1.0, 1.0, 0.0]) - np.outer(h, h)
            w = 1.0 / (rng_m[k] * sig[k]) ** 2
            A += w * proj
            b += w * proj @ origins_enu[k]
        if not has_el.any():
            A[2, 2] += 1.0 / NO_ALT_SIGMA_M**2
            b[2] += default_alt_m / NO_ALT_SIGMA_M**2
        p = np.linalg.solve(A, b)
        along = np.einsum("ki,ki->k", p - origins_enu, np.where(has_el[:, None], d, np.column_stack(
            [horiz, np.zeros(len(d))])))
        if (along <= 0).any():
            return None  # behind a sensor
        rng_m = np.maximum(along, 1.0)
    return p, np.linalg.inv(A)


def fixes_and_rest(bearings: Sequence[Report], sensor_enu: dict[str, np.ndarray], window_s: float,
                   max_range_m: float, default_alt_m: float = 0.0) -> tuple[list[Report], list[Report]]:
    """Pair bearing reports of different sensors taken within ``window_s`` into LocalEnu fixes.

    Greedy and deterministic: candidate pairs (in time order) are ranked by the fix's uncertainty;
    each bearing makes at most one fix. A fix's report id names both bearings; its sensor id is
    ``"bearings:<a>+<b>"`` and its sigma the largest axis of the fix covariance. Also returns the
    bearings (of known sensors) that went into no fix, in time order."""
    reps = sorted((r for r in bearings if isinstance(r.measurement, Bearing) and r.sensor_id in sensor_enu),
                  key=lambda r: (r.measured_at, r.sensor_id, r.report_id))
    cands: list[tuple[float, int, int, np.ndarray, np.ndarray]] = []
    for i, a in enumerate(reps):
        for j in range(i + 1, len(reps)):
            b = reps[j]
            if b.measured_at - a.measured_at > window_s:
                break
            if b.sensor_id == a.sensor_id:
                continue
            ma, mb = a.measurement, b.measurement
            assert isinstance(ma, Bearing) and isinstance(mb, Bearing)
            got = triangulate(
                np.stack([sensor_enu[a.sensor_id], sensor_enu[b.sensor_id]]),
                np.array([ma.azimuth_deg, mb.azimuth_deg]),
                np.array([np.nan if ma.elevation_deg is None else ma.elevation_deg,
                          np.nan if mb.elevation_deg is None else mb.elevation_deg]),
                np.array([ma.sigma_deg, mb.sigma_deg]), default_alt_m)
            if got is None:
                continue
            p, cov = got
            if max(np.linalg.norm(p[:2] - sensor_enu[s][:2]) for s in (a.sensor_id, b.sensor_id)) > max_range_m:
                continue
            cands.append((float(np.trace(cov)), i, j, p, cov))
    return _pick(reps, cands)


def fixes(bearings: Sequence[Report], sensor_enu: dict[str, np.ndarray], window_s: float,
          max_range_m: float, default_alt_m: float = 0.0) -> list[Report]:
    """The fixes of ``fixes_and_rest``."""
    return fixes_and_rest(bearings, sensor_enu, window_s, max_range_m, default_alt_m)[0]


def azimuth_update(x: np.ndarray, P: np.ndarray, origin: np.ndarray, azimuth_deg: float, sigma_deg: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extended Kalman update of K states x (K,6), P (K,6,6) with one azimuth (clockwise from north)
    seen from ``origin`` (3,): updated x, P and each state's squared Mahalanobis innovation (K,)."""
    d = x[:, :2] - origin[:2]
    rho2 = np.maximum(np.einsum("ki,ki->k", d, d), 1.0)
    H = np.zeros((len(x), 6))
    H[:, 0], H[:, 1] = d[:, 1] / rho2, -d[:, 0] / rho2
    y = (np.radians(azimuth_deg) - np.arctan2(d[:, 0], d[:, 1]) + np.pi) % (2 * np.pi) - np.pi
    PH = np.einsum("kij,kj->ki", P, H)
    S = np.einsum("ki,ki->k", H, PH) + np.radians(sigma_deg) ** 2
    K = PH / S[:, None]
    P_new = P - K[:, :, None] * PH[:, None, :]
    return x + K * y[:, None], 0.5 * (P_new + P_new.transpose(0, 2, 1)), y * y / S


def _pick(reps: list[Report], cands: list[tuple[float, int, int, np.ndarray, np.ndarray]]
          ) -> tuple[list[Report], list[Report]]:
    cands.sort(key=lambda c: (c[0], c[1], c[2]))
    used: set[int] = set()
    out: list[Report] = []
    for _, i, j, p, cov in cands:
        if i in used or j in used:
            continue
        used |= {i, j}
        a, b = reps[i], reps[j]
        sigma_m = float(np.sqrt(np.linalg.eigvalsh(cov)[-1]))
        out.append(Report(
            report_id=f"{a.report_id}+{b.report_id}", sensor_id=f"bearings:{a.sensor_id}+{b.sensor_id}",
            sensor_kind=a.sensor_kind, measured_at=max(a.measured_at, b.measured_at),
            received_at=max(a.received_at, b.received_at),
            measurement=LocalEnu(e=float(p[0]), n=float(p[1]), u=float(p[2]), sigma_m=sigma_m),
            class_hint=a.class_hint or b.class_hint))
    return out, [r for i, r in enumerate(reps) if i not in used]
