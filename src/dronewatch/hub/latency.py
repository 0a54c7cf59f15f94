"""Where an alert's sensor-to-hub latency goes, stage by stage, over the hub's recent alerts.

Each alert message carries the instants the edge stamped on it (its pipeline step's start and
end, when its publisher read the row from the store and sent it); the hub adds when it fetched
the message and when the transaction holding it committed. The origin is the alert change's own
instant (the sensor time of the step that raised it). All are wall clocks of different hosts, so
on a real deployment the cross-host stages are only as good as their clock sync (NTP/PTP).
"""

from __future__ import annotations

from collections import deque
from typing import Any

# stage name, from stamp, to stamp ("at": the alert change's instant)
STAGES = (
    ("edge_late", "at", "step_start"),    # the edge's step began this long after its instant
    ("edge_step", "step_start", "step_end"),  # the pipeline step itself (decode..assess, store write)
    ("to_publisher", "step_end", "read"),  # until the publisher read the row from the store
    ("publish", "read", "sent"),          # building and sending the message
    ("bus_to_hub", "sent", "fetched"),    # JetStream stores it, the hub's pull brings it
    ("hub_write", "fetched", "committed"),  # the hub's transaction, until it commits
)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


class StageLatency:
    """The last ``keep`` alerts' stage durations (seconds); summaries in milliseconds."""

    def __init__(self, keep: int = 20_000) -> None:
        self._rows: deque[tuple[float, ...]] = deque(maxlen=keep)

    def record(self, at: float, stamps: dict[str, float], fetched: float, committed: float) -> None:
        t = stamps | {"at": at, "fetched": fetched, "committed": committed}
        if not all(k in t for _, a, b in STAGES for k in (a, b)):
            return  # an edge that does not stamp (older version): only the total would be known
        self._rows.append((*tuple(t[b] - t[a] for _, a, b in STAGES), committed - at))

    def summary(self) -> dict[str, Any]:
        """p50/p99/max per stage and of the total, and each stage's mean in the slowest 1%."""
        if not self._rows:
            return {"alerts": 0}
        names = [s for s, _, _ in STAGES] + ["total"]
        cols = list(zip(*self._rows, strict=True))
        out: dict[str, Any] = {"alerts": len(self._rows)}
        for name, col in zip(names, cols, strict=True):
            vals = list(col)
            out[name] = {"p50": round(_pct(vals, 0.5) * 1000, 1), "p99": round(_pct(vals, 0.99) * 1000, 1),
                         "max": round(max(vals) * 1000, 1)}
        slow = sorted(self._rows, key=lambda r: r[-1])[-max(1, len(self._rows) // 100):]
        out["slowest_1pct_mean"] = {name: round(sum(r[i] for r in slow) / len(slow) * 1000, 1)
                                    for i, name in enumerate(names)}
        return out


class LoopLag:
    """How late the hub's event loop wakes a task that asked to sleep ``every_s``: time a ready
    message waits for the loop (other lanes' work, the API) or for a CPU (the host's load)."""

    def __init__(self, every_s: float = 0.1, keep: int = 3000) -> None:
        self.every_s = every_s
        self._lags: deque[float] = deque(maxlen=keep)

    async def run(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.every_s
            await asyncio.sleep(self.every_s)
            self._lags.append(loop.time() - due)

    def summary(self) -> dict[str, float]:
        """p50/p99/max in milliseconds over the last ``keep`` wakes (5 minutes at 0.1 s)."""
        if not self._lags:
            return {}
        vals = list(self._lags)
        return {"p50": round(_pct(vals, 0.5) * 1000, 1), "p99": round(_pct(vals, 0.99) * 1000, 1),
                "max": round(max(vals) * 1000, 1)}
