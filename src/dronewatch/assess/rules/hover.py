"""hover: a drone slower than ``hover_speed_mps`` for ``hover_s`` (unbroken) while inside a zone or
within ``near_m`` of it (3-D distance to the zone's volume).

Severity: the zone's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule, speed_mps
from dronewatch.model import Track


@rule("hover")
class Hover(Rule):
    def __init__(self) -> None:
        self._since: dict[tuple[int, str], float] = {}  # (track, zone) -> hovering near it since

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        th = ctx.thresholds
        since: dict[tuple[int, str], float] = {}
        findings = []
        queries = ctx.zone_queries(tracks)
        for i, track in enumerate(tracks):
            if speed_mps(track) >= th.hover_speed_mps:
                continue
            for z, zone in enumerate(ctx.zones):
                if queries.distance(z)[i] > th.near_m:
                    continue
                key = (track.track_id, zone.name)
                since[key] = self._since.get(key, now)
                held_s = now - since[key]
                if held_s >= th.hover_s:
                    where = "over" if queries.inside(z)[i] else "near"
                    findings.append(
                        Finding(
                            rule=self.name,
                            zone=zone.name,
                            severity=zone.severity,
                            track_id=track.track_id,
                            why=f"hovering {where} {zone.name} for {held_s:.0f} s",
                        )
                    )
        self._since = since
        return findings

    def forget(self, track_ids: Collection[int]) -> None:
        gone = set(track_ids)
        self._since = {k: v for k, v in self._since.items() if k[0] not in gone}
