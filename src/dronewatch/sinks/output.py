"""``Output``: one external output run off the pipeline's thread.

``offer(update)`` is what the pipeline side calls; it never blocks: updates wait in a bounded
queue and, when it is full, the oldest waiting update is dropped and counted (``dropped``, and
``dropped_alerts`` for the alerts it carried). A worker thread hands each update to
``handle`` and calls ``tick`` about every ``tick_s`` for periodic work (status, retries).
``drain`` waits until nothing is queued and ``pending()`` (e.g. undelivered webhooks) is 0.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from typing import Any

from dronewatch.model import Update

log = logging.getLogger(__name__)


class Output(ABC):
    """A sink with its own thread and bounded queue. Subclasses implement ``handle``."""

    kind = "output"

    def __init__(self, name: str, queue_size: int = 1000, tick_s: float = 0.2) -> None:
        self.name = name
        self.tick_s = tick_s
        self._q: queue.Queue[Update | None] = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._drop_lock = threading.Lock()
        self._busy = threading.Event()
        self.offered = 0
        self.dropped = 0
        self.dropped_alerts = 0
        self.sent = 0  # messages handed to the far end (per output: events, publishes, POSTs)
        self.errors = 0
        self.last_error: str | None = None

    # --- pipeline side ----------------------------------------------------------------------

    def offer(self, update: Update) -> None:
        """Queue one update; never blocks (drops the oldest waiting update when full)."""
        self.offered += 1
        while True:
            try:
                self._q.put_nowait(update)
                return
            except queue.Full:
                with self._drop_lock:
                    try:
                        old = self._q.get_nowait()
                    except queue.Empty:
                        continue
                    self._q.task_done()
                    if old is not None:
                        self.dropped += 1
                        self.dropped_alerts += len(old.alerts)
                        if old.alerts:
                            log.warning("output %s: queue full, dropped %d alert(s)", self.name, len(old.alerts))

    # --- worker -----------------------------------------------------------------------------

    def start(self) -> Output:
        self.open()
        self._thread = threading.Thread(target=self._run, name=f"output-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        next_tick = time.monotonic()
        while True:
            try:
                item = self._q.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                item = None
                got = False
            else:
                got = True
            try:
                if got and item is None:
                    return
                if item is not None:
                    self._busy.set()
                    self.handle(item)
                if time.monotonic() >= next_tick:
                    self.tick()
                    next_tick = time.monotonic() + self.tick_s
            except Exception as err:  # one bad message or a far end's error must not stop the output
                self.errors += 1
                self.last_error = f"{type(err).__name__}: {err}"
                log.warning("output %s: %s", self.name, self.last_error)
            finally:
                self._busy.clear()
                if got:
                    self._q.task_done()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued update is handled and nothing is pending; True if drained."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is None or time.monotonic() < deadline:
            if self._q.unfinished_tasks == 0 and not self._busy.is_set() and self.pending() == 0:
                return True
            time.sleep(0.02)
        return False

    def close(self, drain_timeout: float | None = 10.0) -> None:
        """Drain (up to ``drain_timeout``), stop the worker and say goodbye to the far end."""
        if self._thread is not None:
            self.drain(drain_timeout)
            self._q.put(None)
            self._thread.join(timeout=5.0)
            self._thread = None
        self.shutdown()

    # --- for subclasses ---------------------------------------------------------------------

    def open(self) -> None:  # noqa: B027  (optional hook)
        """Connect / prepare (called before the worker starts)."""

    @abstractmethod
    def handle(self, update: Update) -> None:
        """Send what this output sends for one update (on the worker thread)."""

    def tick(self) -> None:  # noqa: B027  (optional hook)
        """Periodic work on the worker thread (status messages, retries)."""

    def pending(self) -> int:
        """Messages accepted but not yet delivered (retries included)."""
        return 0

    def shutdown(self) -> None:  # noqa: B027  (optional hook)
        """Leave the far end cleanly (goodbye, last status)."""

    def stats(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "queued": self._q.qsize(), "offered": self.offered,
                "dropped": self.dropped, "dropped_alerts": self.dropped_alerts, "sent": self.sent,
                "pending": self.pending(), "errors": self.errors, "last_error": self.last_error}
