"""A flock: ``count`` birds around one leader path, each with its own offset and wander.

Each bird keeps a fixed offset drawn 10-40 m from the leader (±5 m in height) plus a slow
wander of about 2 m (Ornstein-Uhlenbeck, 5 s), so the flock spreads ~10-40 m around the path
and its members move a little relative to each other.
"""

from __future__ import annotations

import math

import numpy as np

from dronewatch.sources.sim.movers import ou_noise


def spread_flock(leader: np.ndarray, count: int, rng: np.random.Generator, dt_s: float) -> list[np.ndarray]:
    """``count`` trajectories (steps, 6) around ``leader`` (steps, 6); NaN where the leader is."""
    steps = leader.shape[0]
    birds = []
    for _ in range(count):
        radius = 10.0 + 30.0 * float(rng.random())
        angle = 2.0 * math.pi * float(rng.random())
        base = np.array(
            [radius * math.sin(angle), radius * math.cos(angle), 5.0 * (2.0 * float(rng.random()) - 1.0)]
        )
        wander = np.column_stack([ou_noise(rng, steps, dt_s, 5.0, s) for s in (2.0, 2.0, 1.0)])
        off = base + wander
        bird = leader.copy()
        bird[:, :3] += off
        bird[:, 2] = np.maximum(bird[:, 2], 0.0)
        bird[:, 3:] += np.gradient(off, dt_s, axis=0)
        birds.append(bird)
    return birds
