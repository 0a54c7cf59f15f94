"""Alerts as incidents: findings -> one alert per (rule, track), or per swarm, while it lasts.

* A finding with no live alert for its rule and track raises a new alert, id ``A00001``,
  ``A00002``, ... in raise order, with the track's position, class and identity then.
* Zones nest (Stands inside Perimeter inside Approach), so a rule may hold for a track in
  several zones at once: the alert carries the most severe zone it has met. A more severe zone
  later raises the alert's severity in place (change ``severity``) while nobody has
  acknowledged it; once it is acknowledged, the more severe zone raises a NEW alert (the
  operator must see it) and the old one is closed as ``superseded``.
* A swarm (group finding) is one alert that grows: a group finding joins the live swarm alert
  of the same rule that shares a member; members join as they arrive and leave when no finding
  has named them for ``clear_s`` (or their track is lost). Each change of members is a new
  version of the alert (change ``members``).
* When no finding has held for ``clear_s``, the alert is resolved by the system (change
  ``cleared``). If an operator closed it (resolved / false alarm) while it held, it stays
  closed and suppresses a new alert until then.
* Unacknowledged ``warning`` / ``critical`` alerts still open ``escalate_after_s`` after they
  were raised are escalated by the system (change ``escalated``).
* Operator actions (``act``) follow ``lifecycle``.

Every version returned carries ``change``, ``by`` and ``note``: the store audits each one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from msgspec import structs

from dronewatch.assess.finding import SEVERITY_RANK, Finding
from dronewatch.assess.lifecycle import TERMINAL, Action, LifecycleError, apply
from dronewatch.model import Alert, ObjectClass, Position, Track

SYSTEM = "system"
_ESCALATE_FROM = SEVERITY_RANK["warning"]


@dataclass
class _Live:
    """What the book keeps of a live alert besides the alert itself."""

    rule: str
    track_id: int | None  # None for a group (swarm) alert
    last_true_at: float
    seen: dict[int, float] = field(default_factory=dict)  # group: member -> last named at
    closed: bool = False  # an operator closed it while its condition still held


class AlertBook:
    """Every alert so far (latest version of each) and the live ones."""

    def __init__(self, clear_s: float, id_prefix: str = "", escalate_after_s: float | None = None) -> None:
        self.clear_s = clear_s
        self.id_prefix = id_prefix  # keeps ids unique across runs that share one store
        self.escalate_after_s = escalate_after_s
        self._alerts: dict[str, Alert] = {}  # id -> latest version, in raise order
        self._live: dict[str, _Live] = {}  # id -> live state
        self._by_track: dict[tuple[str, int], str] = {}  # (rule, track) -> live alert id
        self._superseded: list[Alert] = []  # closed by a fresh alert within this step

    # --- each assessment step ---------------------------------------------------------------

    def update(self, findings: Sequence[Finding], tracks: Mapping[int, Track], now: float) -> list[Alert]:
        """Apply this step's findings; return every alert version made, in the order made (an
        alert may change twice in one step, e.g. a more severe zone and a new member)."""
        changed: list[Alert] = []
        for stale in [a for a, live in self._live.items() if now - live.last_true_at >= self.clear_s]:
            changed += self._age(stale, tracks, now)  # gone before this step's findings came
        order = sorted(range(len(findings)), key=lambda i: (-SEVERITY_RANK[findings[i].severity], i))
        touched: set[str] = set()
        for finding in (findings[i] for i in order):
            alert_id: str | None
            alert: Alert | None
            if finding.per_zone:
                alert_id = self._group_alert(finding)
            else:
                alert_id = self._by_track.get((finding.rule, finding.track_id))
            if alert_id is None:
                alert = self._raise(finding, tracks, now)
            elif alert_id in touched:  # a less severe zone of the same incident: just holds
                self._hold(alert_id, finding, now)
                continue
            else:
                alert = self._met(alert_id, finding, tracks, now)
            if alert is not None:
                touched.add(alert.alert_id)
                changed += self._superseded
                changed.append(alert)
                self._superseded = []
        for alert_id in list(self._live):
            changed += self._age(alert_id, tracks, now)
        return changed

    def live_tracks(self, rule: str) -> frozenset[int]:
        """Tracks named by live alerts of ``rule`` (for rules' hysteresis and swarm growth)."""
        out: set[int] = set()
        for alert_id, live in self._live.items():
            if live.rule == rule:
                out.update(self._alerts[alert_id].track_ids)
        return frozenset(out)

    # --- operators --------------------------------------------------------------------------

    def act(self, alert_id: str, action: Action, by: str, note: str | None, now: float) -> Alert | None:
        """An operator's action (``lifecycle``). None for an unknown id; LifecycleError when
        the alert's state does not allow it."""
        alert = self._alerts.get(alert_id)
        if alert is None:
            return None
        done = apply(alert, action, by, note, now)
        if done is not alert:
            self._put(done)
            live = self._live.get(alert_id)
            if live is not None and done.state in TERMINAL:
                live.closed = True
        return done

    def ack(self, alert_id: str, by: str, now: float) -> Alert | None:
        """Acknowledge; an alert that cannot be acknowledged (resolved) is returned as it is."""
        try:
            return self.act(alert_id, "ack", by, None, now)
        except LifecycleError:
            return self._alerts[alert_id]

    def resolve_tracks(self, track_ids: Collection[int], now: float) -> list[Alert]:
        """The tracker lost these tracks: their alerts resolve at once, swarms lose them."""
        gone = set(track_ids)
        changed: dict[str, Alert] = {}
        for alert_id, live in list(self._live.items()):
            if live.track_id is not None:
                if live.track_id in gone:
                    alert = self._end(alert_id, now, "track_lost", "track lost")
                    if alert is not None:
                        changed[alert_id] = alert
                continue
            if not gone.intersection(live.seen):
                continue
            for track_id in gone:
                live.seen.pop(track_id, None)
            if not live.seen:
                alert = self._end(alert_id, now, "track_lost", "every member's track lost")
            else:
                alert = self._members(alert_id, {}, now)
            if alert is not None:
                changed[alert_id] = alert
        return list(changed.values())

    def alerts(self) -> list[Alert]:
        """All alerts, latest version of each, in raise order (newest last)."""
        return list(self._alerts.values())

    # --- the steps --------------------------------------------------------------------------

    def _group_alert(self, finding: Finding) -> str | None:
        members = set(finding.members)
        for alert_id, live in self._live.items():
            if live.track_id is None and live.rule == finding.rule and members.intersection(live.seen):
                return alert_id
        return None

    def _hold(self, alert_id: str, finding: Finding, now: float) -> None:
        live = self._live[alert_id]
        live.last_true_at = now
        for track_id in finding.members if live.track_id is None else ():
            live.seen[track_id] = now

    def _met(self, alert_id: str, finding: Finding, tracks: Mapping[int, Track], now: float) -> Alert | None:
        """A live alert's finding holds again; returns its new version, if any."""
        live = self._live[alert_id]
        alert = self._alerts[alert_id]
        more_severe = SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]
        if more_severe and (live.closed or alert.acked_by is not None):
            # The operator has seen (or closed) the lesser one: this must reach them anew.
            fresh = self._raise(finding, tracks, now)
            if live.closed:
                self._drop(alert_id)
            else:
                old = self._end(alert_id, now, "superseded", f"superseded by {fresh.alert_id}")
                if old is not None:
                    self._superseded.append(old)
            return fresh
        self._hold(alert_id, finding, now)
        if live.closed:
            return None
        if more_severe:
            return self._put(structs.replace(
                alert, zone=finding.zone, severity=finding.severity, why=finding.why,
                time_to_entry_s=finding.time_to_entry_s, updated_at=now, change="severity", by=SYSTEM,
                note=f"now {finding.severity} ({finding.zone or 'no zone'})",
                position=_position(tracks, alert), cls=_cls(tracks, alert),
            ))
        if live.track_id is None:
            return self._members(alert_id, tracks, now)
        return None

    def _members(self, alert_id: str, tracks: Mapping[int, Track], now: float) -> Alert | None:
        """A group alert's current members (named within ``clear_s``); a new version if they changed."""
        live = self._live[alert_id]
        alert = self._alerts[alert_id]
        for track_id in [t for t, at in live.seen.items() if now - at >= self.clear_s]:
            del live.seen[track_id]
        members = tuple(sorted(live.seen))
        if not members or members == alert.track_ids or live.closed:
            return None
        joined = sorted(set(members) - set(alert.track_ids))
        left = sorted(set(alert.track_ids) - set(members))
        note = "; ".join(part for part in (
            f"joined {', '.join(map(str, joined))}" if joined else "",
            f"left {', '.join(map(str, left))}" if left else "") if part)
        moved = structs.replace(alert, track_id=members[0], track_ids=members)
        why = f"{alert.rule} of {len(members)} drones on {alert.zone or 'the site'} ({note})"
        return self._put(structs.replace(
            moved, updated_at=now, change="members", by=SYSTEM, note=note, why=why,
            position=_position(tracks, moved), cls=_cls(tracks, moved),
        ))

    def _age(self, alert_id: str, tracks: Mapping[int, Track], now: float) -> list[Alert]:
        """Clear a live alert whose condition stopped; escalate one left unacknowledged."""
        live = self._live[alert_id]
        if now - live.last_true_at >= self.clear_s:
            ended = self._end(alert_id, now, "cleared", f"condition gone for {self.clear_s:.0f} s")
            return [ended] if ended is not None else []
        out = []
        if live.track_id is None:
            members = self._members(alert_id, tracks, now)
            if members is not None:
                out.append(members)
        alert = self._alerts[alert_id]
        due = self.escalate_after_s
        if (due is not None and not live.closed and alert.state == "open"
                and SEVERITY_RANK[alert.severity] >= _ESCALATE_FROM and now - alert.raised_at >= due):
            out.append(self._put(structs.replace(
                alert, state="escalated", updated_at=now, change="escalated", by=SYSTEM,
                note=f"not acknowledged within {due:.0f} s",
            )))
        return out

    def _raise(self, finding: Finding, tracks: Mapping[int, Track], now: float) -> Alert:
        track = tracks[finding.track_id]
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
            change="raised",
            by=SYSTEM,
        )
        if finding.per_zone:
            self._live[alert.alert_id] = _Live(finding.rule, None, now, dict.fromkeys(finding.members, now))
        else:
            self._live[alert.alert_id] = _Live(finding.rule, finding.track_id, now)
            self._by_track[(finding.rule, finding.track_id)] = alert.alert_id
        return self._put(alert)

    def _end(self, alert_id: str, now: float, change: str, note: str) -> Alert | None:
        """Take a live alert out of the live set; resolve it unless an operator closed it."""
        closed = self._live[alert_id].closed
        self._drop(alert_id)
        if closed:
            return None
        return self._put(structs.replace(
            self._alerts[alert_id], state="resolved", updated_at=now, change=change, by=SYSTEM, note=note
        ))

    def _drop(self, alert_id: str) -> None:
        live = self._live.pop(alert_id)
        if live.track_id is not None and self._by_track.get((live.rule, live.track_id)) == alert_id:
            del self._by_track[(live.rule, live.track_id)]

    def _put(self, alert: Alert) -> Alert:
        self._alerts[alert.alert_id] = alert
        return alert


def _position(tracks: Mapping[int, Track], alert: Alert) -> Position:
    track = tracks.get(alert.track_id)
    return alert.position if track is None else Position(lat=track.lat, lon=track.lon, alt_m=track.alt_m)


def _cls(tracks: Mapping[int, Track], alert: Alert) -> ObjectClass:
    track = tracks.get(alert.track_id)
    return alert.cls if track is None else track.cls
