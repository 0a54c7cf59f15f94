"""Every file in ../shared/data/asterix decodes with the values its MANIFEST gives. The table
of all 64 distinct CAT048 records is read from the MANIFEST itself and compared field by field."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.decoder import decode_datagram
from dronewatch.sources.asterix.fields import decode_items
from dronewatch.sources.asterix.pcap import datagrams
from dronewatch.sources.asterix.records import split_records
from dronewatch.sources.recorded import decode_file, detect


def _pcap_records(path: Path) -> dict[tuple[int, int, int], dict[str, Any]]:
    """(frame, block, rec) -> record, frames numbered from 1."""
    out: dict[tuple[int, int, int], dict[str, Any]] = {}
    for n, d in enumerate(datagrams(path), start=1):
        for b, (cat, blk) in enumerate(split_blocks(d.payload)):
            for r, items in enumerate(split_records(cat, blk)):
                out[(n, b, r)] = decode_items(cat, items)
    return out


def _manifest_cat048_rows(manifest: str) -> list[dict[str, str]]:
    section = manifest.split("### All 64 distinct CAT048 records", 1)[1].split("\n---", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ") and not ln.startswith("| frames")]
    rows = []
    for ln in lines:
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if len(cells) != 13:
            continue
        rows.append(dict(zip(["frames", "sacsic", "tod", "typ", "rho", "theta", "mode3a", "fl", "addr", "ident",
                              "tn", "gsp", "hdg"], cells, strict=True)))
    return rows


def test_cat034_048_pcap_counts(asterix_dir: Path) -> None:
    path = asterix_dir / "cat_034_048.pcap"
    assert detect(path) == "asterix-pcap"
    dgs = list(datagrams(path))
    assert len(dgs) == 100 and len({d.payload for d in dgs}) == 50
    recs = _pcap_records(path)
    cats = Counter(r["cat"] for r in recs.values())
    assert cats == {48: 128, 34: 34}
    per048 = Counter(r["sic"] for r in recs.values() if r["cat"] == 48)
    assert per048 == {12: 38, 201: 28, 204: 28, 13: 16, 11: 8, 205: 6, 14: 4}
    per034 = Counter(r["sic"] for r in recs.values() if r["cat"] == 34)
    assert per034 == {12: 10, 13: 8, 11: 4, 14: 4, 205: 4, 201: 2, 204: 2}
    typ = Counter(r["typ"] for r in recs.values() if r["cat"] == 48)
    assert typ == {5: 76, 7: 48, 0: 2, 3: 2}
    r48 = [r for r in recs.values() if r["cat"] == 48]
    assert sum("rho_nm" in r for r in r48) == 126 and sum("ident" in r or "address" in r for r in r48) >= 124
    assert len({r["address"] for r in r48 if "address" in r}) == 63
    assert len({(r["sic"], r["tn"]) for r in r48}) == 64
    assert sum("height_3d_ft" in r for r in r48) == 48
    assert sum("bds" in r for r in r48) == 90


def test_cat048_table_from_manifest(asterix_dir: Path) -> None:
    rows = _manifest_cat048_rows((asterix_dir / "MANIFEST.md").read_text())
    assert len(rows) == 64
    recs = _pcap_records(asterix_dir / "cat_034_048.pcap")
    for row in rows:
        for ref in re.findall(r"(\d+)\((\d+)\.(\d+)\)", row["frames"]):
            rec = recs[(int(ref[0]), int(ref[1]), int(ref[2]))]
            sac, sic = row["sacsic"].split("/")
            assert (rec["sac"], rec["sic"]) == (int(sac), int(sic))
            assert rec["tod"] == pytest.approx(float(row["tod"].split()[0]), abs=1e-9)
            assert rec["typ"] == int(row["typ"])
            if row["rho"]:
                assert rec["rho_nm"] == pytest.approx(float(row["rho"]), abs=1e-9)
                assert rec["theta_deg"] == pytest.approx(float(row["theta"]), abs=1e-9)
            else:
                assert "rho_nm" not in rec
            assert rec.get("mode3a") == (row["mode3a"] or None)
            assert rec.get("fl") == (float(row["fl"]) if row["fl"] else None)
            assert rec.get("address") == (row["addr"] or None)
            ident = row["ident"].strip("`").strip()
            if ident.startswith("all-zero"):
                ident = ""
            assert (rec.get("ident") or "") == ident
            assert rec["tn"] == int(row["tn"])
            if row["gsp"]:
                assert rec["gsp_nmps"] * 3600 == pytest.approx(float(row["gsp"]), abs=6e-4)
                assert rec["hdg_deg"] == pytest.approx(float(row["hdg"]), abs=6e-5)


def test_key_records(asterix_dir: Path) -> None:
    recs = _pcap_records(asterix_dir / "cat_034_048.pcap")
    first = recs[(1, 0, 0)]
    assert first["bds"] == [{"mb": "C0780031BC0000", "bds1": 4, "bds2": 0}]
    assert (first["cnf"], first["rad"], first["tre"]) == (0, 2, 0)
    assert (first["com"], first["stat"], first["mssc"], first["arc"], first["aic"], first["b1a"], first["b1b"]) == (
        1, 0, 1, 1, 1, 1, 5)
    ground = recs[(74, 0, 0)]
    assert ground["fl"] == -1.0 and ground["stat"] == 1 and ground["address"] == "3004E2"
    end = recs[(5, 0, 0)]
    assert end["typ"] == 0 and end["tre"] == 1 and end["rad"] == 2 and "rho_nm" not in end
    psr = recs[(93, 0, 0)]
    assert psr["height_3d_ft"] == 17600 and psr["typ"] == 3 and "address" not in psr
    north = recs[(17, 0, 0)]
    assert (north["cat"], north["sic"], north["msg_type"], north["tod"], north["rotation_s"]) == (
        34, 12, 1, 27356.5703125, 4.9453125)
    assert (north["lat"], north["lon"], north["height_m"]) == pytest.approx((43.57102632522583, 16.4060640335083, 780))
    sector = recs[(3, 1, 0)]
    assert (sector["sic"], sector["msg_type"], sector["tod"], sector["sector_deg"]) == (13, 2, 27355.953125, 135.0)
    assert recs[(13, 0, 4)]["ident"] == "00000000" and recs[(13, 0, 8)].get("ident") is None


CAT062 = {
    "cat_062_065.pcap": [
        dict(sac=25, sic=100, sid=1, tod=45827.3984375, lat=41.167123317718506, lon=15.708866715431213,
             x_m=-29514.5, y_m=-507088.0, vx_mps=228.75, vy_mps=-47.25, mode3a="1275", tn=4713, fl=390.0,
             address="4CA7A8", ident="RYR174C", geo_alt_ft=36481.25, m_rho_nm=147.7265625,
             m_theta_deg=192.5244140625),
        dict(sac=25, sic=100, sid=1, tod=45827.3984375, lat=41.41693890094757, lon=19.38913643360138,
             x_m=278685.5, y_m=-473776.5, vx_mps=-208.75, vy_mps=-3.75, mode3a="4175", tn=6831, fl=380.0,
             address="4CAC7F", ident="ISS2007", ay_mps2=2.25, trans=1, m_rho_nm=185.5546875),
        dict(cat=65, sac=25, sic=100, msg_type=2, sid=1, tod=45827.3984375, batch=1),
    ],
    "cat062cat065.raw": [
        dict(sac=25, sic=100, sid=4, tod=30911.6640625, lat=44.73441302776337, lon=13.0415278673172,
             x_m=-239083.0, y_m=-106114.0, vx_mps=-51.25, vy_mps=170.0, mode3a="4276", tn=4980, fl=157.0,
             geo_alt_ft=43300.0, src=4, long=2, vert=2, rocd_fpm=-443.75, m_sic=13, m_rho_nm=186.6875,
             m_theta_deg=259.453125, m_typ=2),
        dict(sac=25, sic=100, sid=4, tod=30911.828125, lat=45.40080785751343, lon=15.13318419456482,
             x_m=-72564.5, y_m=-36106.5, vx_mps=141.5, vy_mps=-170.75, mode3a="2535", tn=7977, fl=350.0,
             address="3C0A55", ident="SXD4723", fp_callsign="SXD4723", aircraft_type="B738", wtc="M", dep="EDDL",
             dst="HELX", ifi=29233709, cfl=350.0, m_rho_nm=93.1953125, m_theta_deg=271.4666748046875, m_typ=5),
        dict(cat=65, sac=25, sic=100, msg_type=2, sid=4, tod=30913.0546875, batch=24),
    ],
    "jasterix_cat062ed1.16.bin": [
        dict(sac=0, sic=5, sid=21, tod=57617.2265625, lat=35.138643980026245, lon=-12.166038751602173,
             x_m=-276095.0, y_m=-398036.0, vx_mps=127.25, vy_mps=181.25, mode3a="6204", tn=5533, fl=380.0,
             src=6, kos=1, psr=1, ssr=0, mds=1, ads=1, geo_alt_ft=34837.5, rocd_fpm=0.0,
             composed_tn=[{"su": 6, "tn": 3551}], m_sac=0, m_sic=3, m_fl=380.0, m_mode3a="6204"),
    ],
}


@pytest.mark.parametrize("name", sorted(CAT062))
def test_cat062_065(asterix_dir: Path, name: str) -> None:
    path = asterix_dir / name
    data = b"".join(d.payload for d in datagrams(path)) if name.endswith(".pcap") else path.read_bytes()
    recs = decode_datagram(data)
    assert len(recs) == len(CAT062[name])
    for rec, want in zip(recs, CAT062[name], strict=True):
        assert rec["cat"] == want.pop("cat", 62)
        for k, v in want.items():
            assert rec[k] == (pytest.approx(v, abs=1e-7) if isinstance(v, float) else v), (name, k)


def test_raw_cat048_cat034(asterix_dir: Path) -> None:
    [r48] = decode_datagram((asterix_dir / "cat048.raw").read_bytes())
    assert (r48["sic"], r48["rho_nm"], r48["ident"], r48["tn"]) == (201, 197.68359375, "DLH65A", 3563)
    [r34] = decode_datagram((asterix_dir / "cat034.raw").read_bytes())
    assert (r34["sac"], r34["sic"], r34["msg_type"], r34["tod"], r34["sector_deg"]) == (25, 14, 2, 29906.3359375, 90)
    assert r34["com"] == {"nogo": 0, "rdpc": 1, "rdpr": 0, "ovl_rdp": 0, "ovl_xmt": 0, "msc": 0, "tsv": 0}
    assert r34["ssr"] == {"ant": 0, "ch_ab": 2, "ovl": 0, "msc": 0} and r34["com_mode"] == {"red_rdp": 0, "red_xmt": 0}
    [j34] = decode_datagram((asterix_dir / "jasterix_cat034ed1.26.bin").read_bytes())
    assert (j34["sic"], j34["tod"], j34["sector_deg"], j34["psr"]["ch_ab"], j34["mds"]["ch_ab"], j34["mds"]["scf"]) == (
        2, 33499.84375, 90.0, 3, 2, 1)
    assert j34["mds_mode"] == {"red_rad": 0, "clu": 1} and j34["psr_mode"] == {"pol": 0, "red_rad": 0, "stc": 0}
    [j48] = decode_datagram((asterix_dir / "jasterix_cat048ed1.23.bin").read_bytes())
    assert (j48["sac"], j48["sic"], j48["tod"], j48["rho_nm"]) == (0, 1, 33499.8359375, 257.0)
    assert j48["theta_deg"] == pytest.approx(89.67041011543999, abs=1e-6)
    assert (j48["rdp"], j48["err"], j48["mi"], j48["mode3a"], j48["mode3a_l"], j48["fl"], j48["sam_dbm"]) == (
        1, 1, 1, "0470", 1, 370.0, -63)
    assert (j48["address"], j48["ident"], j48["tn"], j48["gsp_nmps"], j48["hdg_deg"]) == (
        "AB4CBD", "RYR5XW", 919, 0.128662109375, 32.607421875)
    assert [b["mb"] for b in j48["bds"]] == ["8BD9EB2FBFE400", "80919F39A004DD", "C8480030A80000"]
    assert (j48["rad"], j48["b1b"]) == (2, 13)


def test_decode_command_on_every_file(asterix_dir: Path) -> None:
    counts = {"cat_034_048.pcap": 162, "cat_062_065.pcap": 3, "cat048.raw": 1, "cat034.raw": 1,
              "cat062cat065.raw": 3, "jasterix_cat048ed1.23.bin": 1, "jasterix_cat062ed1.16.bin": 1,
              "jasterix_cat034ed1.26.bin": 1}
    assert {p.name for p in asterix_dir.iterdir() if p.suffix in (".pcap", ".raw", ".bin")} == set(counts)
    for name, n in counts.items():
        out, err = io.StringIO(), io.StringIO()
        assert decode_file(asterix_dir / name, "auto", True, out, err) == 0
        rows = [json.loads(x) for x in out.getvalue().splitlines()]
        assert len(rows) == n, (name, err.getvalue())
        assert "0 bad" in err.getvalue()
