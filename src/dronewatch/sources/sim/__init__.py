"""The scenario simulator: ``Simulation(scenario)`` flies a scenario's objects and emits the
frames its sensors would have received (``advance``), with ground truth (``truth``)."""

from __future__ import annotations

from dronewatch.sources.sim.simulation import Simulation
from dronewatch.sources.sim.truth import TruthRow

__all__ = ["Simulation", "TruthRow"]
