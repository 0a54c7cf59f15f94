"""ASTERIX system plane -> WGS-84: the oblique stereographic projection an SDPS measures its
CAT062 I100 Cartesian track positions on, centred on the system reference point. Pure.

The projection is the "double" (conformal sphere) stereographic of the IOGP Guidance Note 7-2
(EPSG method 9809), with scale factor 1 and no false origin: x east, y north, metres on the
plane tangent at the reference point. Formulas written from the guidance note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

A = 6_378_137.0  # WGS-84 semi-major axis
F = 1 / 298.257223563
E2 = F * (2 - F)
E = math.sqrt(E2)


def _atan(num: float, den: float) -> float:
    """atan(num / den) as the guidance note writes it (not atan2: no quadrant is added)."""
    return math.atan(num / den) if den else math.copysign(math.pi / 2, num)


@dataclass(frozen=True, slots=True)
class SystemPlane:
    """Constants of the projection for one reference point (degrees)."""

    lat0: float
    lon0: float
    radius: float = 0.0
    n: float = 0.0
    c: float = 0.0
    chi0: float = 0.0
    g: float = 0.0
    h: float = 0.0

    @classmethod
    def at(cls, lat0: float, lon0: float) -> SystemPlane:
        p0 = math.radians(lat0)
        s0 = math.sin(p0)
        w = 1 - E2 * s0 * s0
        rho0, nu0 = A * (1 - E2) / w**1.5, A / math.sqrt(w)
        radius = math.sqrt(rho0 * nu0)  # radius of the conformal sphere
        n = math.sqrt(1 + E2 * math.cos(p0) ** 4 / (1 - E2))
        s1, s2 = (1 + s0) / (1 - s0), (1 - E * s0) / (1 + E * s0)
        w1 = (s1 * s2**E) ** n
        sin_chi00 = (w1 - 1) / (w1 + 1)
        c = (n + s0) * (1 - sin_chi00) / ((n - s0) * (1 + sin_chi00))
        w2 = c * w1
        chi0 = math.asin((w2 - 1) / (w2 + 1))
        g = 2 * radius * math.tan(math.pi / 4 - chi0 / 2)
        h = 4 * radius * math.tan(chi0) + g
        return cls(lat0, lon0, radius, n, c, chi0, g, h)

    def to_geodetic(self, x: float, y: float) -> tuple[float, float]:
        """(lat, lon) in degrees of the point ``x`` m east, ``y`` m north on the plane."""
        i = _atan(x, self.h + y)
        j = _atan(x, self.g - y) - i
        chi = self.chi0 + 2 * math.atan((y - x * math.tan(j / 2)) / (2 * self.radius))
        lon = math.degrees((j + 2 * i) / self.n) + self.lon0
        sin_chi = math.sin(chi)
        psi = 0.5 * math.log((1 + sin_chi) / (self.c * (1 - sin_chi))) / self.n
        phi = 2 * math.atan(math.exp(psi)) - math.pi / 2
        for _ in range(8):  # isometric latitude -> geodetic latitude (converges in a few steps)
            sp = math.sin(phi)
            psi_i = math.log(math.tan(phi / 2 + math.pi / 4) * ((1 - E * sp) / (1 + E * sp)) ** (E / 2))
            step = (psi_i - psi) * math.cos(phi) * (1 - E2 * sp * sp) / (1 - E2)
            phi -= step
            if abs(step) < 1e-12:
                break
        return math.degrees(phi), (lon + 540.0) % 360.0 - 180.0
