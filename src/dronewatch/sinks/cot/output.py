"""``CotOutput``: the live picture to TAK. One event per live (non-tentative, non-bird) track at
most ``rate_hz`` per track, pilot and home as linked ground events, an alarm event per alert
change. A change of type (a rule alerted: hostile) goes out at once, ahead of the alert event;
a removed track is sent once more with ``stale`` = now so TAK clients drop it; after a
reconnect every live track is sent again.
"""

from __future__ import annotations

import time

import msgspec

from dronewatch.config import CotOutput as CotSpec
from dronewatch.config import Site
from dronewatch.model import Track, Update
from dronewatch.sinks.cot.events import alert_event, linked_events, track_event, track_type
from dronewatch.sinks.cot.transport import CotTransport
from dronewatch.sinks.messages import ENDED
from dronewatch.sinks.output import Output


class CotOutput(Output):
    kind = "cot"

    def __init__(self, spec: CotSpec, site: Site) -> None:
        super().__init__(spec.name or f"cot {spec.url}", spec.queue)
        self.spec = spec
        self.site = site.name
        self.origin_alt_m = site.origin.alt_m
        self.transport = CotTransport(spec.url, cert=spec.cert, key=spec.key, ca=spec.ca,
                                      password_env=spec.password_env, interface=spec.interface)
        self._min_gap_s = 1.0 / spec.rate_hz
        self._last_sent_at: dict[int, float] = {}
        self._last_type: dict[int, str] = {}
        self._last_track: dict[int, Track] = {}
        self._hostile: set[int] = set()
        self._connects = 0
        self._unsent: list[tuple[float, bytes]] = []  # alert events not yet sent (stream down)
        self.keep_unsent_s = 120.0

    def _affiliation(self, track: Track) -> str:
        if track.track_id in self._hostile:
            return "h"
        if track.allowed:  # assess/ decides (serial, ICAO, or the same airframe on another link)
            return "f"
        return "u"

    def _track_events(self, track: Track, typ: str, aff: str, reason: str | None = None) -> list[bytes]:
        out = [track_event(track, typ, self.site, self.origin_alt_m, self.spec.stale_s, reason)]
        out += linked_events(track, typ, self.site, self.origin_alt_m, self.spec.stale_s, aff)
        return out

    def handle_alerts(self, update: Update) -> None:
        """The tracks an alert turns hostile (or back) at once, then the alert events."""
        now = update.at
        named: dict[int, str] = {}
        for alert in update.alerts:
            ids = set(alert.track_ids) | {alert.track_id}
            if alert.state == "false_alarm":
                self._hostile -= ids
            elif alert.state not in ENDED:
                self._hostile |= ids
            for tid in ids:
                named[tid] = f"alert {alert.alert_id} {alert.rule}: {alert.why}"
        head: list[bytes] = []
        for track in update.tracks:
            tid = track.track_id
            if tid not in named or track.status == "tentative":
                continue
            aff = self._affiliation(track)
            typ = track_type(track, aff)
            if typ is None or self._last_type.get(tid) == typ:
                continue
            self._last_sent_at[tid] = now
            self._last_type[tid] = typ
            self._last_track[tid] = track
            head += self._track_events(track, typ, aff, named[tid] if tid in self._hostile else None)
        stale_s = max(self.spec.stale_s, 300.0)
        self._unsent += [(time.monotonic(), alert_event(alert, self.site, self.origin_alt_m, now, stale_s))
                         for alert in update.alerts]
        self._flush(head, [])

    def handle_tracks(self, update: Update) -> None:
        """Every live track due under the rate limit (all of them after a reconnect), in chunks."""
        now = update.at
        events: list[bytes] = []
        reconnected = self.transport.connects != self._connects  # a new stream: send everything
        for track in update.tracks:
            if track.status == "tentative":
                continue
            aff = self._affiliation(track)
            typ = track_type(track, aff)
            if typ is None:
                continue
            tid = track.track_id
            self._last_track[tid] = track
            if not (reconnected or self._last_type.get(tid) != typ
                    or now - self._last_sent_at.get(tid, float("-inf")) >= self._min_gap_s):
                continue
            self._last_sent_at[tid] = now
            self._last_type[tid] = typ
            events += self._track_events(track, typ, aff)
            if len(events) >= self.chunk:
                self._flush([], events)
                events = []
                self.urgent()
        for tid in update.removed:
            last = self._last_track.pop(tid, None)
            typ = self._last_type.pop(tid, None)
            self._last_sent_at.pop(tid, None)
            if last is not None and typ is not None:
                gone = msgspec.structs.replace(last, at=now)
                events.append(track_event(gone, typ, self.site, self.origin_alt_m, 0.0, "track ended"))
        self._flush([], events)
        self._connects = self.transport.connects

    def _flush(self, head: list[bytes], tail: list[bytes]) -> None:
        """Send ``head`` (type changes an alert made), the alert events owed (oldest first),
        ``tail`` (tracks)."""
        cutoff = time.monotonic() - self.keep_unsent_s
        self._unsent = [(t, ev) for t, ev in self._unsent if t >= cutoff]
        batch = head + [ev for _, ev in self._unsent] + tail
        if not batch:
            return
        if self.transport.send(batch):
            self.sent += len(batch)
            self._unsent = []
        else:
            self.errors += 1
            self.last_error = self.transport.last_error or f"not connected to {self.spec.url}"
            self._last_sent_at.clear()  # every live track goes again once the stream is back

    def tick(self) -> None:
        if self._unsent:
            self._flush([], [])

    def pending(self) -> int:
        return len(self._unsent)

    def shutdown(self) -> None:
        self.transport.close()
