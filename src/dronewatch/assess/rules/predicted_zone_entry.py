"""predicted_zone_entry: a drone's straight-line path at its current velocity enters a zone
within ``thresholds.predict_horizon_s`` (it is not inside yet).

Severity: the zone's. The alert carries ``time_to_entry_s`` as predicted when raised.
"""

from __future__ import annotations

from collections.abc import Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@rule("predicted_zone_entry")
class PredictedZoneEntry(Rule):
    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        findings = []
        for track in tracks:
            for zone in ctx.zones:
                if zone.contains(track.enu_m):
                    continue
                t_s = zone.time_to_entry_s(track.enu_m, track.vel_enu_mps, ctx.thresholds.predict_horizon_s)
                if t_s is None:
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
