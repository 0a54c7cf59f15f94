"""``Output``: one external output run off the pipeline's thread, alerts ahead of tracks.

``offer(update)`` is what the pipeline side calls; it never blocks. An update waits in two
places: its alerts in a bounded queue of their own (when full, the oldest waiting is dropped
and counted: ``dropped``, ``dropped_alerts``), its tracks as the one *picture* waiting. A newer
picture replaces a waiting one (``superseded``, with the removed track ids carried over): a
track's newer position makes the older one worthless, so an output that falls behind skips
pictures instead of queueing them. A worker thread hands waiting alerts to ``handle_alerts``
first, then the picture to ``handle_tracks``; a long ``handle_tracks`` calls ``urgent()``
between chunks, so an alert never waits behind a whole picture. ``tick`` runs about every
``tick_s`` (status, retries), or sooner after ``wake()``. ``drain`` waits until nothing is
waiting and ``pending()`` (e.g. undelivered webhooks) is 0.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

import msgspec

from dronewatch.model import Update

log = logging.getLogger(__name__)


class Output:
    """A sink with its own thread. Subclasses implement ``handle_alerts`` and, if they send
    tracks (``wants_tracks``), ``handle_tracks``."""

    kind = "output"
    wants_tracks = True  # False: only the alerts are kept for this output
    chunk = 200  # tracks sent between two looks at the alert queue

    def __init__(self, name: str, queue_size: int = 1000, tick_s: float = 0.2) -> None:
        self.name = name
        self.tick_s = tick_s
        self.queue_size = queue_size
        self._out_cv = threading.Condition()
        self._wait_alerts: deque[Update] = deque()  # updates with alerts (their tracks kept for context)
        self._wait_picture: Update | None = None  # the newest tracks not yet handled (alerts=[])
        self._out_busy = False
        self._out_stopping = False
        self._out_tick_now = False
        self._thread: threading.Thread | None = None
        self.offered = 0
        self.dropped = 0
        self.dropped_alerts = 0
        self.superseded = 0  # pictures replaced by a newer one before they were sent
        self.sent = 0  # messages handed to the far end (per output: events, publishes, POSTs)
        self.errors = 0
        self.last_error: str | None = None

    # --- pipeline side ----------------------------------------------------------------------

    def offer(self, update: Update) -> None:
        """Queue one update; never blocks (drops the oldest waiting alerts when full)."""
        with self._out_cv:
            self.offered += 1
            if update.alerts:
                if len(self._wait_alerts) >= self.queue_size:
                    old = self._wait_alerts.popleft()
                    self.dropped += 1
                    self.dropped_alerts += len(old.alerts)
                    log.warning("output %s: queue full, dropped %d alert(s)", self.name, len(old.alerts))
                self._wait_alerts.append(update)
            if self.wants_tracks:
                old_picture = self._wait_picture
                removed = update.removed
                if old_picture is not None:
                    self.superseded += 1
                    if old_picture.removed:
                        removed = old_picture.removed + removed
                if update.alerts or removed is not update.removed:
                    update = msgspec.structs.replace(update, alerts=[], removed=removed)
                self._wait_picture = update
            self._out_cv.notify()

    # --- worker -----------------------------------------------------------------------------

    def start(self) -> Output:
        self.open()
        self._thread = threading.Thread(target=self._run, name=f"output-{self.name}", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Run ``tick`` now (e.g. a retry fell due, a connection came back)."""
        with self._out_cv:
            self._out_tick_now = True
            self._out_cv.notify()

    def _take_waiting_alerts(self) -> list[Update]:
        with self._out_cv:
            alerts = list(self._wait_alerts)
            self._wait_alerts.clear()
            return alerts

    def urgent(self) -> None:
        """Handle the alerts that came in meanwhile (called between chunks of tracks)."""
        if self._wait_alerts:  # (a racy look; the next call sees what this one missed)
            for update in self._take_waiting_alerts():
                self._guarded(self.handle_alerts, update)

    def _guarded(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as err:  # one bad message or a far end's error must not stop the output
            self.errors += 1
            self.last_error = f"{type(err).__name__}: {err}"
            log.warning("output %s: %s", self.name, self.last_error)

    def _run(self) -> None:
        next_tick = time.monotonic()
        while True:
            with self._out_cv:
                while not (self._wait_alerts or self._wait_picture is not None or self._out_stopping
                           or self._out_tick_now):
                    wait = next_tick - time.monotonic()
                    if wait <= 0:
                        break
                    self._out_cv.wait(wait)
                if self._out_stopping and not self._wait_alerts and self._wait_picture is None:
                    return
                alerts = list(self._wait_alerts)
                self._wait_alerts.clear()
                picture, self._wait_picture = self._wait_picture, None
                tick_now, self._out_tick_now = self._out_tick_now, False
                self._out_busy = True
            try:
                for update in alerts:
                    self._guarded(self.handle_alerts, update)
                if picture is not None:
                    self._guarded(self.handle_tracks, picture)
                    self.urgent()
                if tick_now or time.monotonic() >= next_tick:
                    self._guarded(self.tick)
                    next_tick = time.monotonic() + self.tick_s
            finally:
                with self._out_cv:
                    self._out_busy = False
                    self._out_cv.notify_all()

    def idle(self) -> bool:
        """Nothing waiting, nothing being handled."""
        with self._out_cv:
            return not (self._wait_alerts or self._wait_picture is not None or self._out_busy)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every waiting update is handled and nothing is pending; True if drained."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is None or time.monotonic() < deadline:
            if self.idle() and self.pending() == 0:
                return True
            time.sleep(0.02)
        return False

    def close(self, drain_timeout: float | None = 10.0) -> None:
        """Drain (up to ``drain_timeout``), stop the worker and say goodbye to the far end."""
        if self._thread is not None:
            self.drain(drain_timeout)
            with self._out_cv:
                self._out_stopping = True
                self._out_cv.notify()
            self._thread.join(timeout=5.0)
            self._thread = None
        self.shutdown()

    # --- for subclasses ---------------------------------------------------------------------

    def open(self) -> None:
        """Connect / prepare (called before the worker starts)."""

    def handle_alerts(self, update: Update) -> None:
        """Send what this output sends for the alerts of one update, at once (worker thread).
        ``update.tracks`` is the picture they came with (e.g. the tracks they name)."""

    def handle_tracks(self, update: Update) -> None:
        """Send one picture: ``update.tracks`` and ``update.removed`` (``alerts`` is empty).
        Call ``urgent()`` between chunks of ``chunk`` tracks."""

    def handle(self, update: Update) -> None:
        """Both at once (alerts first), as the worker does for one update."""
        self.handle_alerts(update)
        if self.wants_tracks:
            self.handle_tracks(msgspec.structs.replace(update, alerts=[]))

    def tick(self) -> None:
        """Periodic work on the worker thread (status messages, retries)."""

    def pending(self) -> int:
        """Messages accepted but not yet delivered (retries included)."""
        return 0

    def shutdown(self) -> None:
        """Leave the far end cleanly (goodbye, last status)."""

    def stats(self) -> dict[str, Any]:
        with self._out_cv:
            queued = len(self._wait_alerts) + (self._wait_picture is not None)
        return {"name": self.name, "kind": self.kind, "queued": queued, "offered": self.offered,
                "dropped": self.dropped, "dropped_alerts": self.dropped_alerts, "superseded": self.superseded,
                "sent": self.sent, "pending": self.pending(), "errors": self.errors, "last_error": self.last_error}
