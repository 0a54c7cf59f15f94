"""What a rule reports: a ``Finding`` (rule, zone, severity, why), and severity helpers.

A finding is not an alert: ``alerts.AlertBook`` turns the findings of each call into alerts
with a lifecycle (one alert per key while the condition lasts).
"""

from __future__ import annotations

from msgspec import Struct

from dronewatch.model import Severity

SEVERITY_RANK: dict[Severity, int] = {"info": 0, "warning": 1, "critical": 2}
_RANK = SEVERITY_RANK


class Finding(Struct, frozen=True, kw_only=True):
    """A rule's condition holds now for ``track_id`` (or a group of tracks) and ``zone``."""

    rule: str
    zone: str | None
    severity: Severity
    track_id: int
    why: str  # the sentence the operator reads
    track_ids: tuple[int, ...] = ()  # every track involved; empty means (track_id,)
    time_to_entry_s: float | None = None
    per_zone: bool = False  # one alert per (rule, zone) for the whole group (swarm)

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        """What makes two findings the same alert: (rule, zone, track), track None for groups."""
        return (self.rule, self.zone, None if self.per_zone else self.track_id)

    @property
    def members(self) -> tuple[int, ...]:
        return self.track_ids or (self.track_id,)


def capped(severity: Severity, zone_severity: Severity) -> Severity:
    """``severity``, but never above the zone's own severity when that is "info"."""
    return "info" if zone_severity == "info" else severity


def at_most(severity: Severity, ceiling: Severity) -> Severity:
    """The lower of two severities."""
    return severity if _RANK[severity] <= _RANK[ceiling] else ceiling


def raised(severity: Severity) -> Severity:
    """One step up (info -> warning -> critical), critical stays critical."""
    order: list[Severity] = ["info", "warning", "critical"]
    return order[min(_RANK[severity] + 1, 2)]

