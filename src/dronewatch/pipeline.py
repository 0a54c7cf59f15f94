"""Wires the stages for one site: frames -> reports -> tracks -> classes and alerts -> sinks.

``Pipeline.step(frames, now)`` is the whole main job for one tick; the caller owns the clock
(the simulator's in fast runs, the wall clock live), so fast runs and live runs agree.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import dronewatch.sources.remoteid  # noqa: F401  (registers the odid-* frame decoders)
from dronewatch.assess import Assessor
from dronewatch.bus import Bus, subject
from dronewatch.config import Site
from dronewatch.geo import SiteFrame
from dronewatch.model import Alert, Frame, Track, Update
from dronewatch.sources.frames import FrameDecoder
from dronewatch.tracking import Tracker, TrackerConfig

if TYPE_CHECKING:
    from dronewatch.store import Store

log = logging.getLogger(__name__)


class Pipeline:
    """One site's stages, stepped by the caller's clock."""

    def __init__(
        self,
        site: Site,
        frame: SiteFrame | None = None,
        *,
        store: Store | None = None,
        bus: Bus | None = None,
        tracker_config: TrackerConfig | None = None,
        snapshot_every_s: float = 1.0,
        alert_id_prefix: str = "",
    ) -> None:
        self.site = site
        self.frame = frame or SiteFrame(site.origin.lat, site.origin.lon, site.origin.alt_m)
        self.decoder = FrameDecoder()
        self.tracker = Tracker(self.frame, site.sensors, tracker_config)
        self.assessor = Assessor(site, self.frame, alert_id_prefix=alert_id_prefix)
        self.store = store
        self.bus = bus
        self.subject = subject("update", site.name)
        self.snapshot_every_s = snapshot_every_s
        self._last_snapshot_at = float("-inf")
        self._tracks: list[Track] = []
        self.frames_in = 0
        self.reports_in = 0

    def step(self, frames: Sequence[Frame], now: float) -> Update:
        """Run every stage once for the frames received up to ``now``."""
        reports = self.decoder.decode(frames)
        self.frames_in += len(frames)
        self.reports_in += len(reports)
        self.tracker.process(reports, now)
        removed = self.tracker.removed()
        changed: list[Alert] = []
        if removed:
            changed += self.assessor.forget(removed) or []
        tracks, raised = self.assessor.assess(self.tracker.tracks(now), now)
        changed += raised
        if self.store is not None:
            if frames:
                self.store.add_frames(frames)
            if changed:
                self.store.save_alerts(changed)
            if now - self._last_snapshot_at >= self.snapshot_every_s:
                self.store.add_tracks(tracks, now)
                self._last_snapshot_at = now
        self._tracks = list(tracks)
        update = Update(at=now, tracks=self._tracks, alerts=changed, removed=list(removed))
        if self.bus is not None:
            self.bus.publish(self.subject, update)
        return update

    def stats(self) -> dict[str, Any]:
        """Ingest figures: frames in, reports decoded, frames rejected by reason."""
        return {"frames": self.frames_in, "reports": self.reports_in,
                "rejected": dict(self.decoder.rejected)}

    def ack(self, alert_id: str, by: str, now: float) -> Alert | None:
        """An operator acknowledges an alert: assessment, store (audited) and bus all learn."""
        alert = self.assessor.ack(alert_id, by, now)
        if alert is None:
            return None
        if self.store is not None:
            self.store.ack_alert(alert_id, by, now)
        if self.bus is not None:
            self.bus.publish(self.subject, Update(at=now, tracks=self._tracks, alerts=[alert]))
        return alert
