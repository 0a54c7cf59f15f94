"""Trajectories produced as the simulation runs: each path fills its rows of the truth window a
block of grid steps at a time, so set-up time and memory do not grow with a scenario's length.

A path is one object (``FlightPath``: a mover's ``flight`` generator; ``ArrayPath``: a
trajectory computed whole, e.g. a short recording) or a flock (``FlockPath``: a leader path and
``count`` birds around it). Blocks must be asked for in order; each path keeps the state it
needs to go on.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import islice
from typing import Protocol

import numpy as np

from dronewatch.sources.sim.movers import OUStream, State


class Path(Protocol):
    rows: int

    def fill(self, block: np.ndarray, k0: int) -> None:
        """Write steps ``k0 .. k0 + block.shape[1] - 1`` into ``block`` (rows, n, 6); NaN = not alive."""
        ...


class FlightPath:
    """One object flown by a mover generator that starts at grid step ``first``."""

    rows = 1

    def __init__(self, states: Iterator[State], first: int) -> None:
        self._states: Iterator[State] | None = states
        self._first = first

    def fill(self, block: np.ndarray, k0: int) -> None:
        block[:] = np.nan
        start = max(self._first - k0, 0)
        want = block.shape[1] - start
        if self._states is None or want <= 0:
            return
        states = list(islice(self._states, want))
        if len(states) < want:  # it left its route: gone for good
            self._states = None
        if states:
            block[0, start:start + len(states)] = states


class ArrayPath:
    """A trajectory computed whole ``(steps, 6)``."""

    rows = 1

    def __init__(self, states: np.ndarray) -> None:
        self.states = states

    def fill(self, block: np.ndarray, k0: int) -> None:
        block[:] = np.nan
        part = self.states[k0:k0 + block.shape[1]]
        block[0, :len(part)] = part


class FlockPath:
    """``count`` birds around a leader path: each keeps its own offset 10-40 m from the leader
    (±5 m in height) plus a slow wander of about 2 m (Ornstein-Uhlenbeck, 5 s)."""

    def __init__(self, leader: Path, count: int, rng: np.random.Generator, dt_s: float) -> None:
        self.leader = leader
        self.rows = count
        self.dt_s = dt_s
        self.base = np.zeros((count, 3))
        self.wander: list[tuple[OUStream, OUStream, OUStream]] = []
        for b, child in enumerate(rng.spawn(count)):
            radius = 10.0 + 30.0 * float(child.random())
            angle = 2.0 * math.pi * float(child.random())
            height = 5.0 * (2.0 * float(child.random()) - 1.0)
            self.base[b] = (radius * math.sin(angle), radius * math.cos(angle), height)
            streams = child.spawn(3)
            self.wander.append((OUStream(streams[0], dt_s, 5.0, 2.0), OUStream(streams[1], dt_s, 5.0, 2.0),
                                OUStream(streams[2], dt_s, 5.0, 1.0)))
        self._prev: np.ndarray | None = None  # offsets at the step before the block
        self._ahead: np.ndarray | None = None  # offsets at the block's first step, drawn last time

    def _draw(self) -> np.ndarray:
        return self.base + np.array([[we.take(), wn.take(), wu.take()] for we, wn, wu in self.wander])

    def fill(self, block: np.ndarray, k0: int) -> None:
        n = block.shape[1]
        lead = np.empty((1, n, 6))
        self.leader.fill(lead, k0)
        first = self._ahead if self._ahead is not None else self._draw()
        off = np.stack([first, *(self._draw() for _ in range(n))], axis=1)  # steps k0 .. k0 + n
        self._ahead = off[:, -1]
        # central differences (one-sided at the run's first step), as numpy.gradient
        before = off[:, :1] if self._prev is None else self._prev[:, None, :]
        around = np.concatenate([before, off], axis=1)  # steps k0 - 1 .. k0 + n
        rate = (around[:, 2:] - around[:, :-2]) / (2.0 * self.dt_s)
        if self._prev is None:
            rate[:, 0] = (off[:, 1] - off[:, 0]) / self.dt_s
        self._prev = off[:, n - 1]
        block[:] = lead
        block[:, :, :3] += off[:, :n]
        block[:, :, 2] = np.maximum(block[:, :, 2], 0.0)
        block[:, :, 3:] += rate
