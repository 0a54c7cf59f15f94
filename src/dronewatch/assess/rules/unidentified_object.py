"""unidentified_object: a track still "unknown" (not classified drone, bird or aircraft) inside a
critical zone for ``unidentified_s`` (unbroken). Not a drone alert: a notice that something is
there that the sensors cannot yet tell, at the site's ``unidentified_severity`` (default info;
"off" never raises it).

This rule is given the unknown tracks (``Rule.classes``), not the drones.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@rule("unidentified_object")
class UnidentifiedObject(Rule):
    classes = ("unknown",)

    def __init__(self) -> None:
        self._since: dict[tuple[int, str], float] = {}

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        th = ctx.thresholds
        if th.unidentified_severity == "off":
            self._since.clear()
            return []
        since: dict[tuple[int, str], float] = {}
        findings = []
        queries = ctx.zone_queries(tracks)
        for i, track in enumerate(tracks):
            for z, zone in enumerate(ctx.zones):
                if zone.severity != "critical" or not queries.inside(z)[i]:
                    continue
                key = (track.track_id, zone.name)
                since[key] = self._since.get(key, now)
                held_s = now - since[key]
                if held_s >= th.unidentified_s:
                    lean = f"; {track.cls_reason}" if track.cls_reason else ""
                    findings.append(Finding(
                        rule=self.name,
                        zone=zone.name,
                        severity=th.unidentified_severity,
                        track_id=track.track_id,
                        why=f"unidentified object inside {zone.name} for {held_s:.0f} s{lean}",
                    ))
        self._since = since
        return findings

    def forget(self, track_ids: Collection[int]) -> None:
        gone = set(track_ids)
        self._since = {k: v for k, v in self._since.items() if k[0] not in gone}
