"""JSON-lines output of a run: alerts.jsonl, tracks.jsonl and (simulation only) truth.jsonl.

Times are ISO-8601 UTC; every ``alt_m`` is metres above the site origin's ground.
alerts.jsonl follows the store: one line per alert change (raised, members joined or left,
more severe zone, escalated, acknowledged, resolved, ...), all lines of one alert with the same
``id``; ``time`` is the change's time, ``raised`` the alert's raise time, ``position`` where
the (lead) track was at the change.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import msgspec

from dronewatch.model import Alert, Track

_ENC = msgspec.json.Encoder()


def iso(at: float) -> str:
    """Epoch seconds -> ISO-8601 UTC with milliseconds and a Z."""
    t = dt.datetime.fromtimestamp(at, tz=dt.UTC)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.alert_id,
        "time": iso(alert.updated_at),
        "raised": iso(alert.raised_at),
        "change": alert.change,
        "state": alert.state,
        "rule": alert.rule,
        "zone": alert.zone,
        "severity": alert.severity,
        "track_id": alert.track_id,
        "track_ids": list(alert.track_ids),
        "position": {"lat": alert.position.lat, "lon": alert.position.lon, "alt_m": alert.position.alt_m},
        "class": alert.cls,
        "identity": alert.identity,
        "why": alert.why,
        "by": alert.by,
        "note": alert.note,
    }


def track_row(track: Track, at: float) -> dict[str, Any]:
    return {
        "time": iso(at),
        "track_id": track.track_id,
        "lat": track.lat,
        "lon": track.lon,
        "alt_m": track.alt_m,
        "class": track.cls,
        "identity": track.identity.value if track.identity else None,
        "status": track.status,
    }


class RunFiles:
    """Writes the three files of ``dronewatch run --out DIR``."""

    def __init__(self, out_dir: Path, truth: bool = True) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.alerts: IO[bytes] = (out_dir / "alerts.jsonl").open("wb")
        self.tracks: IO[bytes] = (out_dir / "tracks.jsonl").open("wb")
        self.truth: IO[bytes] | None = (out_dir / "truth.jsonl").open("wb") if truth else None
        self._written: set[str] = set()

    def write_alerts(self, alerts: list[Alert]) -> list[Alert]:
        """One line per alert version (each change). Returns the alerts first seen now."""
        new = []
        for alert in alerts:
            if alert.alert_id not in self._written:
                self._written.add(alert.alert_id)
                new.append(alert)
            self.alerts.write(_ENC.encode(alert_row(alert)) + b"\n")
        return new

    @property
    def alert_count(self) -> int:
        return len(self._written)

    def write_tracks(self, tracks: list[Track], at: float) -> None:
        for track in tracks:
            if track.status != "tentative":
                self.tracks.write(_ENC.encode(track_row(track, at)) + b"\n")

    def write_truth(self, rows: list[Any], at: float) -> None:
        if self.truth is None:
            return
        stamp = iso(at)
        for r in rows:
            row = {"time": stamp, "object_id": r.object_id, "kind": r.kind, "lat": r.lat, "lon": r.lon,
                   "alt_m": r.alt_m}
            self.truth.write(_ENC.encode(row) + b"\n")

    def close(self) -> None:
        for f in (self.alerts, self.tracks, self.truth):
            if f is not None:
                f.close()

    def __enter__(self) -> RunFiles:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
