"""zone_entry: a drone is inside a zone (2-D area and floor <= u <= ceiling).

Severity: the zone's.
"""

from __future__ import annotations

from collections.abc import Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@rule("zone_entry")
class ZoneEntry(Rule):
    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        return [
            Finding(
                rule=self.name,
                zone=zone.name,
                severity=zone.severity,
                track_id=track.track_id,
                why=f"inside {zone.name} at {track.alt_m:.0f} m",
            )
            for track in tracks
            for zone in ctx.zones
            if zone.contains(track.enu_m)
        ]
