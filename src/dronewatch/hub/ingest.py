"""Writes a batch of edge messages into PostgreSQL in one transaction, idempotently.

Every insert is keyed by the message's natural key (``ON CONFLICT DO NOTHING``); an alert row
moves forward only to a later change. A message that does not decode is counted by reason,
logged and acknowledged (it can never decode later); a batch whose write fails is not
acknowledged, so JetStream sends it again.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections import Counter
from typing import Any

from dronewatch.hub.db import Partitions
from dronewatch.hub.handoff import HandoffSettings, follow, identity_of, link
from dronewatch.jetstream import DECODER, Envelope, record_key

log = logging.getLogger(__name__)

FRAME_COLS = {"id", "sensor_id", "received_at", "link", "sha256", "data"}
AUDIT_COLS = {"id", "alert_id", "at", "by", "change", "from_state", "to_state", "json"}


def decode(data: bytes) -> Envelope:
    return DECODER.decode(data)


async def _breathe(i: int, every: int = 100) -> None:
    """Let the event loop run other tasks every ``every`` rows: building a big bulk batch's rows
    must not hold it (an alert's fetch and write wait for it), the less so on a busy CPU."""
    if i % every == every - 1:
        await asyncio.sleep(0)


def _point(lat: float, lon: float, alt: float) -> str:
    return f"SRID=4326;POINT Z ({lon!r} {lat!r} {alt!r})"


class Ingestor:
    """Turns batches of Envelopes into rows; keeps counts for /api/health."""

    def __init__(self, handoff: HandoffSettings | None = None) -> None:
        self.partitions = Partitions()
        self.handoff = handoff or HandoffSettings()
        self.written: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self._links: dict[tuple[str, int, float], int] = {}

    def reject(self, reason: str, detail: str) -> None:
        self.rejected[reason] += 1
        log.warning("hub: rejected message (%s): %s", reason, detail[:200])

    async def write(self, conn: Any, batch: list[Envelope]) -> None:
        """All of a batch in one transaction (the caller acknowledges after it commits)."""
        now = time.time()
        by_kind: dict[str, list[Envelope]] = {}
        for env in batch:
            by_kind.setdefault(env.kind, []).append(env)
        async with conn.transaction():
            await self._sites(conn, by_kind.get("site", []), now)
            await self._frames(conn, by_kind.get("frame", []), now)
            await self._tracks(conn, by_kind.get("track", []))
            await self._audit(conn, by_kind.get("audit", []), now)
            await self._alerts(conn, by_kind.get("alert", []), now)
        for kind, envs in by_kind.items():
            self.written[kind] += len(envs)

    async def _sites(self, conn: Any, envs: list[Envelope], now: float) -> None:
        for env in envs:
            await conn.execute(
                "INSERT INTO sites (site, config, updated_at) VALUES ($1, $2, $3) ON CONFLICT (site) "
                "DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
                env.site, json.dumps(env.row), now)

    async def _frames(self, conn: Any, envs: list[Envelope], now: float) -> None:
        if not envs:
            return
        await self.partitions.ensure(conn, "frames", [float(e.row["received_at"]) for e in envs])
        rows = []
        for i, e in enumerate(envs):
            await _breathe(i)
            r = e.row
            extra = {k: v for k, v in r.items() if k not in FRAME_COLS}
            key = f"{e.site}:{record_key('frames', r)}"
            rows.append((e.site, key, int(e.edge_id), r["sensor_id"], float(r["received_at"]),
                         r["link"], r["sha256"], base64.b64decode(r["data"]), json.dumps(extra), now))
        await conn.executemany(
            "INSERT INTO frames (site, msg_id, edge_id, sensor_id, received_at, link, sha256, data, extra, "
            "ingested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING", rows)

    async def _tracks(self, conn: Any, envs: list[Envelope]) -> None:
        if not envs:
            return
        await self.partitions.ensure(conn, "track_snapshots", [float(e.row["at"]) for e in envs])
        snaps, live = [], {}
        # global tracks move to each site track's latest state in this batch, in time order, in
        # one round trip; before a new site track is linked, so the link sees the latest states
        moves: dict[tuple[int, str], tuple[str, int, dict[str, Any]]] = {}

        async def move() -> None:
            await follow(conn, sorted(moves.values(), key=lambda m: float(m[2]["at"])))
            moves.clear()

        for i, e in enumerate(sorted(envs, key=lambda x: float(x.row["at"]))):
            await _breathe(i)
            r = e.row
            track = json.loads(r["json"])
            gid = None
            if r["status"] != "tentative":
                if self._link_key(e.site, track) not in self._links:
                    await move()
                gid = await self._global_id(conn, e.site, track)
                moves.pop((gid, e.site), None)  # re-inserted last: the order is by instant
                moves[(gid, e.site)] = (e.site, gid, track)
            geom = _point(float(r["lat"]), float(r["lon"]), float(r["alt_m"]))
            key = f"{e.site}:{record_key('track_snapshots', r)}"
            snaps.append((e.site, key, int(e.edge_id), int(r["track_id"]), gid,
                          float(r["at"]), float(r["lat"]), float(r["lon"]), float(r["alt_m"]), r["cls"],
                          identity_of(track), r["status"], r["json"], geom, json.dumps(r)))
            if gid is not None:  # tentative tracks are kept as evidence, not shown or linked
                live[(e.site, int(r["track_id"]))] = (e.site, int(r["track_id"]), gid, float(r["at"]), r["json"], geom)
        await move()
        await conn.executemany(
            "INSERT INTO track_snapshots (site, msg_id, edge_id, track_id, global_id, at, lat, lon, alt_m, cls, "
            "identity, status, json, geom, edge_row) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
            "$13, ST_GeomFromEWKT($14), $15) ON CONFLICT DO NOTHING", snaps)
        await conn.executemany(
            "INSERT INTO live_tracks (site, track_id, global_id, at, json, geom) VALUES ($1, $2, $3, $4, $5, "
            "ST_GeomFromEWKT($6)) ON CONFLICT (site, track_id) DO UPDATE SET global_id = excluded.global_id, "
            "at = excluded.at, json = excluded.json, geom = excluded.geom WHERE live_tracks.at <= excluded.at",
            list(live.values()))

    @staticmethod
    def _link_key(site: str, track: dict[str, Any]) -> tuple[str, int, float]:
        return site, int(track["track_id"]), float(track.get("first_seen_at", track["at"]))

    async def _global_id(self, conn: Any, site: str, track: dict[str, Any]) -> int:
        """The hub-wide id of a site's track, linked (``handoff``) the first time it is shown."""
        key = self._link_key(site, track)
        gid = self._links.get(key)
        if gid is None:
            row = await conn.fetchrow("SELECT global_id FROM track_links WHERE site = $1 AND track_id = $2 "
                                      "AND first_at = $3", *key)
            if row is None:
                gid, how = await link(conn, site, track, self.handoff)
                await conn.execute("INSERT INTO track_links (site, track_id, first_at, global_id, how) "
                                   "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", *key, gid, how)
            else:
                gid = int(row["global_id"])
            self._links[key] = gid
        return gid

    async def _audit(self, conn: Any, envs: list[Envelope], now: float) -> None:
        rows = []
        for e in envs:
            r = e.row
            extra = {k: v for k, v in r.items() if k not in AUDIT_COLS}
            key = f"{e.site}:{record_key('alert_audit', r)}"
            rows.append((e.site, key, int(e.edge_id), r["alert_id"], float(r["at"]), r["by"],
                         r["change"], r.get("from_state"), r["to_state"], r["json"], json.dumps(extra), now,
                         json.dumps(r)))
        if rows:
            await conn.executemany(
                "INSERT INTO alert_audit (site, msg_id, edge_id, alert_id, at, by, change, from_state, to_state, "
                "json, extra, ingested_at, edge_row) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
                "ON CONFLICT DO NOTHING", rows)

    async def _alerts(self, conn: Any, envs: list[Envelope], now: float) -> None:
        rows = []
        for e in envs:
            a = e.row
            pos = a.get("position") or {}
            geom = _point(float(pos["lat"]), float(pos["lon"]), float(pos.get("alt_m", 0.0))) if pos else None
            body = {k: v for k, v in a.items() if not k.startswith("_")}
            rows.append((e.site, a["alert_id"], a["rule"], a.get("zone"), a["severity"], a["state"],
                         int(a["track_id"]), float(a["raised_at"]), float(a.get("updated_at", a["raised_at"])),
                         float(a["_audit_at"]), int(e.edge_id), json.dumps(body), geom, now))
        if rows:
            await conn.executemany(
                "INSERT INTO alerts (site, alert_id, rule, zone, severity, state, track_id, raised_at, updated_at, "
                "last_change_at, last_edge_id, json, geom, ingested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "$9, $10, $11, $12, ST_GeomFromEWKT($13), $14) ON CONFLICT (site, alert_id) DO UPDATE SET "
                "state = excluded.state, severity = excluded.severity, zone = excluded.zone, "
                "updated_at = excluded.updated_at, last_change_at = excluded.last_change_at, "
                "last_edge_id = excluded.last_edge_id, json = excluded.json, geom = excluded.geom "
                "WHERE (alerts.last_change_at, alerts.last_edge_id) < (excluded.last_change_at, excluded.last_edge_id)",
                rows)
