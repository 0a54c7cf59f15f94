"""The assessment stage: classify tracks, run the rules, keep the alerts' lifecycle.

Which tracks rules apply to: status "confirmed" or "coasting", classified "drone" (bird and
aircraft never alert; unknown tracks only meet ``unidentified_object``, a notice), identity
not on the site's allow list (``serial`` or ``icao``
equal to the identity value, case-insensitive, or a ``serial`` naming the same airframe:
``Identity.aircraft_key``, so an allowed Remote ID serial also covers the drone's DJI DroneID), and seen for at least
``thresholds.min_track_age_s`` (``now - first_seen_at``; the Track has no confirmation instant).
Every track is classified, whatever its status. Output is deterministic: tracks in track_id
order, rules in ``rules.ORDER``, zones in site order. Where zones nest, a rule alerts a
track once for the most severe zone it meets (``alerts.AlertBook``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from msgspec import structs

from dronewatch.assess.alerts import AlertBook
from dronewatch.assess.classify import Classifier
from dronewatch.assess.finding import Finding
from dronewatch.assess.lifecycle import Action
from dronewatch.assess.rules import ORDER, RULES, RemoteIdCoverage, Rule, RuleContext
from dronewatch.assess.zones import ZoneQueries, build_zones
from dronewatch.config import Site
from dronewatch.geo import SiteFrame
from dronewatch.model import Alert, Identity, Track

ASSESSED_STATUSES = ("confirmed", "coasting")


class Assessor:
    """Tracks -> classified tracks and alert changes, one call per pipeline step."""

    def __init__(self, site: Site, frame: SiteFrame, *, alert_id_prefix: str = "") -> None:
        self.site = site
        self._classifier = Classifier()
        self._rules: list[Rule] = [RULES[name]() for name in ORDER]
        self._book = AlertBook(site.thresholds.clear_s, alert_id_prefix, site.thresholds.escalate_after_s)
        self._ctx = RuleContext(
            thresholds=site.thresholds,
            zones=build_zones(site.zones, frame),
            remote_id_coverage=_remote_id_coverage(site, frame),
            live_tracks=self._book.live_tracks,
        )
        self._allowed = {
            value.casefold() for entry in site.allow for value in (entry.serial, entry.icao) if value
        }
        self._allowed_airframes = {
            Identity(scheme="serial", value=entry.serial).aircraft_key for entry in site.allow if entry.serial
        }
        self._last_now: float | None = None

    def assess(self, tracks: Sequence[Track], now: float) -> tuple[list[Track], list[Alert]]:
        """Classify ``tracks`` and apply the rules at ``now``.

        Returns the tracks (input order) with ``cls``/``cls_confidence`` filled, and the alerts
        raised, updated (swarm members) or resolved in this call.
        """
        self._last_now = now
        ordered = sorted(tracks, key=lambda t: t.track_id)
        verdicts = self._classifier.classify_all(ordered, now)
        classified: dict[int, Track] = {}
        for track in ordered:
            v = verdicts[track.track_id]
            classified[track.track_id] = structs.replace(
                track, cls=v.cls, cls_confidence=round(v.confidence, 3), cls_reason=v.reason,
                allowed=self._is_allowed(track))
        eligible = [t for t in classified.values() if self._rules_apply(t, now)]
        findings: list[Finding] = []
        ctx = replace(self._ctx, queries=ZoneQueries(self._ctx.zones, eligible))  # zones tested once a step
        for rule in self._rules:
            findings.extend(rule.evaluate([t for t in eligible if t.cls in rule.classes], ctx, now))
        changed = self._book.update(findings, classified, now)
        return [classified[t.track_id] for t in tracks], changed

    def ack(self, alert_id: str, by: str, now: float) -> Alert | None:
        """Operator acknowledges an open alert: state "acknowledged". None if the id is unknown."""
        return self._book.ack(alert_id, by, now)

    def act(self, alert_id: str, action: Action, by: str, note: str | None, now: float) -> Alert | None:
        """An operator's action on an alert (``lifecycle``): the alert as it now stands, None
        for an unknown id; ``LifecycleError`` when its state does not allow the action."""
        return self._book.act(alert_id, action, by, note, now)

    def alerts(self) -> list[Alert]:
        """All alerts so far (latest state of each), newest last."""
        return self._book.alerts()

    def forget(self, track_ids: Iterable[int], now: float | None = None) -> list[Alert]:
        """Tracks the tracker deleted: resolve their alerts at once and drop their state.

        Returns the alerts it resolved (publish them with the step's ``changed``; ``assess`` does
        not report them again). ``now`` defaults to the last ``assess`` time.
        """
        ids = set(track_ids)
        at = now if now is not None else (self._last_now if self._last_now is not None else 0.0)
        self._classifier.forget(ids)
        for rule in self._rules:
            rule.forget(ids)
        return self._book.resolve_tracks(ids, at)

    def _rules_apply(self, track: Track, now: float) -> bool:
        return (
            track.status in ASSESSED_STATUSES
            and track.cls in ("drone", "unknown")
            and not track.allowed
            and now - track.first_seen_at >= self.site.thresholds.min_track_age_s
        )

    def _is_allowed(self, track: Track) -> bool:
        ident = track.identity
        return ident is not None and (ident.value.casefold() in self._allowed
                                      or ident.aircraft_key in self._allowed_airframes)


def _remote_id_coverage(site: Site, frame: SiteFrame) -> list[RemoteIdCoverage]:
    coverage = []
    for sensor in site.sensors:
        if sensor.kind == "remoteid":
            e, n, _ = frame.ground_to_enu(sensor.lat, sensor.lon, sensor.alt_m)
            coverage.append(RemoteIdCoverage(e_m=float(e), n_m=float(n), range_m=sensor.range_m))
    return coverage
