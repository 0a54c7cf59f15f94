"""ASTERIX items -> named values, per category, in the units of the specification (NM, deg,
FL, ft, s since UTC midnight, m/s). Pure. Field names follow the EUROCONTROL item and subfield
names in lower case (``sac``, ``sic``, ``tod``, ``rho_nm``, ``mode3a``, ``fl``...).
"""

from __future__ import annotations

from typing import Any

from dronewatch.sources.asterix.records import Items, compound_subfields
from dronewatch.sources.asterix.uap import CAT034, CAT048, CAT062, Compound
from dronewatch.sources.errors import DecodeError

Record = dict[str, Any]
_ICAO6 = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ????? ???????????????0123456789??????"


def _u(b: bytes) -> int:
    return int.from_bytes(b, "big")


def _s(b: bytes) -> int:
    return int.from_bytes(b, "big", signed=True)


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def ident6(b: bytes) -> str | None:
    """8 characters of the 6-bit ICAO alphabet (I048/240, I062/380 ID); None if blank/all zero."""
    v = _u(b)
    chars = [(v >> (42 - 6 * i)) & 0x3F for i in range(8)]
    text = "".join(_ICAO6[c] for c in chars if c).rstrip()
    return text or None


def _mode3a(b: bytes) -> str:
    return f"{_u(b) & 0x0FFF:04o}"


def _compound(uap: Any, name: str) -> Compound:
    for entry in uap:
        if entry is not None and entry[0] == name:
            return entry[1]
    raise KeyError(name)  # pragma: no cover


_C062 = {n: _compound(CAT062, n) for n in ("380", "390", "340", "290")}
_C034 = {n: _compound(CAT034, n) for n in ("050", "060")}
_C048_120 = _compound(CAT048, "120")


def cat048(it: Items) -> Record:
    r: Record = {"cat": 48}
    if (b := it.get("010")) is not None:
        r["sac"], r["sic"] = b[0], b[1]
    if (b := it.get("140")) is not None:
        r["tod"] = _u(b) / 128.0
    if (b := it.get("020")) is not None:
        r["typ"], r["sim"], r["rdp"] = b[0] >> 5, (b[0] >> 4) & 1, (b[0] >> 3) & 1
        r["spi"], r["rab"] = (b[0] >> 2) & 1, (b[0] >> 1) & 1
        if len(b) > 1:
            r["tst"], r["err"], r["xpp"], r["me"], r["mi"] = (
                b[1] >> 7, (b[1] >> 6) & 1, (b[1] >> 5) & 1, (b[1] >> 4) & 1, (b[1] >> 3) & 1)
    if (b := it.get("040")) is not None:
        r["rho_nm"] = _u(b[0:2]) / 256.0
        r["theta_deg"] = _u(b[2:4]) * 360.0 / 65536.0
    if (b := it.get("070")) is not None:
        r["mode3a"], r["mode3a_v"], r["mode3a_g"], r["mode3a_l"] = (
            _mode3a(b), b[0] >> 7, (b[0] >> 6) & 1, (b[0] >> 5) & 1)
    if (b := it.get("090")) is not None:
        r["fl"] = _signed(_u(b) & 0x3FFF, 14) / 4.0
        r["fl_v"], r["fl_g"] = b[0] >> 7, (b[0] >> 6) & 1
    if (b := it.get("130")) is not None:
        subs = compound_subfields(_compound_any(b, 7), b)
        if 3 in subs:
            r["sam_dbm"] = _s(subs[3])
    if (b := it.get("220")) is not None:
        r["address"] = b.hex().upper()
    if (b := it.get("240")) is not None:
        r["ident"] = ident6(b)
    if (b := it.get("250")) is not None:
        r["bds"] = [{"mb": b[1 + 8 * i : 8 + 8 * i].hex().upper(), "bds1": b[8 + 8 * i] >> 4,
                     "bds2": b[8 + 8 * i] & 0xF} for i in range(b[0])]
    if (b := it.get("161")) is not None:
        r["tn"] = _u(b) & 0x0FFF
    if (b := it.get("042")) is not None:
        r["x_nm"], r["y_nm"] = _s(b[0:2]) / 128.0, _s(b[2:4]) / 128.0
    if (b := it.get("200")) is not None:
        r["gsp_nmps"] = _u(b[0:2]) / 16384.0
        r["hdg_deg"] = _u(b[2:4]) * 360.0 / 65536.0
    if (b := it.get("170")) is not None:
        r["cnf"], r["rad"], r["dou"], r["mah"], r["cdm"] = (
            b[0] >> 7, (b[0] >> 5) & 3, (b[0] >> 4) & 1, (b[0] >> 3) & 1, (b[0] >> 1) & 3)
        r["tre"] = b[1] >> 7 if len(b) > 1 else 0
        if len(b) > 1:
            r["gho"], r["sup"], r["tcc"] = (b[1] >> 6) & 1, (b[1] >> 5) & 1, (b[1] >> 4) & 1
    if (b := it.get("110")) is not None:
        r["height_3d_ft"] = _signed(_u(b) & 0x3FFF, 14) * 25.0
    if (b := it.get("120")) is not None:
        subs = compound_subfields(_C048_120, b)
        if 1 in subs:  # CAL: D bit, 5 spare bits, 10-bit two's complement, LSB 1 m/s
            r["doppler_mps"] = float(_signed(_u(subs[1]) & 0x3FF, 10))
            r["doppler_doubtful"] = subs[1][0] >> 7
        if 2 in subs:  # RDS: repetitions of DOP (m/s), AMB (m/s), FRQ (MHz), all unsigned
            c = subs[2]
            r["raw_doppler"] = [{"dop_mps": _u(c[1 + 6 * i : 3 + 6 * i]), "amb_mps": _u(c[3 + 6 * i : 5 + 6 * i]),
                                 "frq_mhz": _u(c[5 + 6 * i : 7 + 6 * i])} for i in range(c[0])]
    if (b := it.get("230")) is not None:
        r["com"], r["stat"], r["si"] = b[0] >> 5, (b[0] >> 2) & 7, (b[0] >> 1) & 1
        r["mssc"], r["arc"], r["aic"], r["b1a"], r["b1b"] = (
            b[1] >> 7, (b[1] >> 6) & 1, (b[1] >> 5) & 1, (b[1] >> 4) & 1, b[1] & 0xF)
    if (b := it.get("RE")) is not None and len(b) >= 5 and b[1] & 0xF8 == 0x08:
        # Reserved Expansion Field (CAT048 REF): only ERR (extended range) is read.
        r["rho_nm"] = _u(b[2:5]) / 256.0
        r["rho_extended"] = True
    return r


