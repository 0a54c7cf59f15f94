"""Tracking stage: Reports -> Tracks. ``Tracker`` is the one tracker (multi-sensor, identities,
spoof handling, IMM, JPDA/GNN per cluster), fed Reports (``process``) or arrays of plots
(``process_plots``); ``bearings`` turns bearing-only reports into position fixes."""

from __future__ import annotations

from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.tracker import Tracker

__all__ = ["Tracker", "TrackerConfig"]
