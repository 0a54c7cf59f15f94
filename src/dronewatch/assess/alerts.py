"""Alert lifecycle: findings -> alerts, one per (rule, zone, track) while the condition lasts.

* A finding with no live alert for its key raises a new alert, id ``A00001``, ``A00002``, ...
  in raise order, with the track's position, class and identity at that moment.
* While findings keep coming, the alert stays (open or acknowledged); nothing is re-sent,
  except a group alert (swarm) whose members change: it is updated and reported.
* When no finding has come for ``clear_s``, the alert is resolved; it is reported once more.
  A later finding for the same key raises a new alert.
* Zones nest (Stands inside Perimeter inside Approach), so one drone can meet a rule for several
  zones at once. A new finding is not raised while a live alert of the same rule, for a track
  it names, is at least as severe; findings met together raise the most severe first. So a
  drone hovering over a stand raises one ``hover`` (Stands), and moving into a more severe
  zone raises a new alert (escalation), while coming back out raises nothing new.
* ``ack`` moves an open alert to "acknowledged"; ``resolve_tracks`` resolves at once the alerts
  of tracks the tracker deleted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from msgspec import structs

from dronewatch.assess.finding import SEVERITY_RANK, Finding
from dronewatch.model import Alert, Position, Track

Key = tuple[str, str | None, int | None]
_LIVE = ("open", "acknowledged")


class AlertBook:
    """Every alert so far, and which are live, keyed by their finding's key."""

    def __init__(self, clear_s: float, id_prefix: str = "") -> None:
        self.clear_s = clear_s
        self.id_prefix = id_prefix  # keeps ids unique across runs that share one store
        self._alerts: dict[str, Alert] = {}  # id -> latest version, in raise order
        self._live: dict[Key, str] = {}  # key -> id of its live alert
        self._last_true_at: dict[str, float] = {}  # id -> last time its condition held

    def update(self, findings: Sequence[Finding], tracks: Mapping[int, Track], now: float) -> list[Alert]:
        """Apply this call's findings; return alerts raised, updated or resolved, in that order."""
        changed: list[Alert] = []
        order = sorted(range(len(findings)), key=lambda i: (-SEVERITY_RANK[findings[i].severity], i))
        for finding in (findings[i] for i in order):
            alert_id = self._live.get(finding.key)
            if alert_id is None:
                if not self._covered(finding):
                    changed.append(self._raise(finding, tracks[finding.track_id], now))
                continue
            self._last_true_at[alert_id] = now
            alert = self._alerts[alert_id]
            if alert.track_ids != finding.members:
                alert = self._put(structs.replace(alert, track_ids=finding.members, updated_at=now))
                changed.append(alert)
        for key, alert_id in list(self._live.items()):
            if now - self._last_true_at[alert_id] >= self.clear_s:
                changed.append(self._resolve(key, now))
        return changed

    def _covered(self, finding: Finding) -> bool:
        """A live alert of the same rule, naming one of these tracks, at least as severe."""
        rank = SEVERITY_RANK[finding.severity]
        members = set(finding.members)
        for alert_id in self._live.values():
            alert = self._alerts[alert_id]
            if (alert.rule == finding.rule and SEVERITY_RANK[alert.severity] >= rank
                    and members.intersection(alert.track_ids)):
                return True
        return False

    def ack(self, alert_id: str, by: str, now: float) -> Alert | None:
        """Operator acknowledgement. None for an unknown id; a resolved alert is returned as is."""
        alert = self._alerts.get(alert_id)
        if alert is None or alert.state != "open":
            return alert
        return self._put(structs.replace(alert, state="acknowledged", acked_by=by, updated_at=now))

    def resolve_tracks(self, track_ids: Collection[int], now: float) -> list[Alert]:
        """Resolve now the live per-track alerts of these tracks."""
        gone = set(track_ids)
        keys = [key for key in self._live if key[2] is not None and key[2] in gone]
        return [self._resolve(key, now) for key in keys]

    def alerts(self) -> list[Alert]:
        """All alerts, latest version of each, in raise order (newest last)."""
        return list(self._alerts.values())

    def _raise(self, finding: Finding, track: Track, now: float) -> Alert:
        alert = Alert(
            alert_id=f"{self.id_prefix}A{len(self._alerts) + 1:05d}",
            rule=finding.rule,
            zone=finding.zone,
            severity=finding.severity,
            track_id=finding.track_id,
            track_ids=finding.members,
            raised_at=now,
            updated_at=now,
            position=Position(lat=track.lat, lon=track.lon, alt_m=track.alt_m),
            cls=track.cls,
            why=finding.why,
            identity=track.identity.value if track.identity is not None else None,
            time_to_entry_s=finding.time_to_entry_s,
        )
        self._live[finding.key] = alert.alert_id
        self._last_true_at[alert.alert_id] = now
        return self._put(alert)

    def _resolve(self, key: Key, now: float) -> Alert:
        alert_id = self._live.pop(key)
        self._last_true_at.pop(alert_id, None)
        return self._put(structs.replace(self._alerts[alert_id], state="resolved", updated_at=now))

    def _put(self, alert: Alert) -> Alert:
        self._alerts[alert.alert_id] = alert
        return alert
