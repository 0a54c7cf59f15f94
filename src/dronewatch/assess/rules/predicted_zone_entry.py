"""predicted_zone_entry: a drone's straight-line path at its current velocity enters a zone
within ``thresholds.predict_horizon_s`` (it is not inside yet).

Severity: the zone's. The alert carries ``time_to_entry_s`` as predicted when raised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@rule("predicted_zone_entry")
class PredictedZoneEntry(Rule):
    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        findings = []
        queries = ctx.zone_queries(tracks)
        entry = [queries.entry_s(z, ctx.thresholds.predict_horizon_s) for z in range(len(ctx.zones))]  # NaN inside
        for i, track in enumerate(tracks):
            for z, zone in enumerate(ctx.zones):
                t_s = float(entry[z][i])
                if math.isnan(t_s):
                    continue
                findings.append(
                    Finding(
                        rule=self.name,
                        zone=zone.name,
                        severity=zone.severity,
                        track_id=track.track_id,
                        why=f"predicted entry into {zone.name} in {t_s:.0f} s",
                        time_to_entry_s=t_s,
                    )
                )
        return findings
