"""Acoustic detector speed: seconds of audio processed per CPU second on one core (``x_realtime``).

Runs the whole ``dronewatch listen`` path after decoding (1 s windows -> features -> model ->
summary) over every shared clip (about 12 minutes of 16 kHz audio), and over the same audio
resampled to 48 kHz (a field recorder's rate: 3x the samples and FFT sizes). CPU time is
``time.process_time`` of this process with BLAS/OpenMP held to one thread. The machine is shared,
so each rate runs ``--rounds`` times and the best round counts. Also times WAV decoding of all
clips from disk, and the anchor in the same run is the issue's target, 100x real time (ratio =
x_realtime / 100). The last line is JSON.

    .venv/bin/python bench/acoustic.py [--rounds 3]
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.signal import resample_poly  # noqa: E402

from dronewatch.sources.acoustic.detector import detect  # noqa: E402
from dronewatch.sources.acoustic.model import load_model  # noqa: E402
from dronewatch.sources.acoustic.wav import read_wav  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "acoustic" / "svanstrom"
TARGET_X_REALTIME = 100.0


def _run(clips: list[np.ndarray], rate: int) -> float:
    model = load_model()
    started = time.process_time()
    for x in clips:
        detect(x, rate, model)
    return time.process_time() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    files = sorted(DATA.glob("*.wav"))
    if not files:
        raise SystemExit(f"no clips in {DATA}")
    t0 = time.process_time()
    clips16 = [read_wav(f)[0] for f in files]
    decode_s = time.process_time() - t0
    audio_s = sum(len(x) for x in clips16) / 16000
    clips48 = [resample_poly(x, 3, 1).astype(np.float32) for x in clips16]
    best: dict[int, float] = {}
    for _ in range(args.rounds):
        for rate, clips in ((16000, clips16), (48000, clips48)):
            cpu = _run(clips, rate)
            best[rate] = min(best.get(rate, float("inf")), cpu)
    x16 = audio_s / best[16000]
    x48 = audio_s / best[48000]
    print(f"audio: {len(files)} clips, {audio_s:.0f} s")
    print(f"WAV decode: {audio_s / decode_s:.0f}x real time")
    print(f"16 kHz: {best[16000]:.2f} CPU s -> {x16:.0f}x real time")
    print(f"48 kHz: {best[48000]:.2f} CPU s -> {x48:.0f}x real time")
    print(json.dumps({
        "audio_s": round(audio_s, 1),
        "x_realtime": round(x16, 1),
        "x_realtime_48k": round(x48, 1),
        "x_realtime_wav_decode": round(audio_s / decode_s, 1),
        "target_x_realtime": TARGET_X_REALTIME,
        "ratio_vs_target": round(x16 / TARGET_X_REALTIME, 2),
        "ratio_48k_vs_target": round(x48 / TARGET_X_REALTIME, 2),
    }))


if __name__ == "__main__":
    main()