def _compound_any(b: bytes, n: int) -> Compound:
    """A compound of ``n`` one-byte subfields (I048/130)."""
    return Compound((1,) * n)


def cat062(it: Items) -> Record:
    r: Record = {"cat": 62}
    if (b := it.get("010")) is not None:
        r["sac"], r["sic"] = b[0], b[1]
    if (b := it.get("015")) is not None:
        r["sid"] = b[0]
    if (b := it.get("070")) is not None:
        r["tod"] = _u(b) / 128.0
    if (b := it.get("105")) is not None:
        r["lat"], r["lon"] = _s(b[0:4]) * 180.0 / 2**25, _s(b[4:8]) * 180.0 / 2**25
    if (b := it.get("100")) is not None:
        r["x_m"], r["y_m"] = _s(b[0:3]) * 0.5, _s(b[3:6]) * 0.5
    if (b := it.get("185")) is not None:
        r["vx_mps"], r["vy_mps"] = _s(b[0:2]) * 0.25, _s(b[2:4]) * 0.25
    if (b := it.get("210")) is not None:
        r["ax_mps2"], r["ay_mps2"] = _s(b[0:1]) * 0.25, _s(b[1:2]) * 0.25
    if (b := it.get("060")) is not None:
        r["mode3a"] = _mode3a(b)
    if (b := it.get("380")) is not None:
        subs = compound_subfields(_C062["380"], b)
        if 1 in subs:
            r["address"] = subs[1].hex().upper()
        if 2 in subs:
            r["ident"] = ident6(subs[2])
    if (b := it.get("040")) is not None:
        r["tn"] = _u(b)
    if (b := it.get("080")) is not None:
        r["mon"], r["spi"], r["mrh"], r["src"], r["cnf"] = (
            b[0] >> 7, (b[0] >> 6) & 1, (b[0] >> 5) & 1, (b[0] >> 2) & 7, (b[0] >> 1) & 1)
        if len(b) > 1:
            r["kos"] = (b[1] >> 1) & 1
        if len(b) > 3:
            r["psr"], r["ssr"], r["mds"], r["ads"] = (
                (b[3] >> 6) & 1, (b[3] >> 5) & 1, (b[3] >> 4) & 1, (b[3] >> 3) & 1)
    if (b := it.get("200")) is not None:
        r["trans"], r["long"], r["vert"] = b[0] >> 6, (b[0] >> 4) & 3, (b[0] >> 2) & 3
    if (b := it.get("136")) is not None:
        r["fl"] = _s(b) / 4.0
    if (b := it.get("130")) is not None:
        r["geo_alt_ft"] = _s(b) * 6.25
    if (b := it.get("135")) is not None:
        r["baro_fl"], r["qnh"] = _signed(_u(b) & 0x7FFF, 15) / 4.0, b[0] >> 7
    if (b := it.get("220")) is not None:
        r["rocd_fpm"] = _s(b) * 6.25
    if (b := it.get("390")) is not None:
        subs = compound_subfields(_C062["390"], b)
        if 1 in subs:
            r["fp_sac"], r["fp_sic"] = subs[1][0], subs[1][1]
        if 2 in subs:
            r["fp_callsign"] = subs[2].decode("ascii", "replace").rstrip()
        if 3 in subs:
            r["ifi"] = _u(subs[3]) & 0x07FFFFFF
        if 5 in subs:
            r["aircraft_type"] = subs[5].decode("ascii", "replace").strip()
        if 6 in subs:
            r["wtc"] = subs[6].decode("ascii", "replace").strip()
        if 7 in subs:
            r["dep"] = subs[7].decode("ascii", "replace").strip()
        if 8 in subs:
            r["dst"] = subs[8].decode("ascii", "replace").strip()
        if 10 in subs:
            r["cfl"] = _u(subs[10]) / 4.0
    if (b := it.get("510")) is not None:
        r["composed_tn"] = [{"su": b[i], "tn": _u(b[i + 1 : i + 3]) >> 1} for i in range(0, len(b), 3)]
    if (b := it.get("340")) is not None:
        subs = compound_subfields(_C062["340"], b)
        if 1 in subs:
            r["m_sac"], r["m_sic"] = subs[1][0], subs[1][1]
        if 2 in subs:
            r["m_rho_nm"], r["m_theta_deg"] = _u(subs[2][0:2]) / 256.0, _u(subs[2][2:4]) * 360.0 / 65536.0
        if 4 in subs:
            r["m_fl"] = _signed(_u(subs[4]) & 0x3FFF, 14) / 4.0
        if 5 in subs:
            r["m_mode3a"] = _mode3a(subs[5])
        if 6 in subs:
            r["m_typ"] = subs[6][0] >> 5
    return r


