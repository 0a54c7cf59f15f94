"""Assessment: tracks -> classes (drone / bird / aircraft / unknown) and alerts with a lifecycle.

``Assessor(site, frame).assess(tracks, now)`` is the stage's whole public face.
"""

from __future__ import annotations

from dronewatch.assess.assessor import Assessor

__all__ = ["Assessor"]
