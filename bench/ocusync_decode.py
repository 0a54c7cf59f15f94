"""OcuSync DroneID decode speed: seconds of processing per second of recording, one core.

Builds a 1 s recording at each rate from the shared capture (../shared/data/rf): the three
complete DroneID bursts, each used ``--copies`` times, placed at seeded random offsets in white
noise about 15 dB below the bursts. At 50 MS/s the bursts keep their offsets from the capture's
centre (+2.0 and -12.47 MHz); at 15.36 MS/s (a receiver tuned to the DroneID channel) each is
mixed to the centre and resampled. The recording is written to a temporary cf32 file and decoded
through the same chunked path as ``dronewatch decode`` (file reading included). The best of
``--rounds`` counts. Checks that every embedded telemetry burst decodes, then compares with the
issue's targets (1.0 at 15.36 MS/s, 3.0 at 50 MS/s) as ratios. Last line JSON.

    .venv/bin/python bench/ocusync_decode.py [--rounds 3] [--copies 2]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.signal import resample_poly  # noqa: E402

from dronewatch.sources.ocusync.decoder import OcuSyncDecoder  # noqa: E402
from dronewatch.sources.ocusync.recording import open_raw  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "rf" / "mavic_air_2.sigmf-data"
CAPTURE_RATE = 50e6
# (first, last, centre Hz) of the complete bursts (manifest), with 2 us of margin
BURSTS = ((92_850, 125_300, 2.0e6), (128_500, 160_900, 2.0e6), (165_300, 197_750, -12.47e6))
TELEMETRY_BURSTS = 2  # bursts 2 and 3 carry telemetry; burst 1 is a message of another type
TARGETS = {"15.36": (15.36e6, 1.0), "50": (50e6, 3.0)}


def bursts_at(rate: float) -> list[np.ndarray]:
    x = np.fromfile(DATA, dtype="<c8")
    out = []
    for first, last, centre in BURSTS:
        b = x[first:last].astype(np.complex128)
        if rate != CAPTURE_RATE:
            b = b * np.exp(-2j * np.pi * centre / CAPTURE_RATE * np.arange(len(b)))
            fr = Fraction(int(rate), int(CAPTURE_RATE))
            b = resample_poly(b, fr.numerator, fr.denominator)
        out.append(b.astype(np.complex64))
    return out


def build(path: Path, rate: float, copies: int, seed: int) -> int:
    """Write 1 s of noise with the bursts in it; returns the number of telemetry bursts."""
    rng = np.random.default_rng(seed)
    n = int(rate)
    bursts = bursts_at(rate) * copies
    power = float(np.mean([np.mean(np.abs(b) ** 2) for b in bursts]))
    sigma = np.sqrt(power * 10 ** (-15 / 10) / 2)
    slot = n // len(bursts)
    starts = [i * slot + int(rng.integers(0, slot - max(len(b) for b in bursts))) for i in range(len(bursts))]
    order = rng.permutation(len(bursts))
    with path.open("wb") as fh:
        step = 1 << 22
        for a in range(0, n, step):
            m = min(step, n - a)
            chunk = (rng.standard_normal(2 * m, dtype=np.float32) * np.float32(sigma)).view(np.complex64)
            for s, k in zip(starts, order, strict=True):
                b = bursts[k]
                lo, hi = max(s, a), min(s + len(b), a + m)
                if lo < hi:
                    chunk[lo - a : hi - a] += b[lo - s : hi - s]
            chunk.tofile(fh)
    return TELEMETRY_BURSTS * copies


def decode(path: Path, rate: float) -> tuple[float, int, dict[str, int]]:
    t0 = time.process_time()
    rec = open_raw(path, rate, "cf32")
    dec = OcuSyncDecoder(rate)
    frames = 0
    chunks = rec.chunks()
    chunk = next(chunks, None)
    while chunk is not None:
        after = next(chunks, None)
        frames += len(dec.feed(chunk, final=after is None))
        chunk = after
    return time.process_time() - t0, frames, dict(dec.counts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--seed", type=int, default=10)
    args = ap.parse_args()
    result: dict[str, float] = {}
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (rate, target) in TARGETS.items():
            path = Path(tmp) / f"rec_{name}.cf32"
            expected = build(path, rate, args.copies, args.seed)
            best = float("inf")
            for _ in range(args.rounds):
                secs, frames, counts = decode(path, rate)
                if frames != expected:
                    raise SystemExit(f"{name} MS/s: decoded {frames} frames, expected {expected} ({counts})")
                best = min(best, secs)
            seconds = (path.stat().st_size // 8) / rate
            result[name] = round(best / seconds, 3)
            ratios[name] = round(result[name] / target, 3)
            print(f"{name:>6} MS/s: {result[name]:.3f} s per s of recording (CPU time, best of {args.rounds}); "
                  f"target {target}: ratio {ratios[name]:.2f}; {frames} frames, {counts.get('candidates', 0)} "
                  f"candidates")
            path.unlink()
    print(json.dumps({"s_per_s": result, "ratio_to_target": ratios}))


if __name__ == "__main__":
    main()
