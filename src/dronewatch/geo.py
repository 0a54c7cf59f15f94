"""WGS84 <-> site ENU conversions and geodesic helpers (pymap3d), vectorised over arrays.

The site frame is East-North-Up metres centred on the site origin at the origin's ground
height (``origin.alt_m``, above the WGS84 ellipsoid), so ``u`` is height above that ground.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pymap3d

ArrOrFloat = TypeVar("ArrOrFloat", float, np.ndarray)


class SiteFrame:
    """Converts between geodetic (lat, lon, height above ellipsoid) and site ENU metres."""

    def __init__(self, lat: float, lon: float, ground_alt_m: float = 0.0) -> None:
        self.lat0 = float(lat)
        self.lon0 = float(lon)
        self.h0 = float(ground_alt_m)

    def to_enu(self, lat: ArrOrFloat, lon: ArrOrFloat, alt_hae_m: ArrOrFloat) -> tuple:
        """Geodetic (height above ellipsoid) -> (e, n, u) metres in the site frame."""
        return pymap3d.geodetic2enu(lat, lon, alt_hae_m, self.lat0, self.lon0, self.h0)

    def to_geodetic(self, e: ArrOrFloat, n: ArrOrFloat, u: ArrOrFloat) -> tuple:
        """Site ENU metres -> (lat, lon, height above ellipsoid)."""
        return pymap3d.enu2geodetic(e, n, u, self.lat0, self.lon0, self.h0)

    def ground_to_enu(self, lat: ArrOrFloat, lon: ArrOrFloat, height_m: ArrOrFloat) -> tuple:
        """(lat, lon, metres above the origin's ground) -> ENU; the config files' convention."""
        return self.to_enu(lat, lon, height_m + self.h0)

    def enu_to_ground(self, e: ArrOrFloat, n: ArrOrFloat, u: ArrOrFloat) -> tuple[float, float, float]:
        """ENU -> (lat, lon, metres above the origin's ground) as written in output files."""
        lat, lon, h = self.to_geodetic(e, n, u)
        return lat, lon, h - self.h0


def radar_to_enu(
    range_m: np.ndarray | float, az_deg: np.ndarray | float, el_deg: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Polar (range, azimuth clockwise from north, elevation) -> ENU offsets from the sensor."""
    az = np.radians(az_deg)
    el = np.radians(el_deg)
    r = np.asarray(range_m, dtype=float)
    horiz = r * np.cos(el)
    return horiz * np.sin(az), horiz * np.cos(az), r * np.sin(el)


def enu_to_radar(
    de: np.ndarray | float, dn: np.ndarray | float, du: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ENU offsets from a sensor -> (range, azimuth deg in [0, 360), elevation deg)."""
    de, dn, du = np.asarray(de, float), np.asarray(dn, float), np.asarray(du, float)
    horiz = np.hypot(de, dn)
    rng = np.hypot(horiz, du)
    az = np.degrees(np.arctan2(de, dn)) % 360.0
    el = np.degrees(np.arctan2(du, horiz))
    return rng, az, el


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on the WGS84 mean radius)."""
    r = 6371008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * r * np.arcsin(np.sqrt(a)))
