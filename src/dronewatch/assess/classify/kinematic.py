"""The fitted kinematic model: how likely a window of motion is for a drone and for a bird.

Each component (``drone_multirotor``, ``drone_fixed_wing``, ``bird``) is a Gaussian with full
covariance over transformed window features (``transform``); a drone is the equal mixture of
its two components. ``KinematicModel.llr(features)`` is log p(x | drone) - log p(x | bird),
calibrated by a logistic fit on the training windows and clipped to ``±LLR_CAP``, so no single
window decides. Features beyond the training range (0.5-99.5 %) are clamped to it first: a window
wilder than any seen (a track hopping between circling birds) must not land in a Gaussian's
tail. Speed and height are deliberately left
out of the fitted part: the recordings' drones fly at 4 and 18 m/s on their test routes, so a
fitted speed would learn the routes, not the classes (speed bounds are physical cues, in
``cues``). Parameters come from ``fit`` (``python -m dronewatch.assess.classify.fit``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from dronewatch.assess.classify.features import NAMES

PARAMS_PATH = Path(__file__).with_name("params.json")
USED = ("speed_sd", "turn", "climb_sd", "hover", "straight")
RAW_CAP = 6.0  # the Gaussians' own ratio, before calibration
LLR_CAP = 3.0  # a calibrated window never says more than this
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
    """Mean and covariance (variance-floored) per component from raw feature windows, then a
    logistic calibration of the raw ratio (drone and bird weighted equally)."""
    comps: dict[str, object] = {}
    for comp, rows in windows.items():
        z = transform(rows)
        cov = np.cov(z, rowvar=False) + VAR_FLOOR * np.eye(z.shape[1])
        comps[comp] = {"mean": [round(float(v), 6) for v in z.mean(axis=0)],
                       "cov": [[round(float(v), 6) for v in row] for row in cov]}
    every = transform(np.concatenate(list(windows.values())))
    bounds = [[round(float(v), 6) for v in np.percentile(every, q, axis=0)] for q in (0.5, 99.5)]
    params: dict[str, object] = {"features": list(USED), "components": comps, "calibration": [1.0, 0.0],
                                 "bounds": bounds}
    model = KinematicModel(params)
    drone = np.concatenate([windows[c] for c in windows if c.startswith("drone")])
    raw = np.concatenate([model.raw_llr(drone), model.raw_llr(windows["bird"])])
    label = np.concatenate([np.ones(len(drone)), np.zeros(len(windows["bird"]))])
    weight = np.where(label == 1, 0.5 / len(drone), 0.5 / len(windows["bird"]))
    params["calibration"] = [round(v, 6) for v in _logistic(raw, label, weight)]
    return params


def _logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted 1-D logistic regression y ~ sigmoid(a x + b) by Newton's method."""
    a, b = 1.0, 0.0
    X = np.column_stack([x, np.ones_like(x)])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        grad = X.T @ (w * (y - p))
        hess = (X * (w * p * (1 - p))[:, None]).T @ X + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        a, b = a + float(step[0]), b + float(step[1])
        if np.abs(step).max() < 1e-9:
            break
    return a, b


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
    """``params`` (default: ``params.json``); ``llr(features)``: calibrated drone-vs-bird
    log-likelihood ratio per window, clipped to ``±LLR_CAP``."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = params if params is not None else json.loads(PARAMS_PATH.read_text())
        comps = p["components"]
        self.drone = [_Gaussian(**comps[c]) for c in ("drone_multirotor", "drone_fixed_wing")]
        self.bird = _Gaussian(**comps["bird"])
        self.scale, self.offset = (float(v) for v in p["calibration"])
        bounds = p.get("bounds", [[-np.inf] * len(USED), [np.inf] * len(USED)])
        self.lo, self.hi = np.array(bounds[0], dtype=float), np.array(bounds[1], dtype=float)

    def raw_llr(self, features: np.ndarray) -> np.ndarray:
        # Outside what training saw, the Gaussians' tails decide nothing sensible: clamp first.
        z = np.clip(transform(features), self.lo, self.hi)
        drone = np.logaddexp(*(g.logpdf(z) for g in self.drone)) - np.log(2.0)
        return np.asarray(np.clip(drone - self.bird.logpdf(z), -RAW_CAP, RAW_CAP))

    def llr(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(np.clip(self.scale * self.raw_llr(features) + self.offset, -LLR_CAP, LLR_CAP))
