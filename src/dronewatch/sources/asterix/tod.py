"""ASTERIX carries time of day only (seconds since UTC midnight). Records are placed on the
receive date: the candidate day (yesterday, today, tomorrow) nearest the receive time wins,
which handles midnight. A source whose clock is more than ``max_skew_s`` off the receive time
(a recording from another day or hour, a radar without time sync) is aligned per source: the
offset seen on its first record is kept (and re-learnt if it drifts by more than the skew), so
the recording's own spacing between records is kept and its tracks are live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY = 86400.0


def on_receive_date(tod: float, received_at: float) -> float:
    """UTC epoch seconds of time of day ``tod`` on the day nearest ``received_at``."""
    midnight = received_at - received_at % DAY
    t = midnight + tod
    if t - received_at > DAY / 2:
        t -= DAY
    elif received_at - t > DAY / 2:
        t += DAY
    return t


@dataclass
class SourceClock:
    """Per-source alignment of time of day to the receive clock."""

    max_skew_s: float = 30.0
    offsets: dict[tuple[int, int], float] = field(default_factory=dict)

    def place(self, source: tuple[int, int], tod: float, received_at: float) -> float:
        t = on_receive_date(tod, received_at)
        offset = self.offsets.get(source, 0.0)
        if abs(t + offset - received_at) > self.max_skew_s:
            offset = received_at - t if abs(t - received_at) > self.max_skew_s else 0.0
            self.offsets[source] = offset
        return t + offset
