"""The live picture the API serves: the latest tracks and alerts, kept in memory.

The pipeline calls ``apply(update)`` (or ``apply_and_publish``) on the event loop; FastAPI's
threadpool reads with ``tracks()`` / ``alerts()``. A lock keeps the two apart. Operators'
actions on alerts (ack, escalate, resolve, false alarm) go through the handler the pipeline
sets (``set_action_handler``), which acts in assess and the store and publishes the change;
it is called on the event loop thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from dronewatch.assess.lifecycle import Action
from dronewatch.bus import Bus, subject
from dronewatch.config import Site
from dronewatch.model import Alert, Track, Update

# (alert_id, action, by, note) -> the alert as it now stands, None if unknown; raises
# assess.lifecycle.LifecycleError when the alert's state does not allow the action.
ActionHandler = Callable[[str, Action, str, str | None], Alert | None]


class LiveState:
    """In-memory latest picture for one site."""

    def __init__(self, site: Site, max_alerts: int = 1000) -> None:
        self.site = site
        self.max_alerts = max_alerts
        self._lock = threading.Lock()
        self._tracks: dict[int, Track] = {}
        self._alerts: dict[str, Alert] = {}
        self._at: float | None = None
        self._action_handler: ActionHandler | None = None
        self._stats: Callable[[], dict[str, Any]] | None = None
        self._outputs: Callable[[], list[dict[str, Any]]] | None = None

    def set_stats_source(self, fn: Callable[[], dict[str, Any]]) -> None:
        """Where ingest figures come from (the pipeline: frames, reports, rejects by reason)."""
        self._stats = fn

    def stats(self) -> dict[str, Any]:
        return self._stats() if self._stats is not None else {}

    def set_outputs_source(self, fn: Callable[[], list[dict[str, Any]]]) -> None:
        """Where the outputs' figures come from (sent, queued, dropped, pending per output)."""
        self._outputs = fn

    def outputs(self) -> list[dict[str, Any]]:
        return self._outputs() if self._outputs is not None else []

    @property
    def subject(self) -> str:
        """The bus subject Updates for this site are published on."""
        return subject("update", self.site.name)

    @property
    def at(self) -> float | None:
        """The time of the newest Update applied (None before the first)."""
        return self._at

    def apply(self, update: Update) -> None:
        """Take in one Update: tracks replace their previous state, removed ids go, alerts
        replace theirs by id (the oldest beyond ``max_alerts`` are forgotten)."""
        with self._lock:
            self._at = update.at if self._at is None else max(self._at, update.at)
            for track in update.tracks:
                self._tracks[track.track_id] = track
            for track_id in update.removed:
                self._tracks.pop(track_id, None)
            for alert in update.alerts:
                self._alerts[alert.alert_id] = alert
            if len(self._alerts) > self.max_alerts:
                keep = sorted(self._alerts.values(), key=lambda a: a.raised_at)[-self.max_alerts :]
                self._alerts = {a.alert_id: a for a in keep}

    def apply_and_publish(self, update: Update, bus: Bus) -> None:
        """Apply, then publish on the site's update subject (call on the bus's event loop)."""
        self.apply(update)
        bus.publish(self.subject, update)

    def tracks(self) -> list[Track]:
        """Live tracks by id."""
        with self._lock:
            return [self._tracks[k] for k in sorted(self._tracks)]

    def track(self, track_id: int) -> Track | None:
        with self._lock:
            return self._tracks.get(track_id)

    def alerts(self, state: str | None = None) -> list[Alert]:
        """Alerts seen this session, newest raised first."""
        with self._lock:
            out = [a for a in self._alerts.values() if state is None or a.state == state]
        out.sort(key=lambda a: (-a.raised_at, a.alert_id))
        return out

    def alert(self, alert_id: str) -> Alert | None:
        with self._lock:
            return self._alerts.get(alert_id)

    def set_action_handler(self, handler: ActionHandler | None) -> None:
        """``handler(alert_id, action, by, note) -> Alert | None`` acts everywhere and publishes."""
        self._action_handler = handler

    @property
    def action_handler(self) -> ActionHandler | None:
        return self._action_handler
