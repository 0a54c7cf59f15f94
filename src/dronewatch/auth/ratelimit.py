"""``LoginLimiter``: failed logins counted per client address and per user name in a sliding
window; past the limit, logins are refused (HTTP 429) until the window has moved on."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginLimiter:
    """At most ``per_name`` failures per user name and ``per_client`` per client address
    within ``window_s``. Memory is bounded: at most ``max_keys`` keys are tracked."""

    def __init__(self, per_name: int = 5, per_client: int = 20, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.per_name, self.per_client, self.window_s = per_name, per_client, window_s
        self.clock, self.max_keys = clock, max_keys
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.get(key)
        if q is None:
            return deque()
        while q and q[0] <= now - self.window_s:
            q.popleft()
        if not q:
            del self._fails[key]
        return q

    def retry_after(self, client: str, name: str) -> float:
        """Seconds until a login for (client, name) may be tried; 0 if it may now."""
        now = self.clock()
        with self._lock:
            waits = [0.0]
            for key, limit in ((f"c:{client}", self.per_client), (f"n:{name}", self.per_name)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    waits.append(q[0] + self.window_s - now)
            return max(waits)

    def failed(self, client: str, name: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._fails) >= self.max_keys:  # forget the stalest keys first
                for key in sorted(self._fails, key=lambda k: self._fails[k][-1])[: self.max_keys // 10]:
                    del self._fails[key]
            for key in (f"c:{client}", f"n:{name}"):
                self._fails.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._fails.pop(f"n:{name}", None)
