"""zone_entry: a drone is inside a zone (2-D area and floor <= u <= ceiling).

Hysteresis: a drone with a live zone_entry alert still counts as inside while it is within
``thresholds.zone_margin_m`` of the zone (outside the area or above/below it), so position
noise at a zone's edge does not end and raise the alert again and again.
Severity: the zone's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@rule("zone_entry")
class ZoneEntry(Rule):
    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        live = ctx.live_tracks(self.name)
        held = np.array([t.track_id in live for t in tracks], dtype=bool)
        queries = ctx.zone_queries(tracks)
        inside = [queries.inside_with(z, ctx.thresholds.zone_margin_m, held) for z in range(len(ctx.zones))]
        return [
            Finding(
                rule=self.name,
                zone=zone.name,
                severity=zone.severity,
                track_id=track.track_id,
                why=f"inside {zone.name} at {track.alt_m:.0f} m",
            )
            for i, track in enumerate(tracks)
            for z, zone in enumerate(ctx.zones)
            if inside[z][i]
        ]
