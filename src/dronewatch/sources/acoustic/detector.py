"""Audio -> per-window class probabilities -> a whole-recording verdict.

Audio is cut into non-overlapping 1 s windows from the start; each gets calibrated
probabilities over (drone, helicopter, background) and the most likely class. A window quieter
than the model's ``silence_dbfs`` is background outright (there is nothing to hear). The
summary averages the windows' probability vectors; its class is the most likely one, and only a
summary class "drone" is a detection. A recording shorter than one window (or its only part) is
judged as one short window (zero-padded to one 128 ms frame if shorter still).

``StreamDetector`` does the same incrementally (sound card, UDP, stdin): feed blocks of samples,
get each window as soon as it is complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from dronewatch.sources.acoustic.features import rms_dbfs, window_features
from dronewatch.sources.acoustic.model import CLASSES, AcousticModel, load_model

WINDOW_S = 1.0
DRONE = CLASSES.index("drone")


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One window: its start (s from the recording's start), length, probabilities, class."""

    t_s: float
    dur_s: float
    proba: tuple[float, float, float]
    level_dbfs: float

    @property
    def cls(self) -> str:
        return CLASSES[int(np.argmax(self.proba))]

    @property
    def drone_p(self) -> float:
        return self.proba[DRONE]

    def as_json(self) -> dict[str, object]:
        return {"t_s": round(self.t_s, 3), "drone_p": round(self.drone_p, 4), "class": self.cls}


@dataclass(frozen=True, slots=True)
class Summary:
    """The whole recording: mean of the window probabilities, its class, how much was heard."""

    proba: tuple[float, float, float]
    windows: int
    duration_s: float

    @property
    def cls(self) -> str:
        return CLASSES[int(np.argmax(self.proba))]

    @property
    def drone_p(self) -> float:
        return self.proba[DRONE]

    def as_json(self) -> dict[str, object]:
        return {"summary": True, "class": self.cls, "drone_p": round(self.drone_p, 4),
                "p": {c: round(p, 4) for c, p in zip(CLASSES, self.proba, strict=True)},
                "windows": self.windows, "duration_s": round(self.duration_s, 3)}


def classify_windows(windows: np.ndarray, rate_hz: int, model: AcousticModel) -> np.ndarray:
    """(W, samples) windows of one length -> (W, 3) probabilities (silent windows: background)."""
    if len(windows) == 0:
        return np.zeros((0, len(CLASSES)))
    proba = model.proba(window_features(windows, rate_hz))
    levels = np.array([rms_dbfs(w) for w in windows])
    silent = levels < model.silence_dbfs
    proba[silent] = np.eye(len(CLASSES))[CLASSES.index("background")]
    return proba


def _results(samples: np.ndarray, rate_hz: int, t0_s: float, model: AcousticModel) -> list[WindowResult]:
    n = round(WINDOW_S * rate_hz)
    count = len(samples) // n
    wins = samples[: count * n].reshape(count, n)
    proba = classify_windows(wins, rate_hz, model)
    return [WindowResult(t_s=t0_s + i * WINDOW_S, dur_s=WINDOW_S, proba=tuple(float(v) for v in proba[i]),  # type: ignore[arg-type]
                         level_dbfs=rms_dbfs(wins[i])) for i in range(count)]


def summarise(results: Iterable[WindowResult], duration_s: float) -> Summary:
    res = list(results)
    p = np.mean([r.proba for r in res], axis=0) if res else np.eye(len(CLASSES))[CLASSES.index("background")]
    return Summary(proba=tuple(float(v) for v in p), windows=len(res), duration_s=duration_s)  # type: ignore[arg-type]


class StreamDetector:
    """Incremental detection: ``feed(samples)`` yields each completed 1 s window; ``finish()``
    gives the summary (a recording shorter than one window is judged as one short window)."""

    def __init__(self, rate_hz: int, model: AcousticModel | None = None) -> None:
        self.rate_hz = rate_hz
        self.model = model or load_model()
        self.window = round(WINDOW_S * rate_hz)
        self._buf = np.zeros(0, dtype=np.float32)
        self._done = 0  # windows emitted
        self._seen = 0  # samples fed
        self.results: list[WindowResult] = []

    def feed(self, samples: np.ndarray) -> Iterator[WindowResult]:
        self._seen += len(samples)
        self._buf = np.concatenate([self._buf, np.asarray(samples, dtype=np.float32)])
        count = len(self._buf) // self.window
        if count == 0:
            return
        new = _results(self._buf[: count * self.window], self.rate_hz, self._done * WINDOW_S, self.model)
        self._buf = self._buf[count * self.window:]
        self._done += count
        self.results.extend(new)
        yield from new

    def finish(self) -> Summary:
        duration_s = self._seen / self.rate_hz
        if not self.results and len(self._buf):
            proba = classify_windows(self._buf[None, :], self.rate_hz, self.model)[0]
            return Summary(proba=tuple(float(v) for v in proba), windows=0, duration_s=duration_s)  # type: ignore[arg-type]
        return summarise(self.results, duration_s)


def detect(samples: np.ndarray, rate_hz: int, model: AcousticModel | None = None) -> tuple[list[WindowResult], Summary]:
    """A whole recording -> its window results and summary."""
    det = StreamDetector(rate_hz, model)
    results = list(det.feed(samples))
    return results, det.finish()
