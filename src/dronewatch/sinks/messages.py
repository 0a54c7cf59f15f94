"""JSON bodies the outputs share (MQTT, webhooks): one track, one alert, and which change an
alert version is (``alert.raised`` / ``alert.updated`` / ``alert.resolved``).

Times are the picture's (``Update.at``, alert times): scenario time in ``run --fast``, wall
clock live. Heights: ``alt_m`` above the site origin's ground, ``hae_m`` above the ellipsoid.
"""

from __future__ import annotations

from typing import Any, Literal

from dronewatch.model import Alert, Track
from dronewatch.sinks.jsonl import alert_row, iso

AlertEvent = Literal["alert.raised", "alert.updated", "alert.resolved"]
ENDED = ("resolved", "false_alarm")  # alert states after which nothing more happens


def alert_json(alert: Alert) -> dict[str, Any]:
    """The alert as its run-file row plus its lifecycle fields."""
    return alert_row(alert) | {"acked_by": alert.acked_by, "time_to_entry_s": alert.time_to_entry_s}


def track_json(track: Track, origin_alt_m: float) -> dict[str, Any]:
    ve, vn, vu = track.vel_enu_mps
    return {
        "track_id": track.track_id,
        "time": iso(track.at),
        "status": track.status,
        "lat": track.lat,
        "lon": track.lon,
        "alt_m": track.alt_m,
        "hae_m": origin_alt_m + track.alt_m,
        "vel_enu_mps": [ve, vn, vu],
        "pos_sigma_m": track.pos_sigma_m,
        "class": track.cls,
        "class_confidence": track.cls_confidence,
        "identity": track.identity.value if track.identity else None,
        "identity_scheme": track.identity.scheme if track.identity else None,
        "sensors": list(track.sensors),
        "operator": {"lat": track.operator.lat, "lon": track.operator.lon} if track.operator else None,
        "home": {"lat": track.home.lat, "lon": track.home.lon} if track.home else None,
    }


class AlertChanges:
    """Tells, per alert id, whether a version is its raise, an update or its end."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def classify(self, alert: Alert) -> list[AlertEvent]:
        """Events for this version (its ``change`` says "raised" for the first); a first sight of
        an already-ended alert gives both."""
        first = alert.change == "raised" or (alert.alert_id not in self._seen and not alert.change)
        self._seen.add(alert.alert_id)
        if alert.state in ENDED:
            return ["alert.raised", "alert.resolved"] if first else ["alert.resolved"]
        return ["alert.raised"] if first else ["alert.updated"]
