"""Train the acoustic classifier on the shared clips; print grouped cross-validation figures.

    python -m dronewatch.sources.acoustic.train [--data DIR] [--seed 7] [--out model.json] [--check]

Data: ``shared/data/acoustic/svanstrom`` (71 ten-second clips named DRONE_/HELICOPTER_/
BACKGROUND_NNN.wav). Clips cut from the same recording (``GROUPS``, from the data's MANIFEST)
always fall on the same side of a split. Every random choice comes from ``--seed``, so the same
data and seed give the same model (``--check`` retrains and compares with the shipped file).

Recipe (docs/acoustic.md says why):

1. 1 s windows of every clip, each labelled with its clip's class.
2. Augmented copies of every training clip: random time shift, another "microphone" (high-pass,
   low-pass, spectral tilt, gain), resampling to 8 or 48 kHz, added noise (white to brown) at
   0-30 dB SNR, and mixes: a drone or helicopter over a background clip or an everyday sound at
   0-20 dB SNR keeps its label; a background clip mixed with an everyday sound stays background.
3. Synthetic everyday sounds (sirens, wind, engines, bells, voices, silence: ``synth``),
   labelled background.
4. A small network (features -> 16 tanh units -> 3 classes), L2-regularised cross-entropy with
   balanced class weights, fitted by L-BFGS.
5. Grouped k-fold cross-validation with the same recipe inside each fold; the held-out windows'
   logits fit the softmax temperature (calibration); the held-out clips, noisy copies of them
   and fresh synthetic distractors give the figures printed at the end.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.signal import resample_poly

from dronewatch.sources.acoustic import synth
from dronewatch.sources.acoustic.features import FEATURE_NAMES, window_features
from dronewatch.sources.acoustic.model import CLASSES, MODEL_PATH, AcousticModel, load_model, save_model
from dronewatch.sources.acoustic.wav import read_wav

LABEL = {"DRONE": 0, "HELICOPTER": 1, "BACKGROUND": 2}
BACKGROUND = 2
# Clips that share audio (MANIFEST.md, "Clips that share audio"): one side of any split.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("BACKGROUND_010", "BACKGROUND_019"),
    ("BACKGROUND_008", "BACKGROUND_016"),
    ("HELICOPTER_001", "HELICOPTER_007"),
    ("HELICOPTER_005", "HELICOPTER_012"),
    ("BACKGROUND_001", "BACKGROUND_006", "BACKGROUND_011", "BACKGROUND_022", "BACKGROUND_026"),
)
HIDDEN = 16
L2 = 3e-3
N_AUG = 3  # augmented copies of each training clip
N_DISTRACT = 8  # synthetic clips of each everyday sound per training set
CLIP_S = 10


@dataclass
class Clip:
    name: str
    label: int
    group: str
    samples: np.ndarray
    rate: int


def default_data_dir() -> Path:
    root = Path(__file__).resolve().parents[4]
    return root.parent / "shared" / "data" / "acoustic"


def load_clips(data_dir: Path) -> list[Clip]:
    files = sorted((data_dir / "svanstrom").glob("*.wav"))
    if not files:
        raise FileNotFoundError(f"no clips in {data_dir / 'svanstrom'}")
    group_of = {name: g[0] for g in GROUPS for name in g}
    clips = []
    for f in files:
        m = re.match(r"(DRONE|HELICOPTER|BACKGROUND)_\d+$", f.stem)
        if not m:
            continue
        x, rate = read_wav(f)
        x = x[: CLIP_S * rate]  # whole seconds (and FFT-friendly lengths)
        clips.append(Clip(f.stem, LABEL[m.group(1)], group_of.get(f.stem, f.stem), x, rate))
    return clips


def folds_of(clips: list[Clip], k: int, seed: int) -> list[int]:
    """Fold index per clip: groups shuffled per class and dealt round-robin (stratified, grouped)."""
    rng = np.random.default_rng(seed)
    fold_of_group: dict[str, int] = {}
    for label in sorted({c.label for c in clips}):
        groups = sorted({c.group for c in clips if c.label == label})
        for i, g in enumerate(rng.permutation(groups)):
            fold_of_group[str(g)] = (i + label) % k
    return [fold_of_group[c.group] for c in clips]


def _windows(x: np.ndarray, rate: int) -> np.ndarray:
    n = rate
    count = len(x) // n
    return window_features(x[: count * n].reshape(count, n), rate)


def _resample(x: np.ndarray, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    u = rng.random()
    if u < 0.2 and rate == 16000:
        return resample_poly(x, 1, 2).astype(np.float32), 8000
    if u < 0.4 and rate == 16000:
        return resample_poly(x, 3, 1).astype(np.float32), 48000
    return x, rate


def _distractor(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    kind = list(synth.DISTRACTORS)[int(rng.integers(len(synth.DISTRACTORS)))]
    return synth.DISTRACTORS[kind](n, rate, rng)


def augment(clip: Clip, pool: list[Clip], rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """One augmented copy of ``clip`` (label unchanged): shift, mix, noise, microphone, rate."""
    x = np.roll(clip.samples, int(rng.integers(len(clip.samples))))
    rate = clip.rate
    u = rng.random()
    if u < 0.25:
        bg = pool[int(rng.integers(len(pool)))].samples
        x = synth.mix(x, bg[: len(x)], rng.uniform(0, 20) if clip.label != BACKGROUND else rng.uniform(-10, 10))
    elif u < 0.65:
        x = synth.mix(x, _distractor(rng, len(x), rate),
                      rng.uniform(0, 20) if clip.label != BACKGROUND else rng.uniform(-10, 10))
    if rng.random() < 0.5:
        x = synth.mix(x, synth.coloured_noise(len(x), rate, rng, rng.uniform(-6, 0)), rng.uniform(0, 30))
    x = synth.microphone(x, rate, rng)
    return _resample(x, rate, rng)


def distractor_set(rng: np.random.Generator, per_kind: int, rate: int = 16000) -> list[tuple[str, np.ndarray]]:
    out = []
    for kind, make in synth.DISTRACTORS.items():
        for _ in range(per_kind):
            x = make(CLIP_S * rate, rate, rng)
            if kind != "silence":
                x = synth.microphone(x, rate, rng)
            out.append((kind, x))
    return out


_ORIGINAL: dict[str, np.ndarray] = {}


def clip_features(c: Clip) -> np.ndarray:
    """Window features of an unaltered clip (computed once)."""
    if c.name not in _ORIGINAL:
        _ORIGINAL[c.name] = _windows(c.samples, c.rate)
    return _ORIGINAL[c.name]


def training_set(clips: list[Clip], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    feats, labels = [], []
    pool = [c for c in clips if c.label == BACKGROUND]
    for c in clips:
        f = clip_features(c)
        feats.append(f)
        labels.append(np.full(len(f), c.label))
        for _ in range(N_AUG):
            x, rate = augment(c, pool, rng)
            f = _windows(x, rate)
            feats.append(f)
            labels.append(np.full(len(f), c.label))
    for _kind, x in distractor_set(rng, N_DISTRACT):
        f = _windows(x, 16000)
        feats.append(f)
        labels.append(np.full(len(f), BACKGROUND))
    return np.concatenate(feats), np.concatenate(labels)


# --- the network ----------------------------------------------------------------------------


def _unpack(theta: np.ndarray, n_in: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    k = len(CLASSES)
    i = 0
    w1 = theta[i: i + n_in * HIDDEN].reshape(n_in, HIDDEN)
    i += n_in * HIDDEN
    b1 = theta[i: i + HIDDEN]
    i += HIDDEN
    w2 = theta[i: i + HIDDEN * k].reshape(HIDDEN, k)
    i += HIDDEN * k
    return w1, b1, w2, theta[i: i + k]


def fit(X: np.ndarray, y: np.ndarray, seed: int) -> AcousticModel:
    """Standardise, then minimise weighted cross-entropy + L2 with L-BFGS (deterministic)."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    n, d = Z.shape
    k = len(CLASSES)
    counts = np.bincount(y, minlength=k).astype(float)
    sw = (n / (k * counts))[y] / n
    Y = np.eye(k)[y]
    rng = np.random.default_rng(seed)
    theta0 = np.concatenate([rng.normal(0, 1 / np.sqrt(d), d * HIDDEN), np.zeros(HIDDEN),
                             rng.normal(0, 1 / np.sqrt(HIDDEN), HIDDEN * k), np.zeros(k)])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w1, b1, w2, b2 = _unpack(theta, d)
        h = np.tanh(Z @ w1 + b1)
        z = h @ w2 + b2
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -float((sw * (Y * logp).sum(axis=1)).sum()) + 0.5 * L2 * float((w1**2).sum() + (w2**2).sum())
        dz = (np.exp(logp) - Y) * sw[:, None]
        gw2 = h.T @ dz + L2 * w2
        gb2 = dz.sum(axis=0)
        dh = (dz @ w2.T) * (1 - h**2)
        gw1 = Z.T @ dh + L2 * w1
        gb1 = dh.sum(axis=0)
        return value, np.concatenate([gw1.ravel(), gb1, gw2.ravel(), gb2])

    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 3000, "gtol": 1e-7})
    w1, b1, w2, b2 = _unpack(res.x, d)
    return AcousticModel(mean=mean, scale=scale, layers=((w1.copy(), b1.copy()), (w2.copy(), b2.copy())))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Softmax temperature minimising the negative log-likelihood of held-out windows."""
    best_t, best = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.25), np.log(8.0), 400)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -float((z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())
        if nll < best:
            best_t, best = float(t), nll
    return best_t


# --- cross-validation -----------------------------------------------------------------------


def _summary_drone(model: AcousticModel, x: np.ndarray, rate: int) -> tuple[bool, int]:
    """(summary class is drone, summary class index) for one recording, as ``listen`` decides."""
    from dronewatch.sources.acoustic.detector import detect

    _, s = detect(x, rate, model)
    return s.cls == "drone", CLASSES.index(s.cls)


def cross_validate(clips: list[Clip], k: int, seed: int) -> dict[str, object]:
    folds = folds_of(clips, k, seed)
    logits = [np.zeros((0, len(CLASSES)))]
    ys = [np.zeros(0, dtype=int)]
    per_fold: list[tuple[AcousticModel, list[Clip]]] = []
    root = np.random.SeedSequence(seed)
    for f, ss in enumerate(root.spawn(k)):
        rng = np.random.default_rng(ss)
        train = [c for c, ff in zip(clips, folds, strict=True) if ff != f]
        test = [c for c, ff in zip(clips, folds, strict=True) if ff == f]
        X, y = training_set(train, rng)
        model = fit(X, y, seed)
        for c in test:
            logits.append(model.logits(clip_features(c)))
            ys.append(np.full(CLIP_S, c.label))
        per_fold.append((model, test))
    L, Y = np.concatenate(logits), np.concatenate(ys)
    temperature = fit_temperature(L, Y)
    # Clip-level figures with the calibrated models, exactly as `listen` decides.
    truth, pred, noisy_hits, noisy_n = [], [], 0, 0
    eval_rng = np.random.default_rng(np.random.SeedSequence(seed + 1000))
    false_alarms: dict[str, list[int]] = {kind: [0, 0] for kind in synth.DISTRACTORS}
    bg_mix_fa = [0, 0]
    for model, test in per_fold:
        cal = AcousticModel(model.mean, model.scale, model.layers, temperature)
        pool = [c for c in test if c.label == BACKGROUND]
        for c in test:
            truth.append(c.label)
            pred.append(_summary_drone(cal, c.samples, c.rate)[1])
            if c.label == 0:  # held-out drone in noise at 10 dB SNR
                noisy = synth.mix(c.samples, synth.coloured_noise(len(c.samples), c.rate, eval_rng, -3), 10.0)
                noisy_hits += _summary_drone(cal, noisy, c.rate)[0]
                noisy_n += 1
        for kind, x in distractor_set(eval_rng, 2):
            false_alarms[kind][0] += _summary_drone(cal, x, 16000)[0]
            false_alarms[kind][1] += 1
            if pool:
                bg = pool[int(eval_rng.integers(len(pool)))].samples
                bg_mix_fa[0] += _summary_drone(cal, synth.mix(bg, x, 0.0), 16000)[0]
                bg_mix_fa[1] += 1
    t_arr, p_arr = np.array(truth), np.array(pred)
    window_acc = float((L.argmax(axis=1) == Y).mean())
    conf = np.zeros((3, 3), dtype=int)
    for a, b in zip(t_arr, p_arr, strict=True):
        conf[a, b] += 1
    return {
        "folds": k,
        "temperature": temperature,
        "clips": len(clips),
        "clip_drone_vs_not_accuracy": float(((t_arr == 0) == (p_arr == 0)).mean()),
        "clip_3class_accuracy": float((t_arr == p_arr).mean()),
        "window_3class_accuracy_uncalibrated_argmax": window_acc,
        "confusion_rows_truth_cols_pred": conf.tolist(),
        "drone_recall_in_pink_noise_10db": noisy_hits / max(1, noisy_n),
        "distractor_false_alarms": {kind: f"{v[0]}/{v[1]}" for kind, v in false_alarms.items()},
        "background_plus_distractor_false_alarms": f"{bg_mix_fa[0]}/{bg_mix_fa[1]}",
    }


def train(data_dir: Path, seed: int = 7, k: int = 5, cv: bool = True) -> AcousticModel:
    clips = load_clips(data_dir)
    meta: dict[str, object] = {"seed": seed, "hidden": HIDDEN, "l2": L2, "n_aug": N_AUG, "clips": len(clips)}
    temperature = 1.0
    if cv:
        report = cross_validate(clips, k, seed)
        temperature = float(report["temperature"])  # type: ignore[arg-type]
        meta["cv"] = report
    X, y = training_set(clips, np.random.default_rng(np.random.SeedSequence([seed, 1])))
    model = fit(X, y, seed)
    meta["train_windows"] = len(y)
    return AcousticModel(model.mean, model.scale, model.layers, temperature, meta=meta)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=default_data_dir(), help="shared/data/acoustic directory")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--check", action="store_true", help="retrain and compare with the shipped model; write nothing")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    model = train(args.data, args.seed, args.folds)
    cv = (model.meta or {}).get("cv", {})
    print(json.dumps(cv, indent=1))
    print(f"trained in {time.perf_counter() - started:.1f} s on {len(FEATURE_NAMES)} features", file=sys.stderr)
    if args.check:
        shipped = load_model(args.out)
        pairs = [(model.mean, shipped.mean), (model.scale, shipped.scale),
                 (np.array([model.temperature]), np.array([shipped.temperature]))]
        for (w, b), (ws, bs) in zip(model.layers, shipped.layers, strict=True):
            pairs += [(w, ws), (b, bs)]
        diff = max(float(np.abs(a - b).max()) for a, b in pairs)
        print(f"max parameter difference from {args.out}: {diff:.3g}")
        return 0 if diff < 1e-4 else 1
    save_model(model, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
