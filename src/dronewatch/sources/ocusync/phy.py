"""DroneID OFDM physical layer: one candidate burst at 15.36 MS/s -> soft bits. Pure numpy.

A burst (OcuSync 2 DroneID, as publicly described and checked against real captures) is 9 OFDM
symbols of a 1024-point FFT at 15.36 MS/s (15 kHz spacing), 600 occupied subcarriers (-300..-1,
1..300, DC empty), cyclic prefixes 80, 72 x 7, 80 samples. Symbols 3 and 5 (counting from 0)
carry Zadoff-Chu sequences of length 601 with roots 600 and 147 (middle element dropped);
symbols 1, 2, 4, 6, 7, 8 carry 600 QPSK symbols each = 7200 coded bits, subcarriers in
ascending frequency, bit pairs mapped as in TS 36.211 7.1.2. Symbol 0 carries no payload.

``sync`` finds the first ZC symbol (timing) and the carrier offset: the fractional part from
the cyclic prefixes, the whole-subcarrier part by trying neighbouring offsets against the ZC.
``soft_bits`` equalises each data symbol with the channel seen on both ZC symbols (with the
common phase drift between them interpolated) and returns LLRs, zero for samples not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.ndimage import uniform_filter1d
from scipy.signal import fftconvolve

C64 = npt.NDArray[np.complex64] | npt.NDArray[np.complex128]
F64 = npt.NDArray[np.float64]

FS = 15_360_000.0
NFFT = 1024
SPACING_HZ = FS / NFFT
CPS = (80, 72, 72, 72, 72, 72, 72, 72, 80)
STARTS = tuple(int(sum(CPS[:i]) + NFFT * i) for i in range(len(CPS)))  # symbol starts (CP incl.)
BURST_LEN = STARTS[-1] + CPS[-1] + NFFT  # 9880 samples, 643 us
ZC_SYMBOLS = {3: 600, 5: 147}
DATA_SYMBOLS = (1, 2, 4, 6, 7, 8)
CODED_BITS = 600 * 2 * len(DATA_SYMBOLS)
CARRIERS = np.r_[np.arange(-300, 0), np.arange(1, 301)]
_BINS = CARRIERS % NFFT
_ZC_USEFUL = STARTS[3] + CPS[3]  # first ZC symbol's useful part, from burst start
_BACKOFF = 4  # FFT window starts this far inside the CP (tolerates timing error)


@lru_cache(maxsize=4)
def zc(root: int) -> npt.NDArray[np.complex128]:
    k = np.arange(601)
    seq = np.exp(-1j * np.pi * root * k * (k + 1) / 601)
    out = np.delete(seq, 300)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=4)
def zc_time(root: int) -> npt.NDArray[np.complex128]:
    spec = np.zeros(NFFT, complex)
    spec[_BINS] = zc(root)
    out = np.fft.ifft(spec)
    out /= np.linalg.norm(out)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Sync:
    start: int  # burst's first sample in the searched array (may be negative: cut off)
    cfo_hz: float  # carrier offset removed from the searched array (relative to its centre)
    score: float  # normalised ZC correlation, 0..1


def _rotate(y: C64, hz: float, first: int = 0) -> npt.NDArray[np.complex128]:
    n = np.arange(first, first + len(y))
    return y * np.exp(-2j * np.pi * hz / FS * n)


def _zc_scores(y: C64, root: int, energy: F64) -> F64:
    """Normalised correlation with one ZC symbol at every lag."""
    t = zc_time(root)
    return np.abs(fftconvolve(y, np.conj(t[::-1]), mode="valid")) / energy


def _paired(y: C64) -> F64:
    """Per lag: mean of the root-600 score there and the root-147 score two symbols later. A
    whole-subcarrier offset only moves a ZC correlation peak (by a root-dependent lag), so
    demanding both peaks at their spacing is what pins the integer offset."""
    p = np.abs(y) ** 2
    energy = np.sqrt(np.maximum(np.convolve(p, np.ones(NFFT), mode="valid"), 1e-30))
    a = _zc_scores(y, 600, energy)
    b = _zc_scores(y, 147, energy)
    gap = STARTS[5] - STARTS[3]
    b_later = np.zeros_like(a)
    b_later[: max(0, len(b) - gap)] = b[gap:]
    return 0.5 * (a + b_later)


def _cp_phase(y: C64, start: int) -> complex:
    acc = 0j
    for s, cp in zip(STARTS, CPS, strict=True):
        a, b = start + s + 8, start + s + cp
        if a >= 0 and b + NFFT <= len(y):
            acc += complex(np.vdot(y[a:b], y[a + NFFT : b + NFFT]))
    return acc


def sync(y: C64, max_bursts: int = 4, min_score: float = 0.3, spread: int = 3) -> list[Sync]:
    """Bursts in ``y`` (baseband, 15.36 MS/s, offset within about +-40 kHz), best first."""
    if len(y) < NFFT + 1:
        return []
    # fractional offset from the lag-1024 correlation over the whole segment (CPs dominate)
    lag = np.vdot(y[:-NFFT], y[NFFT:])
    frac = float(np.angle(lag)) / (2 * np.pi) * SPACING_HZ
    best: tuple[float, float, F64] | None = None
    for m in sorted(range(-spread, spread + 1), key=abs):
        hz = frac + m * SPACING_HZ
        score = _paired(_rotate(y, hz))
        top = float(score.max())
        if best is None or top > best[0] * 1.05:
            best = (top, hz, score)
    assert best is not None
    _, hz, score = best
    found: list[Sync] = []
    score = score.copy()
    rot = _rotate(y, hz)
    while len(found) < max_bursts:
        i = int(np.argmax(score))
        top = float(score[i])
        if top < min_score:
            break
        score[max(0, i - BURST_LEN // 2) : i + BURST_LEN // 2] = 0.0
        start = i - _ZC_USEFUL
        # refine the fractional offset on this burst's own cyclic prefixes
        resid = float(np.angle(_cp_phase(rot, start))) / (2 * np.pi) * SPACING_HZ
        found.append(Sync(start=start, cfo_hz=hz + resid, score=top))
    return found


def soft_bits(y: C64, s: Sync) -> tuple[F64, float]:
    """7200 LLRs (positive = 0, before descrambling) and an SNR estimate in dB."""
    rot = _rotate(y, s.cfo_hz)
    n = len(rot)
    spectra: dict[int, npt.NDArray[np.complex128]] = {}
    for k, (st, cp) in enumerate(zip(STARTS, CPS, strict=True)):
        a = s.start + st + cp - _BACKOFF
        if a >= 0 and a + NFFT <= n:
            spectra[k] = np.fft.fft(rot[a : a + NFFT])[_BINS]
    ests = {k: spectra[k] / zc(r) for k, r in ZC_SYMBOLS.items() if k in spectra}
    if not ests:
        return np.zeros(CODED_BITS), -99.0
    if len(ests) == 2:
        h3, h5 = ests[3], ests[5]
        drift = float(np.angle(np.vdot(h3, h5))) / 2  # common phase per symbol
        h0 = 0.5 * (h3 + h5 * np.exp(-2j * drift))
        noise = float(np.mean(np.abs(h3 - h5 * np.exp(-2j * drift)) ** 2)) / 2
        ref = 3
    else:
        (ref, h0), drift, noise = next(iter(ests.items())), 0.0, 0.0
    smooth = uniform_filter1d(h0.real, 5, mode="nearest") + 1j * uniform_filter1d(h0.imag, 5, mode="nearest")
    sig = float(np.mean(np.abs(smooth) ** 2))
    if noise <= 0:
        noise = float(np.mean(np.abs(h0 - smooth) ** 2)) + 1e-12 * sig
    llr = np.zeros(CODED_BITS)
    for j, k in enumerate(DATA_SYMBOLS):
        if k not in spectra:
            continue
        h = smooth * np.exp(1j * drift * (k - ref))
        z = spectra[k] * np.conj(h) * (2 * np.sqrt(2) / noise)
        llr[j * 1200 : (j + 1) * 1200 : 2] = z.real
        llr[j * 1200 + 1 : (j + 1) * 1200 : 2] = z.imag
    return llr, float(10 * np.log10(max(sig, 1e-30) / max(noise, 1e-30)))
