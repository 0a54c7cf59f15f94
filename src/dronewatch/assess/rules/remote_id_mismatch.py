"""remote_id_mismatch: a track's self-reported (Remote ID) position is more than ``mismatch_m``
from where the sensors see it, or two links of the same airframe (DJI DroneID and Remote ID,
same serial) broadcast positions more than ``mismatch_m`` apart, for ``mismatch_s``
(unbroken): spoofed or faulty broadcast.

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
            seen_m = track.claimed_offset_m or 0.0
            links_m = track.broadcast_offset_m or 0.0
            if track.identity is None or max(seen_m, links_m) <= th.mismatch_m:
                continue
            since[track.track_id] = self._since.get(track.track_id, now)
            held_s = now - since[track.track_id]
            if held_s >= th.mismatch_s:
                if seen_m > th.mismatch_m:
                    what = f"{track.identity.value} claims a position {seen_m:.0f} m from where it is seen"
                else:
                    names = " and ".join(f"{i.scheme}:{i.value}" for i in (track.identity, *track.aliases))
                    what = f"{names} (one airframe) broadcast positions {links_m:.0f} m apart"
                findings.append(
                    Finding(
                        rule=self.name,
                        zone=None,
                        severity="critical",
                        track_id=track.track_id,
                        why=f"{what} (for {held_s:.0f} s)",
                    )
                )
        self._since = since
        return findings

    def forget(self, track_ids: Collection[int]) -> None:
        for track_id in track_ids:
            self._since.pop(track_id, None)
