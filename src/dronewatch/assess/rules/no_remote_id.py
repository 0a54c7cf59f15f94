"""no_remote_id: a confirmed drone without a cooperative identity for ``no_remote_id_s`` (unbroken)
while inside Remote ID receiver coverage (horizontal distance to any site sensor of kind
"remoteid" <= its ``range_m``). A site without such a receiver never raises it.

Zone: None. Severity: warning.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


def in_coverage(track: Track, ctx: RuleContext) -> bool:
    e, n, _ = track.enu_m
    return any(math.hypot(e - c.e_m, n - c.n_m) <= c.range_m for c in ctx.remote_id_coverage)


@rule("no_remote_id")
class NoRemoteId(Rule):
    def __init__(self) -> None:
        self._since: dict[int, float] = {}

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        since: dict[int, float] = {}
        findings = []
        for track in tracks:
            if track.identity is not None or not in_coverage(track, ctx):
                continue
            since[track.track_id] = self._since.get(track.track_id, now)
            held_s = now - since[track.track_id]
            if held_s >= ctx.thresholds.no_remote_id_s:
                findings.append(
                    Finding(
                        rule=self.name,
                        zone=None,
                        severity="warning",
                        track_id=track.track_id,
                        why=f"drone without Remote ID for {held_s:.0f} s inside receiver coverage",
                    )
                )
        self._since = since
        return findings

    def forget(self, track_ids: Collection[int]) -> None:
        for track_id in track_ids:
            self._since.pop(track_id, None)
