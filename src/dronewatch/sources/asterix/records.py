"""ASTERIX records -> raw items, by the UAP: FSPEC, then each present item sliced by its length
rule (``uap.py``). Pure; every malformed input raises DecodeError with a short reason.

``split_records(cat, block)`` returns, for each record of a data block, a dict of item name ->
item bytes (``"010"``, ``"040"``, ...; compound items keep their primary subfield octets).
"""

from __future__ import annotations

from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.uap import EXPLICIT, FX, UAPS, Compound, Desc, Rep, RepFx, Uap
from dronewatch.sources.errors import DecodeError

Items = dict[str, bytes]


def _fx_len(data: bytes, pos: int, end: int, size: int = 1) -> int:
    """Length of a run of ``size``-byte elements ending with one whose last byte has FX clear."""
    p = pos
    while True:
        if p + size > end:
            raise DecodeError("ASTERIX item runs past the record", f"FX item at {pos}")
        p += size
        if not data[p - 1] & 1:
            return p - pos


def item_len(desc: Desc, data: bytes, pos: int, end: int) -> int:
    """Bytes taken by an item described by ``desc`` starting at ``pos``."""
    if type(desc) is int:
        return desc
    if desc == FX:
        return _fx_len(data, pos, end)
    if type(desc) is Rep:
        if pos >= end:
            raise DecodeError("ASTERIX item runs past the record", "repetition count")
        return 1 + data[pos] * desc.size
    if type(desc) is RepFx:
        return _fx_len(data, pos, end, desc.size)
    if desc == EXPLICIT:
        if pos >= end:
            raise DecodeError("ASTERIX item runs past the record", "explicit length")
        n = data[pos]
        if n < 1:
            raise DecodeError("ASTERIX explicit item of length 0")
        return n
    if type(desc) is Compound:
        plen = _fx_len(data, pos, end)
        p = pos + plen
        subs = desc.subfields
        for k in range(plen * 7):
            if data[pos + k // 7] & (0x80 >> (k % 7)):
                if k >= len(subs) or subs[k] is None:
                    raise DecodeError("ASTERIX compound subfield not in the UAP", f"subfield {k + 1}")
                sub = subs[k]
                assert sub is not None
                p += item_len(sub, data, p, end)
        return p - pos
    raise AssertionError(desc)  # pragma: no cover - UAP tables are fixed


def compound_subfields(desc: Compound, data: bytes) -> dict[int, bytes]:
    """The present subfields of a compound item (1-based subfield number -> bytes)."""
    end = len(data)
    plen = _fx_len(data, 0, end)
    p = plen
    out: dict[int, bytes] = {}
    for k in range(plen * 7):
        if data[k // 7] & (0x80 >> (k % 7)):
            sub = desc.subfields[k]
            assert sub is not None
            n = item_len(sub, data, p, end)
            out[k + 1] = data[p : p + n]
            p += n
    return out


def _record(uap: Uap, data: bytes, pos: int, end: int) -> tuple[Items, int]:
    fspec_len = _fx_len(data, pos, end)
    if fspec_len * 7 > len(uap) + 6:
        raise DecodeError("ASTERIX FSPEC longer than the UAP", f"{fspec_len} octets")
    p = pos + fspec_len
    items: Items = {}
    for k in range(fspec_len * 7):
        if not data[pos + k // 7] & (0x80 >> (k % 7)):
            continue
        if k >= len(uap) or uap[k] is None:
            raise DecodeError("ASTERIX FSPEC sets a spare or unknown FRN", f"FRN {k + 1}")
        entry = uap[k]
        assert entry is not None
        name, desc = entry
        n = item_len(desc, data, p, end)
        if p + n > end:
            raise DecodeError("ASTERIX item runs past the block", f"I{name} needs {n} bytes, {end - p} left")
        items[name] = data[p : p + n]
        p += n
    if not items:
        raise DecodeError("ASTERIX record without items")
    return items, p


def split_records(cat: int, block: bytes) -> list[Items]:
    """The records of one data block (``block`` includes CAT and LEN)."""
    uap = UAPS.get(cat)
    if uap is None:
        raise DecodeError("ASTERIX category not read", f"CAT{cat:03d}")
    out: list[Items] = []
    pos, end = 3, len(block)
    while pos < end:
        items, pos = _record(uap, block, pos, end)
        out.append(items)
    return out


def iter_records(data: bytes) -> list[tuple[int, Items]]:
    """All records of all blocks in ``data`` (a datagram or a file)."""
    return [(cat, items) for cat, block in split_blocks(data) for items in split_records(cat, block)]
