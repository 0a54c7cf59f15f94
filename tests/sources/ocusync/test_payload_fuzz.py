"""The payload parser takes any bytes: a frame or a DecodeError, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.ocusync.payload import crc16, parse_payload

from .helpers import REFERENCE_HEX

REF = bytes.fromhex(REFERENCE_HEX)


def test_reference_checksum() -> None:
    t, payload, ok = parse_payload(REF + bytes(82))
    assert ok and payload == REF and t.sequence == 591
    assert crc16(REF[:89]) == int.from_bytes(REF[89:91], "little")


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    try:
        t, payload, _ = parse_payload(data)
    except DecodeError as e:
        assert e.reason
        return
    assert payload == data[: len(payload)]
    assert t.lat is None or -90 <= t.lat <= 90


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(REF) - 1), st.integers(0, 255), st.integers(0, 120))
def test_mutated_reference(pos: int, value: int, cut: int) -> None:
    data = bytearray(REF + bytes(82))
    data[pos] = value
    try:
        _t, payload, ok = parse_payload(bytes(data[: len(data) - cut]))
    except DecodeError as e:
        assert e.reason
        return
    if ok and bytes(data[: len(REF)]) != REF:
        # a changed byte inside the checksummed span must break the CRC-16
        assert pos >= len(REF) - 2 or payload != REF
