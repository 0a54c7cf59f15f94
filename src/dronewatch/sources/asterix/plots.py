"""The hot path for CAT048: one pass over a data block that reads only what a Report needs
(SAC/SIC, time of day, RHO/THETA, flight level, 3-D height, address, identification, track
number, ground speed and heading, range rate) and skips every other item by its length. Pure;
the same UAP as ``uap.CAT048``. ``fields.cat048`` is the full decode (for ``decode --json``).

Range rate: I048/120 subfield 1, the Calculated Doppler Speed (10-bit two's complement, LSB
1 m/s), taken as the rate of change of range (positive: moving away), the product's sign for
``Radar.range_rate_mps``; the specification states no sign of its own. A value the radar
marks doubtful (D bit) is not used: ``range_rate_mps`` is then None.
"""

from __future__ import annotations

from typing import NamedTuple

from dronewatch.sources.asterix.fields import ident6
from dronewatch.sources.asterix.records import item_len
from dronewatch.sources.asterix.uap import CAT048
from dronewatch.sources.errors import DecodeError


class Plot(NamedTuple):
    sac: int | None  # None when the record has no I010
    sic: int | None
    tod: float | None
    rho_nm: float | None
    theta_deg: float | None
    fl: float | None  # None when absent or marked invalid (V bit)
    height_3d_ft: float | None
    address: str | None
    ident: str | None
    tn: int | None
    gsp_nmps: float | None
    hdg_deg: float | None
    typ: int
    range_rate_mps: float | None = None  # I048/120 CAL, None when absent or doubtful


# FRN (0-based) -> fixed length, or 0 for items whose length must be read from the data.
_FIXED = [d[1] if d is not None and type(d[1]) is int else 0 for d in CAT048]
_DESC = [d[1] if d is not None else None for d in CAT048]
_NAMES = [d[0] if d is not None else "" for d in CAT048]
# The items a Plot needs, by FRN index: I010, I140, I020, I040, I090, I220, I240, I161, I200, I110,
# I120, RE.
_NEED = frozenset({0, 1, 2, 3, 5, 7, 8, 10, 12, 18, 19, 27})
_PLANS: dict[bytes, tuple[tuple[int, int, bool], ...]] = {}
_IDENTS: dict[bytes, str | None] = {}  # the same aircraft is reported every scan


def _ident(raw: bytes) -> str | None:
    got = _IDENTS.get(raw, False)
    if got is False:
        if len(_IDENTS) > 65536:
            _IDENTS.clear()
        got = _IDENTS[raw] = ident6(raw)
    return got  # type: ignore[return-value]


def _plan(fspec: bytes) -> tuple[tuple[int, int, bool], ...]:
    """(FRN index, fixed length or 0, needed) for each item an FSPEC announces; cached."""
    plan = _PLANS.get(fspec)
    if plan is not None:
        return plan
    items = []
    for k in range(len(fspec) * 7):
        if fspec[k // 7] & (0x80 >> (k % 7)):
            if k >= len(CAT048) or _DESC[k] is None:
                raise DecodeError("ASTERIX FSPEC sets a spare or unknown FRN", f"FRN {k + 1}")
            items.append((k, _FIXED[k], k in _NEED))
    if not items:
        raise DecodeError("ASTERIX record without items")
    plan = tuple(items)
    if len(_PLANS) < 4096:
        _PLANS[fspec] = plan
    return plan


def _range_rate(data: bytes, p: int) -> float | None:
    """I048/120 at ``p`` (its length already checked): the Calculated Doppler Speed in m/s, or
    None when the item has no CAL subfield or the radar marks it doubtful."""
    if not data[p] & 0x80:
        return None
    q = p + 1
    while data[q - 1] & 1:  # primary subfield octets end at the first with FX clear
        q += 1
    if data[q] & 0x80:
        return None
    v = ((data[q] & 0x03) << 8) | data[q + 1]
    return float(v - 0x400 if v & 0x200 else v)


def plots048(block: bytes) -> list[Plot]:
    """Every record of a CAT048 data block (``block`` includes CAT and LEN) as a Plot."""
    data = block
    end = len(data)
    pos = 3
    out: list[Plot] = []
    descs = _DESC
    while pos < end:
        f0 = pos
        while data[pos] & 1:
            pos += 1
            if pos >= end:
                raise DecodeError("ASTERIX item runs past the record", "FSPEC")
        pos += 1
        at: dict[int, int] = {}
        for k, n, need in _plan(data[f0:pos]):
            if not n:
                n = item_len(descs[k], data, pos, end)  # type: ignore[arg-type]
            if need:
                at[k] = pos
            pos += n
        if pos > end:
            raise DecodeError("ASTERIX item runs past the block", f"record at {f0}")
        p = at.get(0)
        sac, sic = (data[p], data[p + 1]) if p is not None else (None, None)
        p = at.get(1)
        tod = ((data[p] << 16) | (data[p + 1] << 8) | data[p + 2]) / 128.0 if p is not None else None
        p = at.get(2)
        typ = data[p] >> 5 if p is not None else 0
        rho = theta = fl = h3 = gsp = hdg = None
        if (p := at.get(3)) is not None:
            rho = ((data[p] << 8) | data[p + 1]) / 256.0
            theta = ((data[p + 2] << 8) | data[p + 3]) * 0.0054931640625
        if (p := at.get(5)) is not None and not data[p] & 0x80:
            v = ((data[p] & 0x3F) << 8) | data[p + 1]
            fl = (v - 0x4000 if v & 0x2000 else v) / 4.0
        address = data[p : p + 3].hex().upper() if (p := at.get(7)) is not None else None
        ident = _ident(data[p : p + 6]) if (p := at.get(8)) is not None else None
        tn = ((data[p] << 8) | data[p + 1]) & 0x0FFF if (p := at.get(10)) is not None else None
        if (p := at.get(12)) is not None:
            gsp = ((data[p] << 8) | data[p + 1]) / 16384.0
            hdg = ((data[p + 2] << 8) | data[p + 3]) * 0.0054931640625
        if (p := at.get(18)) is not None:
            v = ((data[p] & 0x3F) << 8) | data[p + 1]
            h3 = (v - 0x4000 if v & 0x2000 else v) * 25.0
        rr = _range_rate(data, p) if (p := at.get(19)) is not None else None
        if (p := at.get(27)) is not None and data[p] >= 5 and data[p + 1] & 0xF8 == 0x08:
            rho = ((data[p + 2] << 16) | (data[p + 3] << 8) | data[p + 4]) / 256.0
        out.append(Plot(sac, sic, tod, rho, theta, fl, h3, address, ident, tn, gsp, hdg, typ, rr))
    return out
