"""One incident gathered from the store for export: the alert and every version of it (with
who, when, note and chain hashes), the paths of its tracks, their identities, pilot and home
positions, the sensors that saw them, the zones in force, and the store's chain tips.

Track ids restart when a pipeline restarts, so a track's path is taken only around the alert:
from ``LEAD_S`` before it was raised to ``TAIL_S`` after its last change (an alert still live:
up to ``LIVE_TAIL_S`` after it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import msgspec

from dronewatch.assess.lifecycle import TERMINAL
from dronewatch.config import SensorSpec, Site
from dronewatch.model import Alert, Geodetic, Track
from dronewatch.store import Store

LEAD_S = 60.0
TAIL_S = 10.0
LIVE_TAIL_S = 3600.0
SYSTEM = "system"

_TRACK = msgspec.json.Decoder(Track)
_SITE = msgspec.json.Decoder(Site)


class IncidentNotFound(LookupError):
    """No alert with that id in the store."""


@dataclass(frozen=True)
class PathPoint:
    at: float
    lat: float
    lon: float
    alt_m: float  # above the site origin's ground
    cls: str
    identity: str | None
    status: str
    row_hash: str | None  # the snapshot's link in the evidence chain


@dataclass(frozen=True)
class Fix:
    """A pilot (operator) or home position a track broadcast, from ``since`` to ``until``."""

    track_id: int
    since: float
    until: float
    lat: float
    lon: float
    alt_m: float | None  # above the WGS84 ellipsoid, as broadcast


@dataclass
class TrackPath:
    track_id: int
    points: list[PathPoint] = field(default_factory=list)
    identities: list[str] = field(default_factory=list)
    sensors: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Version:
    """One audit row: the change and the alert as it stood after it."""

    id: int
    at: float
    by: str
    change: str
    from_state: str | None
    to_state: str
    note: str | None
    content_hash: str | None
    prev_hash: str | None
    row_hash: str | None
    alert: Alert


@dataclass
class Incident:
    alert: Alert  # as it stands now
    versions: list[Version]
    tracks: dict[int, TrackPath]
    pilots: list[Fix]
    homes: list[Fix]
    site: Site | None
    sensors: list[SensorSpec]  # the site's sensors that fed the tracks (as configured)
    sensor_ids: list[str]  # every sensor id that fed the tracks
    chain_heads: dict[str, dict[str, Any]]
    window: tuple[float, float]
    exported_at: float

    @property
    def actions(self) -> list[Version]:
        """What people did (not the system), in order."""
        return [v for v in self.versions if v.by != SYSTEM]

    @property
    def identities(self) -> list[str]:
        seen: dict[str, None] = {}
        if self.alert.identity:
            seen[self.alert.identity] = None
        for path in self.tracks.values():
            seen.update(dict.fromkeys(path.identities))
        return list(seen)


def gather(store: Store, alert_id: str, now: float | None = None) -> Incident:
    """Everything the store holds about one alert."""
    alert = store.alert(alert_id)
    if alert is None:
        raise IncidentNotFound(f"no alert {alert_id} in the store")
    versions = [
        Version(**{k: row[k] for k in ("id", "at", "by", "change", "from_state", "to_state", "note",
                                       "content_hash", "prev_hash", "row_hash")}, alert=version)
        for row, version in store.audit_versions(alert_id)
    ]
    last_change = max([alert.updated_at, *(v.at for v in versions)])
    since = alert.raised_at - LEAD_S
    until = last_change + (TAIL_S if alert.state in TERMINAL else LIVE_TAIL_S)
    track_ids = sorted({t for v in versions for t in v.alert.track_ids} | set(alert.track_ids))
    tracks, pilots, homes, sensor_ids = _paths(store, track_ids, since, until)
    site = _site(store, alert.raised_at)
    specs = {s.id: s for s in site.sensors} if site is not None else {}
    return Incident(
        alert=alert,
        versions=versions,
        tracks=tracks,
        pilots=pilots,
        homes=homes,
        site=site,
        sensors=[specs[s] for s in sensor_ids if s in specs],
        sensor_ids=sensor_ids,
        chain_heads=store.chain_heads(),
        window=(since, until),
        exported_at=time.time() if now is None else now,
    )


def _paths(
    store: Store, track_ids: list[int], since: float, until: float
) -> tuple[dict[int, TrackPath], list[Fix], list[Fix], list[str]]:
    paths = {t: TrackPath(t) for t in track_ids}
    pilots: list[Fix] = []
    homes: list[Fix] = []
    sensors: dict[str, None] = {}
    for row in store.snapshots(track_ids, since, until):
        track = _TRACK.decode(row["json"])
        path = paths[row["track_id"]]
        path.points.append(PathPoint(at=row["at"], lat=row["lat"], lon=row["lon"], alt_m=row["alt_m"],
                                     cls=row["cls"], identity=row["identity"], status=row["status"],
                                     row_hash=row["row_hash"]))
        if track.identity is not None and track.identity.key not in path.identities:
            path.identities.append(track.identity.key)
        if track.cls not in path.classes:
            path.classes.append(track.cls)
        for sensor in track.sensors:
            sensors.setdefault(sensor)
            if sensor not in path.sensors:
                path.sensors.append(sensor)
        _extend(pilots, track.track_id, track.operator, row["at"])
        _extend(homes, track.track_id, track.home, row["at"])
    return paths, pilots, homes, list(sensors)


def _extend(fixes: list[Fix], track_id: int, where: Geodetic | None, at: float) -> None:
    """Add a broadcast position, or stretch the last one of this track if it did not move."""
    if where is None:
        return
    for i in range(len(fixes) - 1, -1, -1):
        last = fixes[i]
        if last.track_id != track_id:
            continue
        if (last.lat, last.lon, last.alt_m) == (where.lat, where.lon, where.alt_m):
            fixes[i] = Fix(track_id, last.since, at, last.lat, last.lon, last.alt_m)
            return
        break
    fixes.append(Fix(track_id, at, at, where.lat, where.lon, where.alt_m))


def _site(store: Store, at: float) -> Site | None:
    """The site configuration in force when the alert was raised (else the newest kept)."""
    kept = store.sites(at=at) or store.sites()
    return _SITE.decode(kept[0]["json"]) if kept else None
