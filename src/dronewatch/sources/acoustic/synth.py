"""Synthetic everyday sounds that must not read as a drone, and the augmentations used in training.

Used by ``train`` (augmentation and the distractor check) and by the tests; deterministic for a
given ``numpy.random.Generator``. Each distractor is a plain physical caricature:

* ``siren``: a harmonic tone whose pitch sweeps up and down (wail or yelp);
* ``wind``: low-passed noise with slow gusts;
* ``engine``: a low harmonic series (firing frequency 20-90 Hz) with jitter and road noise;
* ``bell``: inharmonic partials with exponential decay, struck again and again;
* ``voice``: glottal pulse trains (pitch 90-260 Hz, gliding) through formant resonances, in
  syllable bursts with pauses;
* ``silence``: digital zero, or a faint noise floor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Gen = np.random.Generator


def _norm(x: np.ndarray, rms: float = 0.1) -> np.ndarray:
    r = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    return (x * (rms / r) if r > 0 else x).astype(np.float32)


def fft_filter(x: np.ndarray, rate: int, gain_of_hz: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Zero-phase filter: multiply the spectrum by ``gain_of_hz(freqs)`` (amplitude)."""
    spec = np.fft.rfft(x.astype(np.float64))
    f = np.fft.rfftfreq(len(x), 1.0 / rate)
    return np.fft.irfft(spec * gain_of_hz(f), n=len(x)).astype(np.float32)


def lowpass(x: np.ndarray, rate: int, cutoff_hz: float, order: int = 2) -> np.ndarray:
    return fft_filter(x, rate, lambda f: 1.0 / np.sqrt(1.0 + (f / cutoff_hz) ** (2 * order)))


def highpass(x: np.ndarray, rate: int, cutoff_hz: float, order: int = 2) -> np.ndarray:
    return fft_filter(x, rate, lambda f: 1.0 / np.sqrt(1.0 + (cutoff_hz / np.maximum(f, 1e-3)) ** (2 * order)))


def coloured_noise(n: int, rate: int, rng: Gen, slope_db_per_oct: float) -> np.ndarray:
    """Gaussian noise with a spectral slope (0 white, -3 pink, -6 brown)."""
    w = rng.standard_normal(n)
    return _norm(fft_filter(w, rate, lambda f: (np.maximum(f, 20.0) / 1000.0) ** (slope_db_per_oct / 6.02)))


def _harmonics(f0: np.ndarray, rate: int, amps: np.ndarray, rng: Gen) -> np.ndarray:
    phase = 2 * np.pi * np.cumsum(f0) / rate
    out = np.zeros(len(f0))
    for k, a in enumerate(amps, start=1):
        alias = f0 * k < rate / 2
        out += a * alias * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    return out


def siren(n: int, rate: int, rng: Gen) -> np.ndarray:
    t = np.arange(n) / rate
    lo, hi = rng.uniform(400, 800), rng.uniform(1000, 1800)
    period = rng.uniform(0.25, 0.6) if rng.random() < 0.4 else rng.uniform(2.0, 6.0)  # yelp or wail
    sweep = 0.5 - 0.5 * np.cos(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
    f0 = lo + (hi - lo) * sweep
    amps = np.array([1.0, 0.5, 0.3, 0.2, 0.1])[: rng.integers(1, 6)]
    return _norm(_harmonics(f0, rate, amps, rng))


def wind(n: int, rate: int, rng: Gen) -> np.ndarray:
    noise = lowpass(rng.standard_normal(n), rate, rng.uniform(80, 500), order=2)
    k = max(2, int(n / rate * 2))
    gusts = np.interp(np.arange(n), np.linspace(0, n, k), rng.uniform(0.2, 1.0, k))
    return _norm(noise * gusts)


def engine(n: int, rate: int, rng: Gen) -> np.ndarray:
    t = np.arange(n) / rate
    f0 = rng.uniform(20, 90) * (1 + 0.03 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t))
    f0 = f0 * (1 + 0.01 * lowpass(rng.standard_normal(n), rate, 5.0))
    amps = np.exp(-np.arange(12) * rng.uniform(0.2, 0.6))
    road = lowpass(rng.standard_normal(n), rate, rng.uniform(200, 800)) * rng.uniform(0.2, 1.0)
    return _norm(_harmonics(f0, rate, amps, rng) + _norm(road, 0.5 * rng.random()))


