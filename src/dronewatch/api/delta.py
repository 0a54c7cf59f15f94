"""``Delta``: what one browser has not been sent yet, kept as the newest state per track and
per alert (never a queue of messages), and turned into compact ``update`` messages.

A track new to this browser, or whose identity, class, status, sensors or pilot/home changed,
goes whole in ``tracks``; a track that only moved goes in ``moves`` as
``[track_id, at, lat, lon, alt_m, ve, vn, vu, pos_sigma_m]``. Memory is bounded by the
number of live tracks and alerts, however long the browser stops reading.
"""

from __future__ import annotations

from typing import Any

from dronewatch.model import Alert, Track, Update

MOVE_FIELDS = ("track_id", "at", "lat", "lon", "alt_m", "ve", "vn", "vu", "pos_sigma_m")


def _meta(t: Track) -> tuple[Any, ...]:
    return (t.status, t.identity, t.identity_conflict, t.cls, round(t.cls_confidence, 2), t.sensors,
            t.operator, t.home, t.claimed is None, t.allowed)


def _move(t: Track) -> list[float]:
    ve, vn, vu = t.vel_enu_mps
    return [t.track_id, t.at, round(t.lat, 7), round(t.lon, 7), round(t.alt_m, 1), round(ve, 2), round(vn, 2),
            round(vu, 2), round(t.pos_sigma_m, 1)]


class Delta:
    """Pending changes for one browser plus what it already holds."""

    def __init__(self) -> None:
        self.sent_meta: dict[int, tuple[Any, ...]] = {}  # what the browser holds, per track
        self.tracks: dict[int, Track] = {}
        self.alerts: dict[str, Alert] = {}
        self.removed: set[int] = set()
        self.at: float | None = None

    def mark_sent(self, tracks: list[Track]) -> None:
        """The browser now holds these tracks whole (after a snapshot)."""
        self.sent_meta = {t.track_id: _meta(t) for t in tracks}

    def add(self, update: Update) -> None:
        self.at = update.at if self.at is None else max(self.at, update.at)
        for t in update.tracks:
            self.tracks[t.track_id] = t
            self.removed.discard(t.track_id)
        for track_id in update.removed:
            self.tracks.pop(track_id, None)
            self.removed.add(track_id)
        for a in update.alerts:
            self.alerts[a.alert_id] = a

    def __bool__(self) -> bool:
        return bool(self.tracks or self.alerts or self.removed)

    def take(self) -> dict[str, Any]:
        """The pending changes as one ``update`` message; pending is emptied."""
        whole: list[Track] = []
        moves: list[list[float]] = []
        for t in self.tracks.values():
            meta = _meta(t)
            if self.sent_meta.get(t.track_id) == meta:
                moves.append(_move(t))
            else:
                whole.append(t)
                self.sent_meta[t.track_id] = meta
        removed = [i for i in sorted(self.removed) if self.sent_meta.pop(i, None) is not None]
        message = {"type": "update", "at": self.at, "tracks": whole, "moves": moves,
                   "alerts": list(self.alerts.values()), "removed": removed}
        self.tracks, self.alerts, self.removed = {}, {}, set()
        return message
