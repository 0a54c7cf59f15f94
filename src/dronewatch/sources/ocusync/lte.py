"""LTE channel coding pieces DroneID reuses, written from 3GPP TS 36.211 / 36.212. Pure numpy.

- ``gold``: the length-31 Gold pseudo-random sequence of TS 36.211 7.2 (Nc = 1600).
- ``crc24a_ok``: CRC-24A (TS 36.212 5.1.1, generator 0x864CFB, zero initial register).
- ``RateMatch``: the turbo-code rate matcher of TS 36.212 5.1.4.1 (sub-block interleavers,
  circular buffer, redundancy version 0, whole buffer) as an index map, so de-matching is a
  single ``np.add.at`` of soft values.
- ``turbo_decode``: iterative max-log-MAP decoding of the TS 36.212 5.1.3.2 PCCC (two 8-state
  constituent encoders g0 = 1 + D^2 + D^3, g1 = 1 + D + D^3, QPP interleaver, trellis
  termination), stopping as soon as the CRC holds.

Soft values (LLRs) are positive for bit 0 throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
U8 = npt.NDArray[np.uint8]

# TS 36.212 Table 5.1.3-3 (QPP interleaver parameters), the block sizes DroneID uses.
QPP_PARAMS: dict[int, tuple[int, int]] = {1408: (43, 88)}
# TS 36.212 5.1.4.1.1 sub-block interleaver column permutation.
_COLUMN_PERM = (0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30,
                1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31)  # fmt: skip
_CRC24A = 0x864CFB
_NEG = -1e9


@lru_cache(maxsize=8)
def gold(length: int, c_init: int) -> U8:
    """c(n), n < length, for the given x2 initial state (TS 36.211 7.2)."""
    n = length + 1600 + 31
    x1 = np.zeros(n, np.uint8)
    x2 = np.zeros(n, np.uint8)
    x1[0] = 1
    x2[:31] = [(c_init >> i) & 1 for i in range(31)]
    for i in range(n - 31):
        x1[i + 31] = x1[i + 3] ^ x1[i]
        x2[i + 31] = x2[i + 3] ^ x2[i + 2] ^ x2[i + 1] ^ x2[i]
    out = x1[1600 : 1600 + length] ^ x2[1600 : 1600 + length]
    out.setflags(write=False)
    return out


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        reg = byte << 16
        for _ in range(8):
            reg = ((reg << 1) ^ _CRC24A) if reg & 0x800000 else reg << 1
        table.append(reg & 0xFFFFFF)
    return table


_TABLE = _crc_table()


def crc24a(data: bytes) -> int:
    reg = 0
    for b in data:
        reg = ((reg << 8) & 0xFFFFFF) ^ _TABLE[((reg >> 16) ^ b) & 0xFF]
    return reg


def crc24a_ok(bits: U8) -> bool:
    """True if a block whose last 24 bits are its CRC-24A checks (length a multiple of 8)."""
    return crc24a(np.packbits(bits).tobytes()) == 0


def qpp(k: int) -> npt.NDArray[np.int64]:
    f1, f2 = QPP_PARAMS[k]
    i = np.arange(k, dtype=np.int64)
    return (f1 * i + f2 * i * i) % k


class RateMatch:
    """Where each of the ``e`` transmitted bits comes from: stream (0 systematic, 1 and 2
    parity) and index into that stream of ``k + 4`` bits (rv 0, full circular buffer)."""

    def __init__(self, k: int, e: int) -> None:
        d = k + 4
        cols = 32
        rows = -(-d // cols)
        kpi = rows * cols
        nd = kpi - d
        perm = np.array(_COLUMN_PERM)
        # streams 0 and 1: y[r*C + c], read column by column in permuted order
        r_idx = np.tile(np.arange(rows), cols)
        c_idx = np.repeat(perm, rows)
        v01 = r_idx * cols + c_idx - nd  # index into d, negative = dummy
        kk = np.arange(kpi)
        v2 = (perm[kk // rows] + cols * (kk % rows) + 1) % kpi - nd
        stream = np.concatenate([np.zeros(kpi, int), np.empty(2 * kpi, int)])
        index = np.concatenate([v01, np.empty(2 * kpi, int)])
        stream[kpi::2], index[kpi::2] = 1, v01
        stream[kpi + 1 :: 2], index[kpi + 1 :: 2] = 2, v2
        keep = index >= 0
        k0 = rows * 2
        order = np.roll(np.arange(3 * kpi), -k0)
        order = order[keep[order]]
        reps = -(-e // len(order))
        sel = np.tile(order, reps)[:e]
        self.k, self.e = k, e
        self.stream = stream[sel]
        self.index = index[sel]

    def dematch(self, llr: F64) -> F64:
        """Soft values of the three streams, shape (3, k + 4), repeats summed."""
        out = np.zeros((3, self.k + 4))
        np.add.at(out, (self.stream, self.index), llr[: self.e])
        return out


def _trellis() -> tuple[npt.NDArray[np.int64], ...]:
    """For each next state and each of its two incoming branches: previous state, sign of the
    systematic bit, sign of the parity bit, and whether the branch exists in the tail."""
    prev = np.zeros((8, 2), np.int64)
    usgn = np.zeros((8, 2), np.int64)
    zsgn = np.zeros((8, 2), np.int64)
    tail = np.zeros((8, 2), np.int64)
    fill = np.zeros(8, np.int64)
    for s in range(8):
        s1, s2, s3 = (s >> 2) & 1, (s >> 1) & 1, s & 1
        for a in (0, 1):
            u, z = a ^ s2 ^ s3, a ^ s1 ^ s3
            nxt = (a << 2) | (s1 << 1) | s2
            j = fill[nxt]
            fill[nxt] += 1
            prev[nxt, j], usgn[nxt, j], zsgn[nxt, j], tail[nxt, j] = s, 1 - 2 * u, 1 - 2 * z, a == 0
    return prev, usgn, zsgn, tail


_PREV, _USGN, _ZSGN, _TAIL = _trellis()
# the same branches seen from the previous state: for state s, its two outgoing (next, slot)
_OUT = [[(n, j) for n in range(8) for j in range(2) if _PREV[n, j] == s] for s in range(8)]
_NEXT = np.array([[n for n, _ in o] for o in _OUT])
_SLOT = np.array([[j for _, j in o] for o in _OUT])


def _siso(ls: F64, la: F64, lp: F64, tail_s: F64, tail_p: F64) -> F64:
    """Max-log-MAP over one constituent trellis; returns extrinsic LLRs of the k inputs."""
    k = len(ls)
    steps = k + 3
    su = np.concatenate([ls + la, tail_s])
    sp = np.concatenate([lp, tail_p])
    # branch metrics, shape (steps, 8 next states, 2 branches)
    g = 0.5 * (su[:, None, None] * _USGN[None] + sp[:, None, None] * _ZSGN[None])
    g[k:][:, _TAIL == 0] = _NEG
    alpha = np.empty((steps + 1, 8))
    alpha[0] = _NEG
    alpha[0, 0] = 0.0
    a = alpha[0]
    for t in range(steps):
        c = a[_PREV] + g[t]
        a = np.maximum(c[:, 0], c[:, 1])
        a = a - a.max()
        alpha[t + 1] = a
    beta = np.empty((steps + 1, 8))
    beta[steps] = _NEG
    beta[steps, 0] = 0.0
    b = beta[steps]
    for t in range(steps - 1, -1, -1):
        # from state s: two branches into (next, slot)
        c = b[_NEXT] + g[t][_NEXT, _SLOT]
        b = np.maximum(c[:, 0], c[:, 1])
        b = b - b.max()
        beta[t] = b
    # joint metric per branch for the k information steps: alpha[t][prev] + g + beta[t+1][next]
    m = alpha[:k][:, _PREV] + g[:k] + beta[1 : k + 1][:, :, None]
    zero = np.where(_USGN[None] > 0, m, _NEG).max(axis=(1, 2))
    one = np.where(_USGN[None] < 0, m, _NEG).max(axis=(1, 2))
    return zero - one - ls - la


def turbo_decode(
    streams: F64, iterations: int = 8, check: Callable[[U8], bool] = crc24a_ok
) -> tuple[U8, bool, int]:
    """Decode de-matched soft streams (3, k + 4). Returns (k hard bits, check passed, iterations
    used). Tries the systematic bits alone first (high SNR costs no trellis work)."""
    k = streams.shape[1] - 4
    d0, d1, d2 = streams
    xs, z1, z2 = d0[:k], d1[:k], d2[:k]
    tail1_s = np.array([d0[k], d2[k], d1[k + 1]])
    tail1_p = np.array([d1[k], d0[k + 1], d2[k + 1]])
    tail2_s = np.array([d0[k + 2], d2[k + 2], d1[k + 3]])
    tail2_p = np.array([d1[k + 2], d0[k + 3], d2[k + 3]])
    bits = (xs < 0).astype(np.uint8)
    if check(bits):
        return bits, True, 0
    pi = qpp(k)
    la = np.zeros(k)
    scale = 0.75
    for it in range(1, iterations + 1):
        le1 = _siso(xs, la, z1, tail1_s, tail1_p) * scale
        le2 = _siso(xs[pi], le1[pi], z2, tail2_s, tail2_p) * scale
        la = np.empty(k)
        la[pi] = le2
        post = xs + le1 + la
        bits = (post < 0).astype(np.uint8)
        if check(bits):
            return bits, True, it
    return bits, False, iterations