def bell(n: int, rate: int, rng: Gen) -> np.ndarray:
    f1 = rng.uniform(200, 1200)
    ratios = np.array([0.5, 1.0, 1.19, 1.5, 2.0, 2.51, 3.0, 4.07])[: rng.integers(4, 9)]
    m = min(n, int(rate * 4.0))
    tt = np.arange(m) / rate
    strike_sound = np.zeros(m)
    for r in ratios:
        decay = rng.uniform(0.3, 3.0) / r
        strike_sound += rng.uniform(0.2, 1.0) * np.exp(-tt / decay) * np.sin(2 * np.pi * f1 * r * tt)
    out = np.zeros(n)
    period = rng.uniform(0.3, 2.5)
    for start in (np.arange(rng.uniform(0, period), n / rate, period) * rate).astype(int):
        seg = min(m, n - start)
        out[start:start + seg] += strike_sound[:seg]
    return _norm(out)


def _pulse_train(f0: np.ndarray, rate: int) -> np.ndarray:
    """Glottal-like pulses: one unit impulse per period of the instantaneous pitch ``f0``."""
    cycles = np.floor(np.cumsum(f0) / rate)
    out = np.zeros(len(f0))
    out[1:][np.diff(cycles) > 0] = 1.0
    return out


def voice(n: int, rate: int, rng: Gen) -> np.ndarray:
    """Syllables of a talker (or a crowd of 1-4): gliding pulse trains through formants."""
    out = np.zeros(n)
    t = np.arange(n) / rate
    for _ in range(rng.integers(1, 5)):
        base = rng.uniform(90, 260)
        glide = 1 + 0.12 * np.sin(2 * np.pi * rng.uniform(0.5, 3.0) * t + rng.uniform(0, 2 * np.pi))
        pulses = _pulse_train(base * glide, rate)
        formants = [(rng.uniform(300, 900), 80.0), (rng.uniform(900, 2300), 120.0), (rng.uniform(2300, 3200), 200.0)]

        def resonances(f: np.ndarray, fm: list[tuple[float, float]] = formants) -> np.ndarray:
            return np.sum([1.0 / (1.0 + ((f - fc) / bw) ** 2) for fc, bw in fm], axis=0)

        shaped = fft_filter(pulses, rate, resonances)
        env = np.zeros(n)
        pos = int(rate * rng.uniform(0, 0.3))
        while pos < n:
            syl = int(rate * rng.uniform(0.12, 0.4))
            seg = min(syl, n - pos)
            env[pos:pos + seg] = np.hanning(syl)[:seg]
            pos += syl + int(rate * rng.uniform(0.03, 0.35))
        out += shaped * env
    return _norm(out)


def silence(n: int, rate: int, rng: Gen) -> np.ndarray:
    if rng.random() < 0.3:
        return np.zeros(n, dtype=np.float32)
    return _norm(coloured_noise(n, rate, rng, rng.uniform(-6, 0)), 10 ** (rng.uniform(-90, -60) / 20))


DISTRACTORS: dict[str, Callable[[int, int, Gen], np.ndarray]] = {
    "siren": siren, "wind": wind, "engine": engine, "bell": bell, "voice": voice, "silence": silence,
}


def mix(signal: np.ndarray, other: np.ndarray, snr_db: float) -> np.ndarray:
    """``signal`` plus ``other`` scaled so the signal-to-other power ratio is ``snr_db``."""
    ps = float(np.mean(signal.astype(np.float64) ** 2))
    po = float(np.mean(other.astype(np.float64) ** 2))
    if po <= 0 or ps <= 0:
        return (signal + other).astype(np.float32)
    return (signal + other * np.sqrt(ps / po / 10 ** (snr_db / 10))).astype(np.float32)


def microphone(x: np.ndarray, rate: int, rng: Gen) -> np.ndarray:
    """Another microphone and place: random high-pass, low-pass, spectral tilt and gain (clipped)."""
    hp = rng.uniform(30, 300) if rng.random() < 0.6 else None
    hp_order = int(rng.integers(1, 3))
    lp = rng.uniform(2500, 7000) if rng.random() < 0.6 else None
    lp_order = int(rng.integers(1, 4))
    tilt = rng.uniform(-3, 3) if rng.random() < 0.5 else 0.0

    def gain(f: np.ndarray) -> np.ndarray:
        g = (np.maximum(f, 50.0) / 1000.0) ** (tilt / 6.02)
        if hp is not None:
            g = g / np.sqrt(1.0 + (hp / np.maximum(f, 1e-3)) ** (2 * hp_order))
        if lp is not None:
            g = g / np.sqrt(1.0 + (f / lp) ** (2 * lp_order))
        return g

    y = fft_filter(x, rate, gain)
    return np.clip(y * 10 ** (rng.uniform(-30, 10) / 20), -1.0, 1.0).astype(np.float32)
