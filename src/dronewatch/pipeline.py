"""Wires the stages for one site: frames -> reports -> tracks -> classes and alerts -> sinks.

``Pipeline.step(frames, now)`` is the whole main job for one tick; the caller owns the clock
(the simulator's in fast runs, the wall clock live), so fast runs and live runs agree.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

import dronewatch.sources.adsb  # registers the beast / sbs / aircraft-json frame decoders
import dronewatch.sources.asterix  # registers the asterix frame decoder
import dronewatch.sources.ocusync.link  # registers the dji-ocusync frame decoder
import dronewatch.sources.remoteid  # registers the odid-* frame decoders
import dronewatch.sources.sapient  # noqa: F401  (registers the sapient frame decoder)
from dronewatch.assess import Assessor
from dronewatch.assess.lifecycle import Action, LifecycleError
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
        self.decoder = FrameDecoder(site)
        self.tracker = Tracker(self.frame, site.sensors, tracker_config)
        self.assessor = Assessor(site, self.frame, alert_id_prefix=alert_id_prefix)
        self.store = store
        self.bus = bus
        self.subject = subject("update", site.name)
        self.snapshot_every_s = snapshot_every_s
        self._last_snapshot_at = float("-inf")
        self._site_kept = False
        self._tracks: list[Track] = []
        self.frames_in = 0
        self.reports_in = 0
        self.last_step = (0.0, 0.0)  # wall-clock start and end of the latest step (latency figures)

    def step(self, frames: Sequence[Frame], now: float) -> Update:
        """Run every stage once for the frames received up to ``now``."""
        started = time.time()
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
            if not self._site_kept:  # the zones this run judged by, for evidence exports
                self.store.save_site(self.site.name, msgspec.json.encode(self.site).decode(), now)
                self._site_kept = True
            snapshot = now - self._last_snapshot_at >= self.snapshot_every_s
            self.store.record(frames, changed, tracks if snapshot else None, now)
            if snapshot:
                self._last_snapshot_at = now
        self._tracks = list(tracks)
        update = Update(at=now, tracks=self._tracks, alerts=changed, removed=list(removed))
        self.last_step = (started, time.time())
        if self.bus is not None:
            self.bus.publish(self.subject, update)
        return update

    def stats(self) -> dict[str, Any]:
        """Ingest figures: frames in, reports decoded, frames rejected by reason."""
        return {"frames": self.frames_in, "reports": self.reports_in,
                "rejected": dict(self.decoder.rejected)}

    def act(self, alert_id: str, action: Action, by: str, note: str | None, now: float) -> Alert | None:
        """An operator's action on an alert (ack, escalate, resolve, false_alarm): assessment,
        store (audited) and bus all learn. An alert this pipeline did not raise (an earlier
        run's, in a shared store) is changed in the store. None for an unknown id;
        ``LifecycleError`` when the alert's state does not allow the action."""
        alert = self.assessor.act(alert_id, action, by, note, now)
        if alert is None:
            if self.store is None:
                return None
            alert = self.store.act(alert_id, action, by, note, now)
            if alert is None:
                return None
        elif self.store is not None:
            self.store.save_alerts([alert])
        if self.bus is not None:
            self.bus.publish(self.subject, Update(at=now, tracks=self._tracks, alerts=[alert]))
        return alert

    def ack(self, alert_id: str, by: str, now: float) -> Alert | None:
        """Acknowledge (``act(..., "ack")``); an alert that cannot be acknowledged comes back as is."""
        try:
            return self.act(alert_id, "ack", by, None, now)
        except LifecycleError:
            return self.assessor.ack(alert_id, by, now)
