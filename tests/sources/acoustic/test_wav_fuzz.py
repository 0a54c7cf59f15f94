"""Fuzz the WAV reader: any bytes give samples in [-1, 1] or a WavError, never anything else."""

from __future__ import annotations

import io
import struct

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewatch.sources.acoustic.wav import WavError, read_wav


def _check(data: bytes) -> None:
    try:
        x, rate = read_wav(io.BytesIO(data))
    except WavError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert x.dtype == np.float32 and x.ndim == 1
    assert np.isfinite(x).all() and float(np.abs(x).max(initial=0.0)) <= 1.0
    assert 8000 <= rate <= 192000


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tag=st.sampled_from([1, 3, 0xFFFE, 2, 0]),
    channels=st.integers(0, 10),
    rate=st.integers(0, 200000),
    bits=st.sampled_from([0, 8, 12, 16, 24, 32, 64]),
    block=st.integers(0, 80),
    fmt_extra=st.binary(max_size=30),
    payload=st.binary(max_size=300),
    data_size=st.one_of(st.none(), st.integers(0, 2**32 - 1)),
    cut=st.integers(0, 400),
)
def test_mutated_headers(tag: int, channels: int, rate: int, bits: int, block: int, fmt_extra: bytes,
                         payload: bytes, data_size: int | None, cut: int) -> None:
    body = struct.pack("<HHIIHH", tag, channels, rate, rate * max(block, 1), block, bits) + fmt_extra
    size = len(payload) if data_size is None else data_size
    raw = (b"RIFF" + struct.pack("<I", 36 + len(payload)) + b"WAVEfmt " + struct.pack("<I", len(body)) + body
           + b"data" + struct.pack("<I", size) + payload)
    _check(raw[: len(raw) - cut] if cut < len(raw) else raw)