def cat034(it: Items) -> Record:
    r: Record = {"cat": 34}
    if (b := it.get("010")) is not None:
        r["sac"], r["sic"] = b[0], b[1]
    if (b := it.get("000")) is not None:
        r["msg_type"] = b[0]
    if (b := it.get("030")) is not None:
        r["tod"] = _u(b) / 128.0
    if (b := it.get("020")) is not None:
        r["sector_deg"] = b[0] * 360.0 / 256.0
    if (b := it.get("041")) is not None:
        r["rotation_s"] = _u(b) / 128.0
    if (b := it.get("050")) is not None:
        subs = compound_subfields(_C034["050"], b)
        if 1 in subs:
            c = subs[1][0]
            r["com"] = {"nogo": c >> 7, "rdpc": (c >> 6) & 1, "rdpr": (c >> 5) & 1, "ovl_rdp": (c >> 4) & 1,
                        "ovl_xmt": (c >> 3) & 1, "msc": (c >> 2) & 1, "tsv": (c >> 1) & 1}
        for k, name in ((4, "psr"), (5, "ssr")):
            if k in subs:
                c = subs[k][0]
                r[name] = {"ant": c >> 7, "ch_ab": (c >> 5) & 3, "ovl": (c >> 4) & 1, "msc": (c >> 3) & 1}
        if 6 in subs:
            c, d = subs[6][0], subs[6][1]
            r["mds"] = {"ant": c >> 7, "ch_ab": (c >> 5) & 3, "ovl_sur": (c >> 4) & 1, "msc": (c >> 3) & 1,
                        "scf": (c >> 2) & 1, "dlf": (c >> 1) & 1, "ovl_scf": c & 1, "ovl_dlf": d >> 7}
    if (b := it.get("060")) is not None:
        subs = compound_subfields(_C034["060"], b)
        if 1 in subs:
            c = subs[1][0]
            r["com_mode"] = {"red_rdp": (c >> 4) & 7, "red_xmt": (c >> 1) & 7}
        if 4 in subs:
            c = subs[4][0]
            r["psr_mode"] = {"pol": c >> 7, "red_rad": (c >> 4) & 7, "stc": (c >> 2) & 3}
        if 5 in subs:
            r["ssr_mode"] = {"red_rad": subs[5][0] >> 5}
        if 6 in subs:
            c = subs[6][0]
            r["mds_mode"] = {"red_rad": c >> 5, "clu": (c >> 4) & 1}
    if (b := it.get("120")) is not None:
        r["height_m"] = _s(b[0:2])
        r["lat"] = _s(b[2:5]) * 180.0 / 2**23
        r["lon"] = _s(b[5:8]) * 180.0 / 2**23
    return r


def cat065(it: Items) -> Record:
    r: Record = {"cat": 65}
    if (b := it.get("010")) is not None:
        r["sac"], r["sic"] = b[0], b[1]
    if (b := it.get("000")) is not None:
        r["msg_type"] = b[0]
    if (b := it.get("015")) is not None:
        r["sid"] = b[0]
    if (b := it.get("030")) is not None:
        r["tod"] = _u(b) / 128.0
    if (b := it.get("020")) is not None:
        r["batch"] = b[0]
    if (b := it.get("040")) is not None:
        c = b[0]
        r["sdps"] = {"nogo": c >> 6, "ovl": (c >> 5) & 1, "tsv": (c >> 4) & 1, "pss": (c >> 2) & 3,
                     "sttn": (c >> 1) & 1}
    if (b := it.get("050")) is not None:
        r["report"] = b[0]
    return r


DECODERS = {48: cat048, 62: cat062, 34: cat034, 65: cat065}


def decode_items(cat: int, items: Items) -> Record:
    try:
        return DECODERS[cat](items)
    except (IndexError, KeyError) as err:
        raise DecodeError("ASTERIX item too short", f"CAT{cat:03d}: {err}") from None
