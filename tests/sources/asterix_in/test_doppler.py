"""CAT048 I048/120 Radial Doppler Speed -> range rate. The shared recordings carry no I120 (see
../shared/data/asterix/MANIFEST.md: their items are I010-I250 without it), so these records are
built byte by byte to the EUROCONTROL layout: a compound item, primary octet then subfield 1
CAL = D bit, 5 spare bits, 10-bit two's complement in m/s; subfield 2 RDS = REP then 6 octets
(DOP, AMB m/s, FRQ MHz) per repetition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dronewatch.config import Origin, SensorSpec, Site
from dronewatch.geo import SiteFrame, radar_to_enu
from dronewatch.model import Frame, Geodetic, Radar
from dronewatch.sources.asterix.decoder import AsterixDecoder
from dronewatch.sources.asterix.fields import decode_items
from dronewatch.sources.asterix.plots import plots048
from dronewatch.sources.asterix.records import split_records
from dronewatch.sources.frames import FrameDecoder
from dronewatch.tracking import Tracker, TrackerConfig

from .test_cat062_cartesian import _block, _encode_record

RHO_NM, THETA_DEG, H_FT = 3.5, 61.5, 1200  # 6.5 km out, 366 m up
BASE = {
    "010": bytes([7, 9]),
    "140": (1_000_000).to_bytes(3, "big"),
    "020": bytes([0x20]),  # TYP 1: single PSR detection
    "040": int(RHO_NM * 256).to_bytes(2, "big") + int(THETA_DEG * 65536 / 360).to_bytes(2, "big"),
    "110": (H_FT // 25).to_bytes(2, "big"),
}


def _i120(cal: int | None, doubtful: bool = False, rds: list[tuple[int, int, int]] | None = None) -> bytes:
    primary = (0x80 if cal is not None else 0) | (0x40 if rds is not None else 0)
    out = bytes([primary])
    if cal is not None:
        out += ((0x8000 if doubtful else 0) | (cal & 0x3FF)).to_bytes(2, "big")
    if rds is not None:
        out += bytes([len(rds)]) + b"".join(b"".join(v.to_bytes(2, "big") for v in r) for r in rds)
    return out


def _datagram(*i120: bytes | None) -> bytes:
    return _block(48, [_encode_record(48, BASE if x is None else {**BASE, "120": x}) for x in i120])


def _site() -> Site:
    radar = SensorSpec(id="psr", kind="radar", lat=51.5, lon=-0.1, alt_m=12.0, range_m=20_000.0, sac=7, sic=9,
                       sigma_range_m=15.0, sigma_az_deg=0.4)
    return Site(name="t", origin=Origin(lat=51.501, lon=-0.102, alt_m=30.0), sensors=[radar])


@pytest.mark.parametrize(("cal", "want"), [(17, 17.0), (-23, -23.0), (511, 511.0), (-512, -512.0), (0, 0.0)])
def test_cal_is_the_range_rate(cal: int, want: float) -> None:
    block = _datagram(_i120(cal, rds=[(40, 60, 3000)]))
    (plot,) = plots048(block)
    assert plot.range_rate_mps == want and plot.rho_nm == RHO_NM
    (items,) = split_records(48, block)
    rec = decode_items(48, items)
    assert rec["doppler_mps"] == want and rec["doppler_doubtful"] == 0
    assert rec["raw_doppler"] == [{"dop_mps": 40, "amb_mps": 60, "frq_mhz": 3000}]


def test_doubtful_or_absent_cal_gives_no_range_rate() -> None:
    block = _datagram(_i120(-30, doubtful=True), _i120(None, rds=[(5, 60, 3000)]), None)
    assert [p.range_rate_mps for p in plots048(block)] == [None, None, None]
    recs = [decode_items(48, it) for it in split_records(48, block)]
    assert recs[0]["doppler_mps"] == -30.0 and recs[0]["doppler_doubtful"] == 1  # shown, not used
    assert "doppler_mps" not in recs[1] and "doppler_mps" not in recs[2]


def test_site_radar_plot_with_doppler_is_polar_and_lands_where_the_geodetic_one_does() -> None:
    site = _site()
    reports = AsterixDecoder(site)(Frame(sensor_id="in", received_at=1.7e9, link="asterix",
                                         data=_datagram(_i120(-14), _i120(9, doubtful=True))))
    polar, geo = (r.measurement for r in reports)
    assert isinstance(polar, Radar) and isinstance(geo, Geodetic)  # doubtful: as without I120
    assert polar.range_rate_mps == -14.0 and polar.range_m == RHO_NM * 1852.0
    assert polar.azimuth_deg == pytest.approx(THETA_DEG, abs=0.01) and polar.sigma_range_m == 15.0
    # The tracker places a Radar plot from the site radar's ENU position (observe/radar_converted).
    # That point, seen from the radar on WGS-84, must be at the slant range, THETA and I110 height.
    frame = SiteFrame(site.origin.lat, site.origin.lon, site.origin.alt_m)
    (spec,) = site.sensors
    sensor = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
    e, n, u = sensor + np.array(radar_to_enu(polar.range_m, polar.azimuth_deg, polar.elevation_deg), dtype=float)
    lat, lon, alt = frame.to_geodetic(e, n, u)
    re, rn, ru = SiteFrame(spec.lat, spec.lon, site.origin.alt_m + spec.alt_m).to_enu(lat, lon, alt)
    assert math.hypot(re, rn, ru) == pytest.approx(RHO_NM * 1852.0, abs=1.0)
    assert math.degrees(math.atan2(re, rn)) == pytest.approx(THETA_DEG, abs=0.01)
    assert alt == pytest.approx(H_FT * 0.3048, abs=1.0)
    # and within the radar's noise of where the Geodetic path (spherical earth) puts the same plot
    via_geo = np.array(frame.to_enu(geo.lat, geo.lon, geo.alt_m), dtype=float)
    assert np.linalg.norm(np.array([e, n, u]) - via_geo) < 0.01 * RHO_NM * 1852.0
    assert 0.0 < polar.elevation_deg < 5.0 and polar.sigma_el_deg > 0.0


def test_doppler_from_a_radar_the_site_does_not_list_stays_geodetic() -> None:
    # the radar's position comes only from its own CAT034 I120: the tracker would not know it
    north_marker = _encode_record(34, {"010": bytes([7, 9]), "000": b"\x01", "030": (1_000_000).to_bytes(3, "big"),
                                       "120": (12).to_bytes(2, "big") + round(51.5 * 2**23 / 180).to_bytes(3, "big")
                                       + round(-0.1 * 2**23 / 180).to_bytes(3, "big", signed=True)})
    data = _block(34, [north_marker]) + _datagram(_i120(12))
    reports = AsterixDecoder(None)(Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=data))
    assert len(reports) == 1 and isinstance(reports[0].measurement, Geodetic)
    assert reports[0].sensor_id == "asterix-7-9"


def test_short_i120_is_counted_with_its_reason_and_the_next_record_kept() -> None:
    good = _encode_record(48, {**BASE, "120": _i120(21)})
    short = _encode_record(48, {**BASE, "120": b"\x80\x00"})  # CAL announced, one octet of two
    fd = FrameDecoder(_site())
    reports = fd.decode([Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=_block(48, [good])),
                         Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=_block(48, [short]))])
    assert len(reports) == 1 and isinstance(reports[0].measurement, Radar)
    assert reports[0].measurement.range_rate_mps == 21.0
    assert fd.rejected == {"ASTERIX item runs past the block": 1}


def test_i120_subfield_outside_the_uap_is_rejected() -> None:
    block = _datagram(bytes([0x20, 0x00, 0x05]))  # subfield 3: not in CAT048's I120
    fd = FrameDecoder(_site())
    assert fd.decode([Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=block)]) == []
    assert fd.rejected == {"ASTERIX compound subfield not in the UAP": 1}


def test_the_tracker_takes_the_doppler_speed_off_the_wire() -> None:
    """A new track from one such plot moves along the beam at the Doppler speed; from the same
    plot marked doubtful it has no radial speed (wire -> decoder -> tracker, use_range_rate on)."""
    site = _site()
    frame = SiteFrame(site.origin.lat, site.origin.lon, site.origin.alt_m)
    (spec,) = site.sensors
    sensor = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
    received = 1_700_006_400.0 + 1_000_000 / 128 + 0.3  # a UTC midnight + the records' I140, then latency
    radial = []
    for doubtful in (False, True):
        (rep,) = AsterixDecoder(site)(Frame(sensor_id="in", received_at=received, link="asterix",
                                            data=_datagram(_i120(-12, doubtful=doubtful))))
        trk = Tracker(frame, site.sensors, TrackerConfig(use_range_rate=True))
        trk.process([rep], rep.measured_at)
        (t,) = trk.tracks(rep.measured_at)
        los = np.asarray(t.enu_m) - sensor
        radial.append(float(np.dot(t.vel_enu_mps, los / np.linalg.norm(los))))
    assert abs(radial[0] + 12.0) < 1.0 and abs(radial[1]) < 1.0
