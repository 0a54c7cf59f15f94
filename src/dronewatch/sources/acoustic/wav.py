"""WAV files and streams -> mono float32 samples in [-1, 1] and the sample rate (numpy only).

Python's ``wave`` module reads integer PCM only; field recorders and sound tools also write
32-bit float (``WAVE_FORMAT_IEEE_FLOAT``) and ``WAVE_FORMAT_EXTENSIBLE``. This reader walks the
RIFF chunks itself and accepts:

* format PCM (1) with 8-bit unsigned, 16-, 24- or 32-bit signed samples; IEEE float (3) with
  32- or 64-bit samples; EXTENSIBLE (0xFFFE) whose sub-format is one of those two;
* 1 to 8 channels, averaged to mono (as float64, then float32): an int16 file and its float32
  copy (sample / 32768) give the same samples exactly;
* sample rates from 8 kHz to 192 kHz (the detector's bands end at 4 kHz);
* a ``data`` chunk that claims more bytes than there are (a recording cut short, or a stream
  whose writer could not know the length): the whole frames present are read.

Anything else raises ``WavError`` with a one-line reason naming what is wrong.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

MIN_RATE_HZ = 8000
MAX_RATE_HZ = 192000
MAX_CHANNELS = 8
PCM, IEEE_FLOAT, EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_INT_DTYPES = {2: "<i2", 3: None, 4: "<i4"}


class WavError(ValueError):
    """The bytes are not a WAV recording this reader can use; ``str()`` is the reason."""


@dataclass(frozen=True, slots=True)
class WavFormat:
    """What the ``fmt `` chunk says, reduced to what decoding needs."""

    rate_hz: int
    channels: int
    bits: int
    is_float: bool

    @property
    def frame_bytes(self) -> int:
        return self.channels * (self.bits // 8)


def parse_fmt(body: bytes) -> WavFormat:
    """Decode a ``fmt `` chunk body; raise WavError if it is not a supported format."""
    if len(body) < 16:
        raise WavError(f"fmt chunk too short ({len(body)} bytes, need 16)")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == EXTENSIBLE:
        if len(body) < 40:
            raise WavError(f"WAVE_FORMAT_EXTENSIBLE fmt chunk too short ({len(body)} bytes, need 40)")
        valid_bits = struct.unpack_from("<H", body, 18)[0]
        tag = struct.unpack_from("<H", body, 24)[0]  # first two bytes of the sub-format GUID
        if valid_bits and valid_bits > bits:
            raise WavError(f"valid bits {valid_bits} > container bits {bits}")
    if tag == PCM:
        if bits not in (8, 16, 24, 32):
            raise WavError(f"PCM with {bits} bits per sample is not supported (8, 16, 24 or 32)")
        is_float = False
    elif tag == IEEE_FLOAT:
        if bits not in (32, 64):
            raise WavError(f"float with {bits} bits per sample is not supported (32 or 64)")
        is_float = True
    else:
        raise WavError(f"audio format 0x{tag:04x} is not supported (PCM, IEEE float or extensible of those)")
    if not 1 <= channels <= MAX_CHANNELS:
        raise WavError(f"{channels} channels is not supported (1 to {MAX_CHANNELS})")
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise WavError(f"sample rate {rate} Hz is not supported ({MIN_RATE_HZ} to {MAX_RATE_HZ} Hz)")
    fmt = WavFormat(rate_hz=rate, channels=channels, bits=bits, is_float=is_float)
    if block_align != fmt.frame_bytes:
        raise WavError(f"block align {block_align} does not match {channels} x {bits}-bit samples")
    return fmt


def decode_frames(data: bytes, fmt: WavFormat) -> np.ndarray:
    """Whole frames of ``data`` -> mono float32 in [-1, 1] (channels averaged; NaN/inf -> 0)."""
    n = len(data) // fmt.frame_bytes
    raw = memoryview(data)[: n * fmt.frame_bytes]
    width = fmt.bits // 8
    if fmt.is_float:
        x = np.frombuffer(raw, dtype="<f4" if width == 4 else "<f8").astype(np.float64)
        x = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)
        np.clip(x, -1.0, 1.0, out=x)
    elif width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float64) / float(1 << 23)
    else:
        x = np.frombuffer(raw, dtype=_INT_DTYPES[width]).astype(np.float64) / float(1 << (fmt.bits - 1))
    if fmt.channels > 1:
        x = x.reshape(n, fmt.channels).mean(axis=1)
    return x.astype(np.float32)


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        chunk = stream.read(size - len(out))
        if not chunk:
            break
        out += chunk
    return bytes(out)


def read_header(stream: BinaryIO) -> tuple[WavFormat, int]:
    """Read up to the start of the ``data`` chunk; return the format and the data size it claims."""
    riff = _read_exact(stream, 12)
    if len(riff) < 12:
        raise WavError("not a WAV file: shorter than a RIFF header" if riff else "empty file")
    if riff[:4] not in (b"RIFF", b"RIFX", b"RF64") or riff[8:12] != b"WAVE":
        raise WavError("not a WAV file: no RIFF/WAVE header")
    if riff[:4] != b"RIFF":
        raise WavError(f"{riff[:4].decode()} WAV files are not supported (only little-endian RIFF)")
    fmt: WavFormat | None = None
    while True:
        head = _read_exact(stream, 8)
        if len(head) < 8:
            raise WavError("truncated WAV: no data chunk" if fmt else "truncated WAV: no fmt chunk")
        cid, size = head[:4], struct.unpack("<I", head[4:])[0]
        if cid == b"data":
            if fmt is None:
                raise WavError("data chunk before any fmt chunk")
            return fmt, size
        if size > 1 << 20:
            raise WavError(f"chunk {cid!r} of {size} bytes before the data is too large")
        body = _read_exact(stream, size + (size & 1))
        if len(body) < size:
            raise WavError(f"truncated WAV: chunk {cid!r} cut short")
        if cid == b"fmt ":
            fmt = parse_fmt(body[:size])


def read_wav(source: str | Path | BinaryIO) -> tuple[np.ndarray, int]:
    """A whole WAV file (path or binary stream) -> (mono float32 samples, sample rate)."""
    if isinstance(source, str | Path):
        try:
            with open(source, "rb") as fh:
                return read_wav(fh)
        except OSError as err:
            raise WavError(f"cannot read file ({err.strerror})") from None
    fmt, size = read_header(source)
    data = source.read() if size in (0, 0xFFFFFFFF) else _read_exact(source, size)
    return decode_frames(data, fmt), fmt.rate_hz


def stream_wav(stream: BinaryIO, block_s: float = 0.5) -> Iterator[tuple[np.ndarray, int]]:
    """A WAV stream (e.g. stdin from ``arecord -f S16_LE -r 16000 -t wav``) -> blocks of
    (mono float32 samples, sample rate) of about ``block_s`` seconds as they arrive."""
    fmt, size = read_header(stream)
    remaining = None if size in (0, 0xFFFFFFFF) else size
    block = max(1, int(fmt.rate_hz * block_s)) * fmt.frame_bytes
    carry = b""
    while remaining is None or remaining > 0:
        want = block if remaining is None else min(block, remaining)
        chunk = stream.read(want)
        if not chunk:
            break
        if remaining is not None:
            remaining -= len(chunk)
        data = carry + chunk
        whole = len(data) - len(data) % fmt.frame_bytes
        carry = data[whole:]
        if whole:
            yield decode_frames(data[:whole], fmt), fmt.rate_hz
