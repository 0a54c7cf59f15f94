"""CAT062 tracks that carry only the Cartesian I100 position: placed on the SDPS's system plane
around the site file's ``system_ref``; without one (or without any position) counted by reason.

The real check: the shared recordings of one SDPS (SAC/SIC 25/100) carry both I105 (WGS-84,
the system's own conversion) and I100. The system reference point is fitted to the two records
of one recording; the records of the other recording, with I105 removed, must then land where
their I105 says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scipy.optimize import least_squares

from dronewatch.config import ConfigError, Origin, SensorSpec, Site, SystemRef, load_site
from dronewatch.geo import distance_m
from dronewatch.model import Frame, Geodetic
from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.decoder import AsterixDecoder
from dronewatch.sources.asterix.fields import decode_items
from dronewatch.sources.asterix.pcap import datagrams
from dronewatch.sources.asterix.records import Items, split_records
from dronewatch.sources.asterix.stereo import SystemPlane
from dronewatch.sources.asterix.uap import UAPS
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.frames import FrameDecoder


def _encode_record(cat: int, items: Items) -> bytes:
    """One record: the FSPEC for ``items`` (UAP order), then the items' bytes."""
    names = [e[0] if e is not None else None for e in UAPS[cat]]
    frns = sorted(names.index(n) for n in items)
    nbytes = frns[-1] // 7 + 1
    fspec = bytearray(nbytes)
    for f in frns:
        fspec[f // 7] |= 0x80 >> (f % 7)
    for i in range(nbytes - 1):
        fspec[i] |= 1
    return bytes(fspec) + b"".join(items[n] for n in names if n is not None and n in items)


def _block(cat: int, records: list[bytes]) -> bytes:
    body = b"".join(records)
    return bytes([cat]) + (3 + len(body)).to_bytes(2, "big") + body


def _cat062(data: bytes) -> list[Items]:
    return [items for cat, blk in split_blocks(data) if cat == 62 for items in split_records(cat, blk)]


def _site(ref: SystemRef | None, sac: int = 25, sic: int = 100) -> Site:
    sdps = SensorSpec(id="sdps", kind="radar", lat=45.8, lon=16.0, range_m=500_000.0, sac=sac, sic=sic,
                      system_ref=ref)
    return Site(name="t", origin=Origin(lat=45.8, lon=16.0), sensors=[sdps])


def _fit_reference(records: list[dict[str, Any]]) -> SystemRef:
    def residuals(v: Any) -> list[float]:
        plane = SystemPlane.at(float(v[0]), float(v[1]))
        out = []
        for r in records:
            lat, lon = plane.to_geodetic(r["x_m"], r["y_m"])
            out += [(lat - r["lat"]) * 111_000.0, (lon - r["lon"]) * 78_000.0]
        return out

    lat0 = sum(r["lat"] for r in records) / len(records)
    lon0 = sum(r["lon"] for r in records) / len(records)
    fit = least_squares(residuals, [lat0, lon0])
    return SystemRef(lat=float(fit.x[0]), lon=float(fit.x[1]))


def test_i100_lands_where_i105_says(asterix_dir: Path) -> None:
    pcap = b"".join(d.payload for d in datagrams(asterix_dir / "cat_062_065.pcap"))
    fitted_on = [decode_items(62, it) for it in _cat062(pcap)]
    ref = _fit_reference(fitted_on)

    raw = _cat062((asterix_dir / "cat062cat065.raw").read_bytes())
    truth = [decode_items(62, it) for it in raw]
    assert len(truth) == 2 and all("lat" in t and "x_m" in t for t in truth)
    stripped = [_encode_record(62, {k: v for k, v in it.items() if k != "105"}) for it in raw]
    assert all("lat" not in decode_items(62, it) for it in _cat062(_block(62, stripped)))

    decoder = AsterixDecoder(_site(ref))
    reports = decoder(Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=_block(62, stripped)))
    assert len(reports) == 2 and not decoder.take_rejects()
    for rep, want in zip(reports, truth, strict=True):
        assert rep.sensor_id == "sdps" and isinstance(rep.measurement, Geodetic)
        # 80-260 km from the reference point; the system's own conversion agrees to metres
        assert distance_m(rep.measurement.lat, rep.measurement.lon, want["lat"], want["lon"]) < 20.0


def test_i105_is_used_when_present(asterix_dir: Path) -> None:
    data = (asterix_dir / "cat062cat065.raw").read_bytes()
    far_off = SystemRef(lat=10.0, lon=100.0)  # would put I100 positions on the other side of the world
    reports = AsterixDecoder(_site(far_off))(Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=data))
    truth = [decode_items(62, it) for it in _cat062(data)]
    assert [(r.measurement.lat, r.measurement.lon) for r in reports] == [(t["lat"], t["lon"]) for t in truth]  # type: ignore[union-attr]


def test_i100_without_reference_is_counted_with_the_field_to_give(asterix_dir: Path) -> None:
    raw = _cat062((asterix_dir / "cat062cat065.raw").read_bytes())
    block = _block(62, [_encode_record(62, {k: v for k, v in it.items() if k != "105"}) for it in raw])
    frame = Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=block)
    for site in (_site(None), _site(SystemRef(lat=45.7, lon=16.0), sac=1, sic=2), None):
        with pytest.raises(DecodeError) as err:
            AsterixDecoder(site)(frame)
        assert err.value.reason == "CAT062 I100 position without a system reference"
        assert "system_ref" in err.value.detail and "site file" in err.value.detail
    fd = FrameDecoder(_site(None))
    assert fd.decode([frame]) == []
    assert fd.rejected["CAT062 I100 position without a system reference"] == 2  # one per record


def test_track_without_any_position_is_counted(asterix_dir: Path) -> None:
    raw = _cat062((asterix_dir / "cat062cat065.raw").read_bytes())
    good = _encode_record(62, raw[0])
    bare = _encode_record(62, {k: v for k, v in raw[1].items() if k not in ("105", "100")})
    decoder = AsterixDecoder(_site(None))
    reports = decoder(Frame(sensor_id="in", received_at=1.7e9, link="asterix", data=_block(62, [good, bare])))
    assert len(reports) == 1
    assert decoder.take_rejects() == {"CAT062 track without position (neither I105 nor I100)": 1}


def test_system_ref_in_the_site_file(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text("name: s\norigin: {lat: 45.8, lon: 16.0}\nsensors:\n"
                    "  - {id: sdps, kind: radar, lat: 45.8, lon: 16.0, sac: 25, sic: 100,\n"
                    "     system_ref: {lat: 45.73, lon: 16.06}}\n")
    assert load_site(path).sensors[0].system_ref == SystemRef(lat=45.73, lon=16.06)
    path.write_text(path.read_text().replace("lat: 45.73", "latt: 45.73"))
    with pytest.raises(ConfigError) as err:
        load_site(path)
    assert str(path) in str(err.value) and "system_ref" in str(err.value)
