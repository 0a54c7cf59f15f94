"""remote_id_mismatch: a track's self-reported (Remote ID) position is more than ``mismatch_m``
from where the sensors see it, for ``mismatch_s`` (unbroken): spoofed or faulty broadcast.

Zone: None. Severity: critical.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from dronewatch.assess.finding import Finding
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


@rule("remote_id_mismatch")
class RemoteIdMismatch(Rule):
    def __init__(self) -> None:
        self._since: dict[int, float] = {}

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        th = ctx.thresholds
        since: dict[int, float] = {}
        findings = []
        for track in tracks:
            offset_m = track.claimed_offset_m
            if track.identity is None or offset_m is None or offset_m <= th.mismatch_m:
                continue
            since[track.track_id] = self._since.get(track.track_id, now)
            held_s = now - since[track.track_id]
            if held_s >= th.mismatch_s:
                findings.append(
                    Finding(
                        rule=self.name,
                        zone=None,
                        severity="critical",
                        track_id=track.track_id,
                        why=(
                            f"{track.identity.value} claims a position {offset_m:.0f} m from where it is seen"
                            f" (for {held_s:.0f} s)"
                        ),
                    )
                )
        self._since = since
        return findings

    def forget(self, track_ids: Collection[int]) -> None:
        for track_id in track_ids:
            self._since.pop(track_id, None)
