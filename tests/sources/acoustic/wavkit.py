"""Test helper: write WAV files in the formats the reader must accept."""

from __future__ import annotations

import struct

import numpy as np


def wav_bytes(samples: np.ndarray, rate: int, *, fmt: str = "int16", extensible: bool = False) -> bytes:
    """A WAV file: ``samples`` (frames,) or (frames, channels) in [-1, 1] as int16 / int24 / uint8 / float32."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    channels = x.shape[1]
    if fmt == "float32":
        data, bits, tag = x.astype("<f4").tobytes(), 32, 3
    elif fmt == "int16":
        data, bits, tag = np.clip(np.round(x * 32768), -32768, 32767).astype("<i2").tobytes(), 16, 1
    elif fmt == "int24":
        v = np.clip(np.round(x * 2**23), -(2**23), 2**23 - 1).astype("<i4").ravel()
        data, bits, tag = b"".join(int(s).to_bytes(3, "little", signed=True) for s in v), 24, 1
    elif fmt == "uint8":
        data, bits, tag = np.clip(np.round(x * 128 + 128), 0, 255).astype(np.uint8).tobytes(), 8, 1
    else:
        raise ValueError(fmt)
    block = channels * bits // 8
    if extensible:
        guid_tail = bytes.fromhex("000000001000800000aa00389b71")
        fmt_body = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, 0)
        fmt_body += struct.pack("<H", tag) + guid_tail
    else:
        fmt_body = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
    chunks += b"LIST" + struct.pack("<I", 5) + b"INFOx\x00"  # an odd-sized extra chunk, padded
    chunks += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
