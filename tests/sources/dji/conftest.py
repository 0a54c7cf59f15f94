"""The DJI DroneID tests read the same shared captures as the Remote ID tests, with their fixtures."""

from __future__ import annotations

from remoteid.conftest import CAPTURES, captures, load

__all__ = ["CAPTURES", "captures", "load"]
