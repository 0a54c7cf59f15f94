"""SAPIENT (BSI Flex 335 v2.0) classification taxonomy -> dronewatch classes.

A DetectionReport carries ``classification``: a class ``type`` with a confidence and nested
``sub_class`` entries. "Air Vehicle" with a UAV sub-class ("UAV Rotary Wing", "UAV Fixed
Wing", ...) is a drone; "Air Vehicle" with a crewed sub-class (fixed / rotary wing, aircraft,
helicopter) is an aircraft; "Animal" / "Bird" is a bird. "Human", "Vehicle" and every other
class give no drone evidence at all (no hint), so they never raise a drone alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dronewatch.model import ClassHint

_DRONE_WORDS = ("uav", "uas", "drone", "rpas", "quadcopter", "multirotor", "multi-rotor")
_AIRCRAFT_WORDS = ("fixed wing", "rotary wing", "aircraft", "helicopter", "airplane", "aeroplane", "manned", "jet")


def _subclasses(sub: Iterable[Any]) -> Iterable[tuple[str, float]]:
    for s in sub:
        yield s.type.strip().lower(), float(s.confidence) if s.HasField("confidence") else 1.0
        yield from _subclasses(s.sub_class)


def class_hint(classifications: Iterable[Any]) -> ClassHint | None:
    """The strongest dronewatch class hint among a detection's classifications, or None."""
    best: ClassHint | None = None
    for c in classifications:
        top = c.type.strip().lower()
        conf = float(c.confidence) if c.HasField("confidence") else 1.0
        cls: str | None = None
        score = 0.0
        if top in ("air vehicle", "air vehicles", "aircraft", "uav", "uas", "drone"):
            subs = list(_subclasses(c.sub_class))
            drone = [sc for name, sc in subs if any(w in name for w in _DRONE_WORDS)]
            crewed = [sc for name, sc in subs if not any(w in name for w in _DRONE_WORDS)
                      and any(w in name for w in _AIRCRAFT_WORDS)]
            if drone or top in ("uav", "uas", "drone"):
                cls, score = "drone", conf * (max(drone) if drone else 1.0)
            elif crewed:
                cls, score = "aircraft", conf * max(crewed)
        elif top in ("animal", "bird", "birds"):
            names = [name for name, _ in _subclasses(c.sub_class)]
            if top != "animal" or any("bird" in n for n in names):
                cls, score = "bird", conf
        if cls is not None and score > 0 and (best is None or score > best.confidence):
            best = ClassHint(cls=cls, confidence=min(1.0, score))  # type: ignore[arg-type]
    return best
