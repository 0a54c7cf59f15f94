"""Tracking stage: Reports -> Tracks. ``Tracker`` serves the pipeline (multi-sensor, identities,
spoof handling); ``ScanTracker`` is the array core for scans of plots at scale (IMM, JPDA/GNN per
cluster); ``bearings`` turns bearing-only reports into position fixes."""

from __future__ import annotations

from dronewatch.tracking.scan_tracker import ScanConfig, ScanTracker
from dronewatch.tracking.settings import TrackerConfig
from dronewatch.tracking.tracker import Tracker

__all__ = ["ScanConfig", "ScanTracker", "Tracker", "TrackerConfig"]
