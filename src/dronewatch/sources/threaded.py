"""Runs a blocking frame reader (monitor Wi-Fi, HCI Bluetooth, MAVLink) in a thread and hands
its Frames to an asyncio pipeline through ``drain()``. Moves bytes only."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator

from dronewatch.model import Frame

log = logging.getLogger(__name__)


class ThreadedReader:
    """A daemon thread pulling Frames from ``open_reader()``; bounded, drops oldest when full."""

    def __init__(self, name: str, open_reader: Callable[[], Iterator[Frame]], max_pending: int = 100_000) -> None:
        self.name = name
        self.error: str | None = None
        self.dropped = 0
        self._pending: deque[Frame] = deque()
        self._max = max_pending
        self._lock = threading.Lock()
        self._open = open_reader
        self._thread = threading.Thread(target=self._run, name=f"reader-{name}", daemon=True)

    def start(self) -> ThreadedReader:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for frame in self._open():
                with self._lock:
                    if len(self._pending) >= self._max:
                        self._pending.popleft()
                        self.dropped += 1
                    self._pending.append(frame)
        except Exception as err:  # a reader that cannot open (no device, no permission) says why
            self.error = f"{type(err).__name__}: {err}"
            log.error("reader %s stopped: %s", self.name, self.error)

    def drain(self) -> list[Frame]:
        with self._lock:
            frames = list(self._pending)
            self._pending.clear()
        return frames


def parse_input(spec: str, default_sensor: str) -> tuple[str, str]:
    """``DEVICE@SENSOR_ID`` -> (device, sensor id); the sensor id defaults to ``default_sensor``."""
    device, _, sensor = spec.partition("@")
    return device, sensor or default_sensor
