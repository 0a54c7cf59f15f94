"""The WAV reader: formats Python's wave module cannot read, channel averaging, clear errors."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from wavkit import wav_bytes

from dronewatch.sources.acoustic.wav import WavError, read_wav, stream_wav


def _tone(n: int, rate: int) -> np.ndarray:
    t = np.arange(n) / rate
    return 0.5 * np.sin(2 * np.pi * 440 * t)


def test_shared_clip_reads_as_16_khz_mono(clips) -> None:
    x, rate = read_wav(clips / "DRONE_001.wav")
    assert rate == 16000
    assert x.dtype == np.float32 and x.shape == (160001,)
    assert 0 < float(np.abs(x).max()) <= 1.0


def test_float32_copy_equals_int16_original(clips) -> None:
    x, rate = read_wav(clips / "HELICOPTER_002.wav")
    for extensible in (False, True):
        y, r2 = read_wav(io.BytesIO(wav_bytes(x, rate, fmt="float32", extensible=extensible)))
        assert r2 == rate
        assert np.array_equal(x, y)


@pytest.mark.parametrize("fmt", ["int16", "float32", "int24", "uint8"])
@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_formats_and_rates(fmt: str, rate: int) -> None:
    x = _tone(rate // 10, rate)
    y, r2 = read_wav(io.BytesIO(wav_bytes(x, rate, fmt=fmt)))
    assert r2 == rate
    tol = {"int16": 1e-4, "float32": 1e-7, "int24": 1e-6, "uint8": 1e-2}[fmt]
    assert np.allclose(y, x, atol=tol)


def test_stereo_channels_are_averaged() -> None:
    left = _tone(1600, 16000)
    right = np.linspace(-0.2, 0.2, 1600)
    y, _ = read_wav(io.BytesIO(wav_bytes(np.column_stack([left, right]), 16000, fmt="float32", extensible=True)))
    assert np.allclose(y, (left + right) / 2, atol=1e-6)


def test_data_chunk_cut_short_reads_whole_frames() -> None:
    raw = wav_bytes(_tone(1000, 16000), 16000)
    y, _ = read_wav(io.BytesIO(raw[:-101]))  # half a sample short: 50 whole frames lost
    assert len(y) == 1000 - 51


def test_stream_gives_the_same_samples() -> None:
    x = _tone(40000, 16000)
    raw = wav_bytes(x, 16000)
    blocks = list(stream_wav(io.BytesIO(raw), block_s=0.3))
    assert len(blocks) > 1
    assert np.array_equal(np.concatenate([b for b, _ in blocks]), read_wav(io.BytesIO(raw))[0])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"RIFF\x10\x00\x00\x00WA", "shorter than a RIFF header"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00", "fmt"),
        (b"hello, this is a text file and not a recording\n", "no RIFF/WAVE header"),
        (b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00", "data chunk before any fmt chunk"),
    ],
)
def test_bad_files_raise_one_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(WavError, match=reason):
        read_wav(io.BytesIO(data))


@pytest.mark.parametrize(
    ("tag", "channels", "rate", "bits", "reason"),
    [
        (2, 1, 16000, 4, "audio format 0x0002"),  # ADPCM
        (1, 1, 4000, 16, "sample rate 4000"),
        (1, 0, 16000, 16, "0 channels"),
        (1, 1, 16000, 12, "12 bits"),
        (3, 1, 16000, 16, "float with 16 bits"),
    ],
)
def test_unsupported_formats(tag: int, channels: int, rate: int, bits: int, reason: str) -> None:
    block = max(1, channels) * bits // 8
    body = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    raw = b"RIFF\x00\x00\x00\x00WAVEfmt " + struct.pack("<I", len(body)) + body + b"data\x00\x00\x00\x00"
    with pytest.raises(WavError, match=reason):
        read_wav(io.BytesIO(raw))
