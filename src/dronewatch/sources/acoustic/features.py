"""Audio window -> a fixed feature vector that does not depend on level or sample rate (numpy only).

A window (normally 1 s) is cut into Hann-windowed frames of 128 ms with 50 % overlap, whatever
the sample rate (the FFT size is the next power of two), so every feature is defined in Hz and
seconds, never in samples. Everything is relative (dB differences, ratios, correlations): gain
does not change a feature, so a loud helicopter and a quiet one look alike, and the model
cannot learn the loudness of the training clips. Bands stop at 4 kHz (the Nyquist frequency of
8 kHz recordings).

Features (``FEATURE_NAMES``):

* ``shape_*``: 24 log-spaced band levels, 50 Hz - 4 kHz, minus their mean (spectral shape);
* ``dyn_*``: frame-to-frame spread of band levels (dB std) in 4 groups of bands;
* tonality: how far the narrow spectral lines (rotor and motor tones) stand above the local
  median spectrum (``tone_p95``, ``tone_max``, ``tone_frac``);
* harmonicity: autocorrelation of those lines over a fundamental of 40-500 Hz (``harm``,
  ``harm_f0``): multirotors give a strong harmonic series;
* ``tone_steady``: how alike the lines are from one frame to the next (a siren or a voice moves);
* ``flatness``, ``centroid``: spectral flatness and log centroid;
* envelope: share of the level envelope's modulation at 4-30 Hz (helicopter blade slap) and the
  envelope spread (``env_mod``, ``env_std``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

FRAME_S = 0.128
F_LO_HZ, F_HI_HZ = 50.0, 4000.0
N_BANDS = 24
DYN_GROUPS = 4
TONE_LO_HZ, TONE_HI_HZ = 60.0, 3000.0
MEDIAN_HZ = 80.0
F0_LO_HZ, F0_HI_HZ = 40.0, 500.0
ENV_BLOCK_S = 0.01
EPS = 1e-12

FEATURE_NAMES: tuple[str, ...] = (
    *(f"shape_{i}" for i in range(N_BANDS)),
    *(f"dyn_{i}" for i in range(DYN_GROUPS)),
    "tone_p95", "tone_max", "tone_frac", "harm", "harm_f0", "tone_steady",
    "flatness", "centroid", "env_mod", "env_std",
)


class Framing:
    """Frame length, hop, FFT size and the band / tone-range tables for one sample rate."""

    def __init__(self, rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self.frame = max(16, round(rate_hz * FRAME_S))
        self.hop = self.frame // 2
        self.nfft = 1 << (self.frame - 1).bit_length()
        self.window = np.hanning(self.frame).astype(np.float32)
        self.freqs = np.fft.rfftfreq(self.nfft, 1.0 / rate_hz)
        df = self.freqs[1]
        edges = np.geomspace(F_LO_HZ, F_HI_HZ, N_BANDS + 2)
        logf = np.log(np.maximum(self.freqs, 1.0))
        loge = np.log(edges)
        bands = np.zeros((len(self.freqs), N_BANDS), dtype=np.float64)
        for b in range(N_BANDS):  # triangles on a log-frequency axis; each at least one bin wide
            lo, mid, hi = loge[b], loge[b + 1], loge[b + 2]
            w = np.minimum((logf - lo) / (mid - lo), (hi - logf) / (hi - mid))
            w = np.clip(w, 0.0, None)
            w[(self.freqs > edges[b + 2]) | (self.freqs < edges[b])] = 0.0
            if not w.any():
                w[int(np.argmin(np.abs(self.freqs - edges[b + 1])))] = 1.0
            bands[:, b] = w / w.sum()
        self.bands = bands
        self.tone = np.flatnonzero((self.freqs >= TONE_LO_HZ) & (self.freqs <= TONE_HI_HZ))
        self.median_bins = max(3, round(MEDIAN_HZ / df) | 1)
        self.lag_lo = max(1, round(F0_LO_HZ / df))
        self.lag_hi = max(self.lag_lo + 1, round(F0_HI_HZ / df))
        self.flat = (self.freqs >= 100.0) & (self.freqs <= F_HI_HZ)
        self.env_block = max(1, round(rate_hz * ENV_BLOCK_S))


@lru_cache(maxsize=16)
def framing(rate_hz: int) -> Framing:
    return Framing(rate_hz)


def _frames(x: np.ndarray, fr: Framing) -> np.ndarray:
    """(..., samples) -> (..., T, frame): overlapping frames; a short window is zero-padded to one."""
    if x.shape[-1] < fr.frame:
        pad = [(0, 0)] * (x.ndim - 1) + [(0, fr.frame - x.shape[-1])]
        x = np.pad(x, pad)
    return sliding_window_view(x, fr.frame, axis=-1)[..., :: fr.hop, :]


def _local_median(a: np.ndarray, width: int) -> np.ndarray:
    """Running median along the last axis (edges padded by reflection)."""
    h = width // 2
    pad = [(0, 0)] * (a.ndim - 1) + [(h, h)]
    return np.median(sliding_window_view(np.pad(a, pad, mode="reflect"), width, axis=-1), axis=-1)


def window_features(windows: np.ndarray, rate_hz: int) -> np.ndarray:
    """(W, samples) float windows of one length -> (W, len(FEATURE_NAMES)) float64 features."""
    fr = framing(rate_hz)
    x = np.asarray(windows, dtype=np.float32)
    x = x - x.mean(axis=-1, keepdims=True)
    frames = _frames(x, fr) * fr.window  # (W, T, frame)
    spec = np.fft.rfft(frames, n=fr.nfft, axis=-1)
    power = (spec.real**2 + spec.imag**2).astype(np.float64)  # (W, T, F)
    floor = EPS + 1e-10 * power.mean(axis=(1, 2), keepdims=True)
    band = power @ fr.bands + floor  # (W, T, B)
    level = 10.0 * np.log10(band.mean(axis=1))  # (W, B)
    shape = level - level.mean(axis=1, keepdims=True)
    dyn_db = 10.0 * np.log10(band)
    dyn = dyn_db.std(axis=1).reshape(len(x), DYN_GROUPS, -1).mean(axis=2)

    mean_pow = power.mean(axis=1)[:, fr.tone] + floor[:, 0]  # (W, K)
    log_tone = 10.0 * np.log10(mean_pow)
    peak = log_tone - _local_median(log_tone, fr.median_bins)
    tone_p95 = np.percentile(peak, 95, axis=1)
    tone_max = peak.max(axis=1)
    tone_frac = (peak > 6.0).mean(axis=1)
    lines = np.clip(peak, 0.0, None)
    lines_c = lines - lines.mean(axis=1, keepdims=True)
    denom = (lines_c**2).sum(axis=1) + EPS
    n_lags = min(fr.lag_hi, lines.shape[1] - 1) - fr.lag_lo + 1
    ac = np.stack([(lines_c[:, : -lag] * lines_c[:, lag:]).sum(axis=1) / denom
                   for lag in range(fr.lag_lo, fr.lag_lo + max(1, n_lags))], axis=1)
    harm = ac.max(axis=1)
    harm_f0 = np.log((fr.lag_lo + ac.argmax(axis=1)) * fr.freqs[1])

    frame_tone = 10.0 * np.log10(power[:, :, fr.tone] + floor)
    frame_lines = np.clip(frame_tone - _local_median(log_tone, fr.median_bins)[:, None, :], 0.0, None)
    if frame_lines.shape[1] > 1:
        a, b = frame_lines[:, :-1], frame_lines[:, 1:]
        num = (a * b).sum(axis=2)
        den = np.sqrt((a * a).sum(axis=2) * (b * b).sum(axis=2)) + EPS
        steady = (num / den).mean(axis=1)
    else:
        steady = np.ones(len(x))

    spec_mean = power.mean(axis=1)[:, fr.flat] + floor[:, 0]
    flatness = np.log(spec_mean).mean(axis=1) - np.log(spec_mean.mean(axis=1))
    f_flat = fr.freqs[fr.flat]
    centroid = np.log((spec_mean * f_flat).sum(axis=1) / spec_mean.sum(axis=1))

    n_blocks = x.shape[1] // fr.env_block
    if n_blocks >= 8:
        blocks = x[:, : n_blocks * fr.env_block].reshape(len(x), n_blocks, fr.env_block).astype(np.float64)
        env = 10.0 * np.log10((blocks**2).mean(axis=2) + floor[:, 0])
        env_std = env.std(axis=1)
        env_c = env - env.mean(axis=1, keepdims=True)
        mod = np.abs(np.fft.rfft(env_c, axis=1)) ** 2
        mf = np.fft.rfftfreq(n_blocks, ENV_BLOCK_S)
        env_mod = mod[:, (mf >= 4.0) & (mf <= 30.0)].sum(axis=1) / (mod[:, mf > 0.5].sum(axis=1) + EPS)
    else:
        env_std = np.zeros(len(x))
        env_mod = np.zeros(len(x))

    return np.column_stack([shape, dyn, tone_p95, tone_max, tone_frac, harm, harm_f0, steady,
                            flatness, centroid, env_mod, env_std])


def rms_dbfs(x: np.ndarray) -> float:
    """Root-mean-square level in dB relative to full scale (1.0); -inf-safe."""
    return float(10.0 * np.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1e-20))
