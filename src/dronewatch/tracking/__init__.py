"""Tracking stage: Reports -> Tracks (batched Kalman filter, GNN, identity binding, spoof handling)."""

from __future__ import annotations

from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.tracker import Tracker

__all__ = ["Tracker", "TrackerConfig"]
