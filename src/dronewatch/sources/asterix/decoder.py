"""ASTERIX Frames -> Reports (link ``asterix``: a Frame holds one datagram of data blocks).

* CAT048 plots (read by ``plots.plots048``, the fast path): polar (RHO, THETA) from the
  radar's position, found by SAC/SIC among the site's
  sensors (``sac``/``sic``), else the input's own sensor, else a position the radar sent in
  CAT034 I120. Height: I110 3-D height, else the flight level (I090), else the radar's height
  with a wide vertical sigma. The slant range is turned into ground range on a spherical
  earth (plots at 200 NM are kilometres below the radar's tangent plane). Noise: the sensor's
  ``sigma_range_m`` / ``sigma_az_deg``. A Mode S address (I220) becomes the ICAO identity.
  A plot with a usable Doppler speed (I048/120 CAL, not doubtful) from a site radar becomes a
  ``Radar`` measurement (slant range, THETA, the elevation of that height on the spherical
  earth, ``range_rate_mps``), which the tracker places from the site radar's position and whose
  range rate updates the velocity along the beam; every other plot a ``Geodetic`` one.
* CAT062 system tracks: I105 WGS-84 position, else I100 Cartesian position on the system
  plane around the SDPS's ``system_ref`` (site sensor with its SAC/SIC, else the input's
  sensor; ``stereo.SystemPlane``), I130 geometric altitude or I136 flight level, I185
  velocity, I380 address and identification.
* CAT034 / CAT065 (status) make no Reports; the feed keeps them as sensor health.

Times: time of day on the receive date, per source aligned (``tod.SourceClock``).
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import count
from typing import TYPE_CHECKING, Any

from dronewatch.model import Frame, Geodetic, Identity, Radar, Report
from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.fields import Record, decode_items
from dronewatch.sources.asterix.plots import Plot, plots048
from dronewatch.sources.asterix.records import iter_records, split_records
from dronewatch.sources.asterix.stereo import SystemPlane
from dronewatch.sources.asterix.tod import SourceClock
from dronewatch.sources.errors import DecodeError

if TYPE_CHECKING:
    from dronewatch.config import SensorSpec, Site

NM = 1852.0
FT = 0.3048
EARTH_R = 6_371_000.0
LINK = "asterix"


def _destination(lat: float, lon: float, bearing_deg: float, dist_m: float) -> tuple[float, float]:
    """Great-circle destination on a sphere."""
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    d = dist_m / EARTH_R
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


def elevation_deg(h0_m: float, slant_m: float, h_m: float) -> float:
    """Elevation above the radar's horizontal plane of a target at slant range ``slant_m`` and
    height ``h_m``, the radar being at height ``h0_m`` (spherical earth, as ``polar_to_geodetic``)."""
    r0, r1 = EARTH_R + h0_m, EARTH_R + h_m
    if slant_m <= 0.0:
        return 0.0
    cos_g = max(-1.0, min(1.0, (r0 * r0 + r1 * r1 - slant_m * slant_m) / (2 * r0 * r1)))
    return math.degrees(math.asin(max(-1.0, min(1.0, (r1 * cos_g - r0) / slant_m))))


def polar_to_geodetic(lat: float, lon: float, h0_m: float, slant_m: float, az_deg: float,
                      h_m: float) -> tuple[float, float]:
    """Target lat/lon from a radar at (lat, lon, h0) seeing it at slant range and azimuth, the
    target's height being ``h_m`` (spherical earth)."""
    r0, r1 = EARTH_R + h0_m, EARTH_R + h_m
    cos_g = (r0 * r0 + r1 * r1 - slant_m * slant_m) / (2 * r0 * r1)
    ground = EARTH_R * math.acos(max(-1.0, min(1.0, cos_g)))
    return _destination(lat, lon, az_deg, ground)


