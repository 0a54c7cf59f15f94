"""swarm: at least ``swarm_min`` drones whose arrival times at one zone fall within
``swarm_window_s`` of each other. A drone outside arrives at its straight-line predicted time
(within ``swarm_horizon_s``); a drone inside arrived when it entered (remembered per zone), so
drones that have been inside for long do not make a swarm with newcomers.

One finding per zone: the largest such group (ties: the earliest arrivals). Once a swarm alert
is live, the swarm is an incident that grows: on a zone where one of its members is arriving or
inside, every drone that arrives there (within ``swarm_horizon_s``) after the swarm began
arriving is a member, however late it comes; drones that were there well before it (more
than ``swarm_window_s`` before its first member) are not. A finding names every member
(``track_ids`` sorted, ``track_id`` the first) and is a group finding, so ``alerts.AlertBook``
keeps one alert for the swarm and updates its members.
Severity: one step above the zone's (warning -> critical), info for an info zone.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from dronewatch.assess.finding import Finding, capped, raised
from dronewatch.assess.rules.registry import Rule, RuleContext, rule
from dronewatch.model import Track


def largest_group(arrivals: Sequence[tuple[float, int]], window_s: float) -> list[tuple[float, int]]:
    """The most (arrival_s, track_id) pairs whose arrivals span at most ``window_s``."""
    ordered = sorted(arrivals)
    best: list[tuple[float, int]] = []
    end = 0
    for start in range(len(ordered)):
        end = max(end, start)
        while end + 1 < len(ordered) and ordered[end + 1][0] - ordered[start][0] <= window_s:
            end += 1
        if end + 1 - start > len(best):
            best = ordered[start : end + 1]
    return best


@rule("swarm")
class Swarm(Rule):
    def __init__(self) -> None:
        self._entered_at: dict[tuple[str, int], float] = {}

    def forget(self, track_ids: Collection[int]) -> None:
        self._entered_at = {k: v for k, v in self._entered_at.items() if k[1] not in track_ids}

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        th = ctx.thresholds
        findings = []
        live = ctx.live_tracks(self.name)
        queries = ctx.zone_queries(tracks)
        for z, zone in enumerate(ctx.zones):
            now_in, entry = queries.inside(z), queries.entry_s(z, th.swarm_horizon_s)
            arrivals = []
            for i, track in enumerate(tracks):
                key = (zone.name, track.track_id)
                if now_in[i]:
                    entered = self._entered_at.setdefault(key, now)
                    arrivals.append((entered - now, track.track_id))
                    continue
                self._entered_at.pop(key, None)
                t_s = float(entry[i])
                if not math.isnan(t_s):
                    arrivals.append((t_s, track.track_id))
            live_arrivals = [t for t, track_id in arrivals if track_id in live]
            if live_arrivals:  # the swarm grows: all that arrive here since it began arriving
                since = min(live_arrivals) - th.swarm_window_s
                group = sorted(a for a in arrivals if a[0] >= since)
            else:
                group = largest_group(arrivals, th.swarm_window_s)
                if len(group) < th.swarm_min:
                    continue
            members = tuple(sorted(track_id for _, track_id in group))
            first_s = max(0.0, min(t for t, _ in group))
            inside = sum(1 for t, _ in group if t <= 0)
            coming = len(group) - inside
            if not inside:
                when = f"arriving in {first_s:.0f} s"
            elif coming:
                when = f"{inside} inside, {coming} arriving within {th.swarm_window_s:.0f} s"
            else:
                when = f"all {inside} entered within {th.swarm_window_s:.0f} s"
            findings.append(
                Finding(
                    rule=self.name,
                    zone=zone.name,
                    severity=capped(raised(zone.severity), zone.severity),
                    track_id=members[0],
                    track_ids=members,
                    why=f"swarm of {len(members)} drones on {zone.name}, {when}",
                    time_to_entry_s=first_s,
                    per_zone=True,
                )
            )
        return findings
