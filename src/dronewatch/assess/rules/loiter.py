"""loiter: a drone within ``loiter_near_m`` of a zone (outside it) for ``loiter_s`` in total
(time away does not reset the count) without entering it. Entering resets the count (the
zone_entry rule takes over).

Time near is counted between consecutive calls in which the track was near both times.
Severity: warning, info for an info zone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from dronewatch.assess.finding import Finding, at_most
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@dataclass
class _Near:
    total_s: float = 0.0
    last_near_at: float | None = None  # the previous call's time, if the track was near then


@rule("loiter")
class Loiter(Rule):
    def __init__(self) -> None:
        self._near: dict[tuple[int, str], _Near] = {}

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        th = ctx.thresholds
        seen: set[tuple[int, str]] = set()
        findings = []
        queries = ctx.zone_queries(tracks)
        inside = [queries.inside(z) for z in range(len(ctx.zones))]
        distance = [queries.distance(z) for z in range(len(ctx.zones))]
        for i, track in enumerate(tracks):
            for z, zone in enumerate(ctx.zones):
                key = (track.track_id, zone.name)
                if inside[z][i]:
                    self._near.pop(key, None)
                    continue
                if distance[z][i] > th.loiter_near_m:
                    continue
                state = self._near.setdefault(key, _Near())
                if state.last_near_at is not None:
                    state.total_s += now - state.last_near_at
                state.last_near_at = now
                seen.add(key)
                if state.total_s >= th.loiter_s:
                    findings.append(
                        Finding(
                            rule=self.name,
                            zone=zone.name,
                            severity=at_most("warning", zone.severity),
                            track_id=track.track_id,
                            why=f"loitering near {zone.name} for {state.total_s:.0f} s",
                        )
                    )
        for key, state in self._near.items():
            if key not in seen:
                state.last_near_at = None  # a gap: not counted
        return findings

    def forget(self, track_ids: Collection[int]) -> None:
        gone = set(track_ids)
        self._near = {k: v for k, v in self._near.items() if k[0] not in gone}