class AsterixDecoder:
    """Stateful Frame -> Reports for ASTERIX; one per pipeline (knows the site's radars)."""

    def __init__(self, site: Site | None = None) -> None:
        self.site = site
        self.clock = SourceClock()
        self._by_code: dict[tuple[int, int], SensorSpec] = {}
        self._by_id: dict[str, SensorSpec] = {}
        self.origin_alt_m = site.origin.alt_m if site is not None else 0.0
        if site is not None:
            for s in site.sensors:
                self._by_id[s.id] = s
                if s.sac is not None and s.sic is not None:
                    self._by_code[(s.sac, s.sic)] = s
        self._planes: dict[str, SystemPlane] = {}  # sensor id -> its system_ref's plane
        self.learnt: dict[tuple[int, int], tuple[float, float, float]] = {}  # CAT034 I120 positions
        self._rejects: Counter[str] = Counter()
        self._seq = count(1)

    def __call__(self, frame: Frame) -> list[Report]:
        """Reports of every good record. A bad block ends the datagram (its length cannot be
        trusted); a record that cannot be placed is dropped alone and its reason handed to
        ``take_rejects``. DecodeError only when nothing in the datagram was usable."""
        out: list[Report] = []
        errors: list[DecodeError] = []
        records = 0
        try:
            for cat, block in split_blocks(frame.data):
                if cat == 48:
                    plots = plots048(block)
                    records += len(plots)
                    for plot in plots:
                        try:
                            rep = self._plot(frame, plot)
                        except DecodeError as rec_err:
                            errors.append(rec_err)
                            continue
                        if rep is not None:
                            out.append(rep)
                    continue
                for items in split_records(cat, block):
                    records += 1
                    try:
                        rep = self._record(frame, cat, decode_items(cat, items))
                    except DecodeError as rec_err:
                        errors.append(rec_err)
                        continue
                    if rep is not None:
                        out.append(rep)
        except DecodeError as block_err:
            errors.append(block_err)
        for e in errors[1:] if not out else errors:
            self._rejects[e.reason] += 1
        if errors and not out and len(errors) >= records:
            raise errors[0]  # the frame is rejected for its first reason, the others are handed over
        if errors and not out:
            self._rejects[errors[0].reason] += 1
        return out

    def take_rejects(self) -> Counter[str]:
        """Reasons of records dropped from otherwise good datagrams since the last call."""
        taken, self._rejects = self._rejects, Counter()
        return taken

    def _record(self, frame: Frame, cat: int, rec: Record) -> Report | None:
        if cat == 62:
            return self._system_track(frame, rec)
        if cat == 34 and "lat" in rec and "sac" in rec:
            self.learnt[(rec["sac"], rec["sic"])] = (rec["lat"], rec["lon"], float(rec["height_m"]))
        return None

    def _time(self, rec: Record, received_at: float) -> float:
        tod = rec.get("tod")
        if tod is None:
            return received_at
        return self.clock.place((rec.get("sac", -1), rec.get("sic", -1)), tod, received_at)

    def _radar(self, frame: Frame, code: tuple[int, int]
               ) -> tuple[str, float, float, float, float, float, bool] | None:
        """(sensor id, lat, lon, height above WGS84, sigma range m, sigma az deg, a site sensor) of
        a radar."""
        spec = self._by_code.get(code) or self._by_id.get(frame.sensor_id)
        if spec is not None:
            return (spec.id, spec.lat, spec.lon, self.origin_alt_m + spec.alt_m, spec.sigma_range_m,
                    spec.sigma_az_deg, True)
        learnt = self.learnt.get(code)
        if learnt is not None:
            return (f"asterix-{code[0]}-{code[1]}", learnt[0], learnt[1], learnt[2], 70.0, 0.08, False)
        return None

    def _plot(self, frame: Frame, plot: Plot) -> Report | None:
        if plot.rho_nm is None or plot.theta_deg is None:
            return None  # no measured position (e.g. an end-of-track record)
        code = (plot.sac if plot.sac is not None else -1, plot.sic if plot.sic is not None else -1)
        radar = self._radar(frame, code)
        if radar is None:
            raise DecodeError("radar position unknown", f"SAC/SIC {code[0]}/{code[1]}: give the site sensor sac/sic")
        sensor_id, rlat, rlon, rh, sig_r, sig_az, on_site = radar
        slant = plot.rho_nm * NM
        if plot.height_3d_ft is not None:
            h, v_sigma = plot.height_3d_ft * FT, 150.0
        elif plot.fl is not None:
            h, v_sigma = plot.fl * 100.0 * FT, 200.0  # pressure altitude: off by ~100s of m
        else:
            h, v_sigma = rh, max(300.0, slant * 0.05)
        ident = Identity(scheme="icao", value=plot.address, callsign=plot.ident) if plot.address else None
        at = self.clock.place(code, plot.tod, frame.received_at) if plot.tod is not None else frame.received_at
        meas: Radar | Geodetic
        if plot.range_rate_mps is not None and on_site and slant > 0.0:
            # the tracker knows a site radar's position: a polar plot keeps the Doppler speed
            meas = Radar(range_m=slant, azimuth_deg=plot.theta_deg, elevation_deg=elevation_deg(rh, slant, h),
                         sigma_range_m=sig_r, sigma_az_deg=sig_az,
                         sigma_el_deg=min(math.degrees(v_sigma / slant), 45.0),
                         range_rate_mps=plot.range_rate_mps)
        else:
            lat, lon = polar_to_geodetic(rlat, rlon, rh, slant, plot.theta_deg, h)
            h_sigma = max(sig_r, slant * math.radians(sig_az))
            vel = None
            if plot.gsp_nmps is not None and plot.hdg_deg is not None:
                gs, hdg = plot.gsp_nmps * NM, math.radians(plot.hdg_deg)
                vel = (gs * math.sin(hdg), gs * math.cos(hdg), 0.0)
            meas = Geodetic(lat=lat, lon=lon, alt_m=h, h_sigma_m=h_sigma, v_sigma_m=v_sigma, vel_enu_mps=vel)
        return Report(report_id=f"{sensor_id}-a48-{next(self._seq)}", sensor_id=sensor_id, sensor_kind="radar",
                      measured_at=at, received_at=frame.received_at, measurement=meas, identity=ident)

    def _track_position(self, rec: Record, spec: SensorSpec | None, code: tuple[int, int]) -> tuple[float, float]:
        """(lat, lon) of a CAT062 track: I105, else I100 on the system plane."""
        if "lat" in rec and "lon" in rec:
            return rec["lat"], rec["lon"]
        if "x_m" not in rec:
            raise DecodeError("CAT062 track without position (neither I105 nor I100)")
        ref = spec.system_ref if spec is not None else None
        if spec is None or ref is None:
            which = f"sensor {spec.id!r}" if spec is not None else f"a sensor with sac {code[0]}, sic {code[1]}"
            raise DecodeError("CAT062 I100 position without a system reference",
                              f"site file: give {which} `system_ref: {{lat, lon}}` (the SDPS's system reference point)")
        plane = self._planes.get(spec.id)
        if plane is None:
            plane = self._planes[spec.id] = SystemPlane.at(ref.lat, ref.lon)
        return plane.to_geodetic(rec["x_m"], rec["y_m"])

    def _system_track(self, frame: Frame, rec: Record) -> Report | None:
        code = (rec.get("sac", -1), rec.get("sic", -1))
        spec = self._by_code.get(code) or self._by_id.get(frame.sensor_id)
        lat, lon = self._track_position(rec, spec, code)
        sensor_id = spec.id if spec is not None else f"asterix-{code[0]}-{code[1]}"
        if "geo_alt_ft" in rec:
            h, v_sigma = rec["geo_alt_ft"] * FT, 50.0
        elif "fl" in rec:
            h, v_sigma = rec["fl"] * 100.0 * FT, 200.0
        else:
            h, v_sigma = None, 1000.0
        vel: tuple[float, float, float] | None = None
        if "vx_mps" in rec:
            vel = (rec["vx_mps"], rec["vy_mps"], rec.get("rocd_fpm", 0.0) * FT / 60.0)
        address = rec.get("address")
        ident = Identity(scheme="icao", value=address, callsign=rec.get("ident") or rec.get("fp_callsign")) \
            if address else None
        at = self._time(rec, frame.received_at)
        return Report(report_id=f"{sensor_id}-a62-{next(self._seq)}", sensor_id=sensor_id, sensor_kind="radar",
                      measured_at=at, received_at=frame.received_at,
                      measurement=Geodetic(lat=lat, lon=lon, alt_m=h, h_sigma_m=50.0,
                                           v_sigma_m=v_sigma, vel_enu_mps=vel),
                      identity=ident)


def decode_datagram(data: bytes) -> list[Record]:
    """Every record of a datagram or file as named values (for ``decode``)."""
    return [decode_items(cat, items) for cat, items in iter_records(data)]


__all__: list[Any] = ["LINK", "AsterixDecoder", "decode_datagram", "elevation_deg", "polar_to_geodetic"]
