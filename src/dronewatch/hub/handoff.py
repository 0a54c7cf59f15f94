"""One identity per object across sites: each site's track is linked to a hub-wide global track.

A site's track (site, track_id, first_seen_at) is linked once, when the hub first sees it:
to the global track with the same broadcast identity (Remote ID / DJI serial, ICAO) seen in the
last ``identity_window_s``; else, by kinematic continuity, to a global track last seen at
another site within ``gap_s`` whose predicted position lies within the gate; else to a new
global track. Linking runs under an advisory lock, so hubs sharing the work agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_LOCK_LINK = 0x64770002
EARTH_R = 6_371_000.0


@dataclass(frozen=True)
class HandoffSettings:
    identity_window_s: float = 600.0
    gap_s: float = 60.0
    gate_m: float = 150.0
    gate_per_s: float = 4.0  # the gate widens with the gap: manoeuvres while unseen
    compatible: tuple[frozenset[str], ...] = (frozenset({"drone", "unknown"}), frozenset({"bird", "unknown"}),
                                              frozenset({"aircraft", "unknown"}))


def _metres(lat0: float, lon0: float, lat1: float, lon1: float) -> tuple[float, float]:
    """East and north metres from point 0 to point 1 (local flat earth: hand-off gaps are short)."""
    e = math.radians(lon1 - lon0) * EARTH_R * math.cos(math.radians((lat0 + lat1) / 2))
    n = math.radians(lat1 - lat0) * EARTH_R
    return e, n


def _classes_agree(a: str, b: str, settings: HandoffSettings) -> bool:
    return a == b or any(a in s and b in s for s in settings.compatible)


def identity_of(track: dict[str, Any]) -> str | None:
    ident = track.get("identity")
    if not ident:
        return None
    return f"{ident.get('scheme')}:{ident.get('value')}"


async def link(conn: Any, site: str, track: dict[str, Any], settings: HandoffSettings) -> tuple[int, str]:
    """The global id of a site track seen for the first time, and how it was found."""
    at = float(track["at"])
    ident = identity_of(track)
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_LINK)
    if ident is not None:
        row = await conn.fetchrow(
            "SELECT global_id FROM global_tracks WHERE identity = $1 AND last_at > $2 "
            "ORDER BY last_at DESC LIMIT 1", ident, at - settings.identity_window_s)
        if row is not None:
            return int(row["global_id"]), "identity"
    rows = await conn.fetch(
        "SELECT g.global_id, g.identity, g.cls, g.last_at, g.lat, g.lon, g.ve, g.vn FROM global_tracks g "
        "WHERE g.last_site <> $1 AND g.last_at BETWEEN $2 AND $3 "
        "AND NOT EXISTS (SELECT 1 FROM live_tracks l WHERE l.site = $1 AND l.global_id = g.global_id "
        "                AND l.at > $2)",
        site, at - settings.gap_s, at + 5.0)
    best: tuple[float, int] | None = None
    for r in rows:
        if ident is not None and r["identity"] is not None and r["identity"] != ident:
            continue
        if not _classes_agree(str(track.get("cls", "unknown")), r["cls"], settings):
            continue
        dt = at - float(r["last_at"])
        e, n = _metres(float(r["lat"]), float(r["lon"]), float(track["lat"]), float(track["lon"]))
        miss = math.hypot(e - float(r["ve"]) * dt, n - float(r["vn"]) * dt)
        if miss <= settings.gate_m + settings.gate_per_s * abs(dt) and (best is None or miss < best[0]):
            best = (miss, int(r["global_id"]))
    if best is not None:
        return best[1], "kinematic"
    ve, vn, _ = (track.get("vel_enu_mps") or (0.0, 0.0, 0.0))
    gid = await conn.fetchval(
        "INSERT INTO global_tracks (identity, cls, first_site, last_site, last_track_id, last_at, lat, lon, "
        "alt_m, ve, vn, sites) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, ARRAY[$3]) "
        "RETURNING global_id",
        ident, str(track.get("cls", "unknown")), site, int(track["track_id"]), at, float(track["lat"]),
        float(track["lon"]), float(track["alt_m"]), float(ve), float(vn))
    return int(gid), "new"


async def follow(conn: Any, moves: list[tuple[str, int, dict[str, Any]]]) -> None:
    """Move global tracks to these (site, global id, site track) states, in the order given (one
    round trip; a state older than the global track's is ignored)."""
    rows = []
    for site, gid, track in moves:
        ve, vn, _ = (track.get("vel_enu_mps") or (0.0, 0.0, 0.0))
        rows.append((gid, site, int(track["track_id"]), float(track["at"]), float(track["lat"]), float(track["lon"]),
                     float(track["alt_m"]), float(ve), float(vn), identity_of(track), str(track.get("cls", "unknown"))))
    if not rows:
        return
    await conn.executemany(
        "UPDATE global_tracks SET last_site = $2, last_track_id = $3, last_at = $4, lat = $5, lon = $6, "
        "alt_m = $7, ve = $8, vn = $9, identity = COALESCE(identity, $10), "
        "cls = CASE WHEN $11 = 'unknown' THEN cls ELSE $11 END, "
        "sites = CASE WHEN $2 = ANY(sites) THEN sites ELSE array_append(sites, $2) END "
        "WHERE global_id = $1 AND last_at <= $4", rows)
