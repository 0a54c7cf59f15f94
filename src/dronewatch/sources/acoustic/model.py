"""The shipped classifier: standardised features -> a small dense network (or plain logistic
regression when it has no hidden layer) -> temperature-scaled softmax over CLASSES.

The parameters are plain numbers in ``model.json`` beside this module (written by ``train``),
so inference needs numpy only and starts fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from dronewatch.sources.acoustic.features import FEATURE_NAMES

CLASSES: tuple[str, ...] = ("drone", "helicopter", "background")
MODEL_PATH = Path(__file__).with_name("model.json")


@dataclass(frozen=True)
class AcousticModel:
    """Feature scaling, dense layers (tanh between them) and the calibration temperature."""

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    temperature: float = 1.0
    silence_dbfs: float = -80.0
    meta: dict[str, Any] | None = None

    def logits(self, features: np.ndarray) -> np.ndarray:
        h = (np.asarray(features, dtype=np.float64) - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.tanh(h)
        return h

    def proba(self, features: np.ndarray) -> np.ndarray:
        """(N, F) features -> (N, 3) calibrated class probabilities."""
        z = self.logits(features) / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "dronewatch-acoustic-1",
            "classes": list(CLASSES),
            "features": list(FEATURE_NAMES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "layers": [{"w": w.tolist(), "b": b.tolist()} for w, b in self.layers],
            "temperature": self.temperature,
            "silence_dbfs": self.silence_dbfs,
            "meta": self.meta or {},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AcousticModel:
        if data.get("format") != "dronewatch-acoustic-1":
            raise ValueError(f"unknown acoustic model format {data.get('format')!r}")
        if tuple(data["features"]) != FEATURE_NAMES or tuple(data["classes"]) != CLASSES:
            raise ValueError("acoustic model was trained on other features or classes; retrain it")
        return cls(
            mean=np.array(data["mean"], dtype=np.float64),
            scale=np.array(data["scale"], dtype=np.float64),
            layers=tuple((np.array(la["w"], dtype=np.float64), np.array(la["b"], dtype=np.float64))
                         for la in data["layers"]),
            temperature=float(data["temperature"]),
            silence_dbfs=float(data["silence_dbfs"]),
            meta=data.get("meta") or {},
        )


def save_model(model: AcousticModel, path: Path = MODEL_PATH) -> None:
    path.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> AcousticModel:
    return AcousticModel.from_json(json.loads(path.read_text(encoding="utf-8")))
