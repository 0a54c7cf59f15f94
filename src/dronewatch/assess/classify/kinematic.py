"""The fitted kinematic model: how likely a window of motion is for a drone and for a bird.

Each component (``drone_multirotor``, ``drone_fixed_wing``, ``bird``) is a Gaussian with full
covariance over transformed window features (``transform``); a drone is the equal mixture of
its two components. ``KinematicModel.llr(features)`` is log p(x | drone) - log p(x | bird),
clipped to ``±LLR_CAP`` so no single window decides. Speed and height are deliberately left
out of the fitted part: the recordings' drones fly at 4 and 18 m/s on their test routes, so a
fitted speed would learn the routes, not the classes (speed bounds are physical cues, in
``cues``). Parameters come from ``fit`` (``python -m dronewatch.assess.classify.fit``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dronewatch.assess.classify.features import NAMES

PARAMS_PATH = Path(__file__).with_name("params.json")
USED = ("speed_sd", "turn", "climb_sd", "hover", "straight")
LLR_CAP = 4.0
VAR_FLOOR = 0.02


def transform(features: np.ndarray) -> np.ndarray:
    """Window features (``features.NAMES`` order; rows or one vector) -> model space."""
    f = np.atleast_2d(features)
    col = {name: f[:, i] for i, name in enumerate(NAMES)}
    z = np.column_stack([
        np.log(col["speed_sd"] + 0.1),
        np.log(col["turn"] + 0.5),
        np.log(col["climb_sd"] + 0.1),
        col["hover"],
        col["straight"],
    ])
    return z


def component_of(name: str, cls: str) -> str:
    """Which model component a recording trains: by aircraft type for drones."""
    if cls == "bird":
        return "bird"
    return "drone_fixed_wing" if name.startswith("alfa_") else "drone_multirotor"


def fit_components(windows: dict[str, np.ndarray]) -> dict[str, object]:
    """Mean and covariance (variance-floored) per component from raw feature windows."""
    comps: dict[str, object] = {}
    for comp, rows in windows.items():
        z = transform(rows)
        cov = np.cov(z, rowvar=False) + VAR_FLOOR * np.eye(z.shape[1])
        comps[comp] = {"mean": [round(float(v), 6) for v in z.mean(axis=0)],
                       "cov": [[round(float(v), 6) for v in row] for row in cov]}
    return {"features": list(USED), "components": comps}


class _Gaussian:
    def __init__(self, mean: list[float], cov: list[list[float]]) -> None:
        self.mean = np.array(mean)
        c = np.array(cov)
        self.inv = np.linalg.inv(c)
        self.log_norm = -0.5 * (len(mean) * np.log(2 * np.pi) + np.linalg.slogdet(c)[1])

    def logpdf(self, z: np.ndarray) -> np.ndarray:
        d = z - self.mean
        return np.asarray(self.log_norm - 0.5 * np.einsum("ij,jk,ik->i", d, self.inv, d))


class KinematicModel:
    """Loads ``params.json``; ``llr(features)`` (drone vs bird, clipped) per window."""

    def __init__(self, path: Path = PARAMS_PATH) -> None:
        params = json.loads(path.read_text())
        comps = params["components"]
        self.drone = [_Gaussian(**comps[c]) for c in ("drone_multirotor", "drone_fixed_wing")]
        self.bird = _Gaussian(**comps["bird"])

    def llr(self, features: np.ndarray) -> np.ndarray:
        z = transform(features)
        drone = np.logaddexp(*(g.logpdf(z) for g in self.drone)) - np.log(2.0)
        return np.asarray(np.clip(drone - self.bird.logpdf(z), -LLR_CAP, LLR_CAP))
