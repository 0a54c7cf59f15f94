"""IMM prediction of track-table rows: mixing plus each model's prediction, for any rows (pairs
may repeat a row) each to its own time step, and the combined Gaussian of the result."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from dronewatch.tracking import imm
from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.state import TrackTable

Arr = np.ndarray


@lru_cache(maxsize=16)
def _switching(n_models: int, stay: float) -> Arr:
    return imm.default_switching(n_models, stay)


def initial_probs(cfg: TrackerConfig) -> Arr:
    """(r,) model probabilities of a new track (``initial_model_probs``, uniform if sized wrong)."""
    r = len(cfg.models)
    p0 = np.asarray(cfg.initial_model_probs[:r], dtype=float)
    return p0 / p0.sum() if len(p0) == r else np.full(r, 1.0 / r)


def predict_rows(table: TrackTable, cfg: TrackerConfig, rows: Arr, dt: Arr) -> tuple[Arr, Arr, Arr]:
    """Rows (K,) each over dt (K,) seconds (negative: retrodiction) -> per-model states xm (r,K,6),
    Pm (r,K,6,6) and predicted model probabilities c (K,r)."""
    every = len(rows) == len(table) and (len(rows) == 0 or (rows[0] == 0 and rows[-1] == len(rows) - 1
                                                            and bool(np.all(np.diff(rows) == 1))))
    pick = slice(None) if every else rows  # all rows in order: views, no copies
    xm = table.xm[pick].transpose(1, 0, 2)
    Pm = table.Pm[pick].transpose(1, 0, 2, 3)
    mu = table.mu[pick]
    if len(cfg.models) > 1:
        xm, Pm, mu = imm.mix(xm, Pm, mu, _switching(len(cfg.models), cfg.model_stay_prob))
    xs, Ps = imm.predict(cfg.models, xm, Pm, dt)
    return xs, Ps, mu


def predict_combined(table: TrackTable, cfg: TrackerConfig, rows: Arr, dt: Arr) -> tuple[Arr, Arr]:
    """Rows (K,) over dt (K,) -> combined x (K,6), P (K,6,6)."""
    xs, Ps, c = predict_rows(table, cfg, rows, dt)
    return imm.combine(xs, Ps, c)


def advance(cfg: TrackerConfig, xm: Arr, Pm: Arr, dt: Arr) -> tuple[Arr, Arr]:
    """Per-model prediction without mixing (bringing a retrodicted update on): (r,K,...) arrays."""
    return imm.predict(cfg.models, xm, Pm, dt)


def combined_at(table: TrackTable, cfg: TrackerConfig, rows: Arr, now: float) -> tuple[Arr, Arr]:
    """Combined x (K,6), P (K,6,6) of rows at ``now``: rows whose state is older are predicted,
    the others (updated at ``now``, or later) are taken as they are."""
    x = table.x[rows]
    P = np.empty((len(rows), 6, 6))
    old = table.t_at[rows] < now
    P[~old] = table.cov(rows[~old])  # (the predicted rows get theirs below)
    if old.any():
        x[old], P[old] = predict_combined(table, cfg, rows[old], now - table.t_at[rows[old]])
    return x, P


def mean_at(table: TrackTable, cfg: TrackerConfig, rows: Arr, now: float) -> Arr:
    """Combined x (K,6) of rows at ``now`` (``combined_at`` without the covariance)."""
    x = table.x[rows]
    old = table.t_at[rows] < now
    if old.any():
        x[old] = predict_combined(table, cfg, rows[old], now - table.t_at[rows[old]])[0]
    return x
