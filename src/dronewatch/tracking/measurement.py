"""Measurement models: Reports -> position (and velocity) observations in site ENU arrays.

Radar plots use the *converted measurement* approach: (range, azimuth, elevation) from the
sensor's ENU position becomes a Cartesian point, and its covariance is the polar covariance
carried through the Jacobian of that conversion (R = J diag(σr², σaz², σel²) Jᵀ). The update is
then linear (H picks position), which keeps predict/update batched. The sensor's tangent plane
is taken parallel to the site's (error < 0.2 m at 1 km from the origin). A plot's range rate, when
the radar gives one, is a second, scalar observation of the velocity along the plot's line of
sight (``range_rate_update``: H = [0 0 0 uᵀ], u the unit vector from the sensor to the plot).

Geodetic self-reports (Remote ID, ADS-B): ``alt_m`` is height above the ellipsoid
(``SiteFrame.to_enu``); ``h_sigma_m``/``v_sigma_m`` give R; a stated velocity becomes a second
observation. With no altitude the vertical variance is made huge. LocalEnu is used as is.
Bearings do not reach this module: ``bearings.fixes`` first triangulates them into LocalEnu fixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dronewatch.geo import SiteFrame, radar_to_enu
from dronewatch.model import Geodetic, LocalEnu, Radar, Report

NO_ALT_SIGMA_M = 1000.0
STATED_VEL_SIGMA_MPS = 1.0


@dataclass(slots=True)
class Observations:
    """M observations: position z (M,3) with R (M,3,3); velocity v (M,3), Rv (M,3,3) where has_v."""

    z: np.ndarray
    R: np.ndarray
    v: np.ndarray
    Rv: np.ndarray
    has_v: np.ndarray
    valid: np.ndarray
    rr: np.ndarray | None = None  # (M,) range rate m/s (nan: none); None: no report has one
    los: np.ndarray | None = None  # (M,3) unit line of sight from the sensor, where rr is given


def radar_converted(
    sensor_enu: np.ndarray, rng: np.ndarray, az_deg: np.ndarray, el_deg: np.ndarray,
    s_r: np.ndarray, s_az_deg: np.ndarray, s_el_deg: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Polar plots (K,) from sensors at sensor_enu (K,3) -> ENU points (K,3), covariances (K,3,3)."""
    de, dn, du = radar_to_enu(rng, az_deg, el_deg)
    z = sensor_enu + np.stack([de, dn, du], axis=1)
    az, el = np.radians(az_deg), np.radians(el_deg)
    sa, ca, se, ce = np.sin(az), np.cos(az), np.sin(el), np.cos(el)
    J = np.empty((rng.shape[0], 3, 3))
    J[:, 0] = np.stack([ce * sa, rng * ce * ca, -rng * se * sa], axis=1)
    J[:, 1] = np.stack([ce * ca, -rng * ce * sa, -rng * se * ca], axis=1)
    J[:, 2] = np.stack([se, np.zeros_like(rng), rng * ce], axis=1)
    D = np.zeros((rng.shape[0], 3, 3))
    D[:, 0, 0] = s_r**2
    D[:, 1, 1] = np.radians(s_az_deg) ** 2
    D[:, 2, 2] = np.radians(s_el_deg) ** 2
    return z, J @ D @ J.transpose(0, 2, 1)


