"""Cheap burst detection in wideband IQ: where in time, and at which centre frequency. Pure numpy.

Power is summed over blocks of about 16 us (one pass over the samples, nothing else touches
samples that are not near a burst). Blocks more than ``threshold_db`` above the noise floor
(a low percentile of the block powers, so a recording full of bursts still has a floor) form
runs; runs lasting at least ``min_s`` become candidates. For each candidate a Welch spectrum
over the run, correlated with a box as wide as the 600 occupied subcarriers, gives the centre
frequency to within about one spectrum bin; the ZC search in ``phy.sync`` removes the rest.
``baseband`` then mixes the candidate to 0 Hz and resamples it to 15.36 MS/s (polyphase).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly, welch

from dronewatch.sources.ocusync.phy import C64, FS

OCCUPIED_HZ = 601 * FS / 1024
BLOCK_S = 16e-6
MARGIN_S = 120e-6


@dataclass(frozen=True)
class Candidate:
    first: int  # first sample of the segment to search (input rate, index in the chunk)
    last: int  # one past the last
    centre_hz: float  # offset of the burst's centre from the recording's centre


@lru_cache(maxsize=16)
def ratio(fs: float) -> tuple[int, int]:
    """(up, down) taking ``fs`` to 15.36 MS/s, exact when the rates allow it."""
    fr = Fraction(round(FS), round(fs)).limit_denominator(4000)
    return fr.numerator, fr.denominator


def block_power(x: C64, block: int) -> npt.NDArray[np.float64]:
    n = len(x) // block
    v: npt.NDArray[np.floating[Any]] = x[: n * block].view(np.float32 if x.dtype == np.complex64 else np.float64)
    m = v.reshape(n, 2 * block)
    p = np.einsum("ij,ij->i", m, m)
    return np.asarray(p, np.float64) / block


def runs(p: npt.NDArray[np.float64], threshold_db: float, floor: float | None = None) -> list[tuple[int, int]]:
    """(first, last+1) block runs above the floor, gaps of one block bridged."""
    if len(p) == 0:
        return []
    if floor is None:
        floor = float(np.percentile(p, 10))
    above = p > max(floor, 1e-30) * 10 ** (threshold_db / 10)
    if not above.any():
        return []
    # bridge single-block gaps
    bridged = above.copy()
    bridged[1:-1] |= above[:-2] & above[2:]
    edges = np.flatnonzero(np.diff(np.r_[0, bridged.astype(np.int8), 0]))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def centre_frequency(x: C64, fs: float) -> float:
    """Offset (Hz) of the 9 MHz-wide block of highest power in ``x``."""
    nfft = int(2 ** np.ceil(np.log2(fs / 30e3)))
    nfft = min(nfft, max(64, 1 << int(np.log2(max(len(x), 64)))))
    f, psd = welch(x, fs=fs, nperseg=nfft, return_onesided=False, detrend=False, window="hann")
    order = np.argsort(f)
    f, psd = f[order], psd[order]
    df = fs / nfft
    width = max(1, round(OCCUPIED_HZ / df))
    if width >= len(psd):
        return 0.0
    # Box sums over the spectrum less its floor, the box allowed past the band edges: a burst
    # partly outside the recorded band gives a plateau of equal sums, whose far end (the box
    # just covering the visible part from outside) is the burst's true centre.
    s = np.r_[np.zeros(width - 1), psd - np.percentile(psd, 20), np.zeros(width - 1)]
    box = np.convolve(s, np.ones(width), mode="valid")
    centres = f[0] + (np.arange(len(box)) - (width - 1) / 2) * df
    j = int(np.argmax(box))
    plateau = box >= box[j] - 0.5 * max(float(box[j]), 0.0) / width
    lo, hi = j, j
    while lo > 0 and plateau[lo - 1]:
        lo -= 1
    while hi < len(box) - 1 and plateau[hi + 1]:
        hi += 1
    edge = fs / 2 - OCCUPIED_HZ / 2
    if centres[lo] < -edge:
        return float(centres[lo])
    if centres[hi] > edge:
        return float(centres[hi])
    return float(centres[j])


def candidates(
    x: C64, fs: float, threshold_db: float = 2.0, min_s: float = 150e-6, floor: float | None = None
) -> list[Candidate]:
    block = max(16, round(fs * BLOCK_S))
    p = block_power(x, block)
    margin = round(fs * MARGIN_S)
    out = []
    for a, b in runs(p, threshold_db, floor):
        if (b - a) * block < min_s * fs:
            continue
        first, last = max(0, a * block - margin), min(len(x), b * block + margin)
        core = x[a * block : b * block]
        out.append(Candidate(first=first, last=last, centre_hz=centre_frequency(core, fs)))
    return out


def baseband(x: C64, fs: float, centre_hz: float, first: int) -> npt.NDArray[np.complex128]:
    """``x`` (which starts at sample ``first`` of the recording) mixed down by ``centre_hz``
    and resampled to 15.36 MS/s. Phase is referenced to the recording's sample 0."""
    n = np.arange(first, first + len(x))
    y = x * np.exp(-2j * np.pi * ((centre_hz / fs * n) % 1.0))
    up, down = ratio(fs)
    if up == down:
        return y
    return resample_poly(y, up, down)