def observe(reports: Sequence[Report], frame: SiteFrame, sensor_enu: dict[str, np.ndarray]) -> Observations:
    """Turn a batch of reports into ENU observation arrays (one row per report, same order)."""
    m = len(reports)
    z = np.zeros((m, 3))
    R = np.broadcast_to(np.eye(3), (m, 3, 3)).copy()
    v = np.zeros((m, 3))
    Rv = np.broadcast_to(np.eye(3) * STATED_VEL_SIGMA_MPS**2, (m, 3, 3)).copy()
    has_v = np.zeros(m, dtype=bool)
    valid = np.zeros(m, dtype=bool)
    radar_rows: list[int] = []
    radar_vals: list[tuple[float, ...]] = []
    geo_rows: list[int] = []
    geo_vals: list[tuple[float, float, float]] = []
    for i, rep in enumerate(reports):
        meas = rep.measurement
        if isinstance(meas, Radar):
            pos = sensor_enu.get(rep.sensor_id)
            if pos is None:
                continue
            radar_rows.append(i)
            radar_vals.append((*pos, meas.range_m, meas.azimuth_deg, meas.elevation_deg,
                               meas.sigma_range_m, meas.sigma_az_deg, meas.sigma_el_deg,
                               np.nan if meas.range_rate_mps is None else meas.range_rate_mps))
        elif isinstance(meas, Geodetic):
            geo_rows.append(i)
            alt = meas.alt_m if meas.alt_m is not None else frame.h0
            geo_vals.append((meas.lat, meas.lon, alt))
            v_sigma = meas.v_sigma_m if meas.alt_m is not None else NO_ALT_SIGMA_M
            R[i] = np.diag([meas.h_sigma_m**2, meas.h_sigma_m**2, v_sigma**2])
            if meas.vel_enu_mps is not None:
                v[i] = meas.vel_enu_mps
                has_v[i] = True
        elif isinstance(meas, LocalEnu):
            z[i] = (meas.e, meas.n, meas.u)
            R[i] = np.eye(3) * meas.sigma_m**2
            valid[i] = True
    rr: np.ndarray | None = None
    los: np.ndarray | None = None
    if radar_rows:
        a = np.asarray(radar_vals, dtype=float)
        rows = np.asarray(radar_rows)
        z[rows], R[rows] = radar_converted(a[:, 0:3], a[:, 3], a[:, 4], a[:, 5], a[:, 6], a[:, 7], a[:, 8])
        valid[rows] = True
        if np.isfinite(a[:, 9]).any():
            rr, los = np.full(m, np.nan), np.zeros((m, 3))
            rr[rows] = a[:, 9]
            d = z[rows] - a[:, 0:3]
            los[rows] = d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    if geo_rows:
        g = np.asarray(geo_vals, dtype=float)
        rows = np.asarray(geo_rows)
        e, n, u = frame.to_enu(g[:, 0], g[:, 1], g[:, 2])
        z[rows] = np.stack([e, n, u], axis=1)
        valid[rows] = True
    return Observations(z=z, R=R, v=v, Rv=Rv, has_v=has_v, valid=valid, rr=rr, los=los)


def kalman_update(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray, first: int) -> tuple[
        np.ndarray, np.ndarray]:
    """Batched linear update observing state components first..first+2 (0: position, 3: velocity).

    x (K,6), P (K,6,6), z (K,3), R (K,3,3) -> updated x, P (Joseph-free form, symmetrised).
    """
    sl = slice(first, first + 3)
    S = P[:, sl, sl] + R
    PHt = P[:, :, sl]  # (K,6,3)
    K = np.linalg.solve(S, PHt.transpose(0, 2, 1)).transpose(0, 2, 1)
    y = z - x[:, sl]
    x_new = x + np.einsum("kij,kj->ki", K, y)
    P_new = P - K @ PHt.transpose(0, 2, 1)
    P_new = 0.5 * (P_new + P_new.transpose(0, 2, 1))
    return x_new, P_new


def range_rate_update(x: np.ndarray, P: np.ndarray, rr: np.ndarray, u: np.ndarray, var: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched scalar update with range rates rr (K,) along unit lines of sight u (K,3), variance
    ``var``: x (K,6), P (K,6,6) -> updated x, P (symmetrised) and the log likelihood of rr (K,)."""
    Pu = P[:, :, 3:] @ u[:, :, None]  # (K,6,1) = P Hᵀ
    S = (u[:, None, :] @ Pu[:, 3:, :])[:, 0, 0] + var
    K = Pu[:, :, 0] / S[:, None]
    y = rr - np.einsum("ki,ki->k", u, x[:, 3:])
    x_new = x + K * y[:, None]
    P_new = P - K[:, :, None] * Pu[:, None, :, 0]
    loglik = -0.5 * (y * y / S + np.log(2 * np.pi * S))
    return x_new, 0.5 * (P_new + P_new.transpose(0, 2, 1)), loglik
