"""Checks every site's evidence hash chain again at the hub (``dronewatch verify --db
postgresql://...`` on a hub database).

Each edge chains its frames, track snapshots and alert audit rows (``store.chain``); the hub
keeps what the chain needs (a frame's columns and bytes, the other rows exactly as the edge
stored them) and walks each site's chains in the edge's row order: every row's content must hash
to its ``content_hash``, its ``prev_hash`` must be the previous row's ``row_hash`` and its
``row_hash`` must link the two. The first bad row of each site and table is named. Rows an edge
stored before it chained (no hashes) are counted, not judged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from dronewatch.store.chain import GENESIS, content_hash, link

TABLES = ("frames", "track_snapshots", "alert_audit")


@dataclass
class SiteChains:
    site: str
    rows: dict[str, int] = field(default_factory=dict)
    tips: dict[str, str] = field(default_factory=dict)
    unchained: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _check(table: str, records: list[tuple[int, dict[str, Any]]], out: SiteChains) -> None:
    prev = GENESIS
    out.rows[table] = len(records)
    out.unchained[table] = 0
    for edge_id, row in records:
        if row.get("row_hash") is None:
            out.unchained[table] += 1
            continue
        where = f"{out.site} {table} edge id={edge_id}"
        if table == "frames" and row["_bytes_sha256"] != row["sha256"]:
            out.problems.append(f"{where}: the bytes no longer hash to the frame's sha256 (altered)")
            return
        if content_hash(table, row) != row["content_hash"]:
            out.problems.append(f"{where}: content altered (it no longer hashes to content_hash)")
            return
        if row["prev_hash"] != prev:
            what = "a row is missing before it (deleted)" if prev != GENESIS or edge_id != 1 else "not the first row"
            out.problems.append(f"{where}: prev_hash is not the previous row's row_hash: {what} or inserted")
            return
        if link(prev, row["content_hash"]) != row["row_hash"]:
            out.problems.append(f"{where}: row_hash altered")
            return
        prev = row["row_hash"]
    out.tips[table] = prev


async def verify_hub(conn: Any) -> list[SiteChains]:
    """Every site's chains, checked; ``conn`` is an asyncpg connection to the hub database."""
    sites = [r["site"] for r in await conn.fetch(
        "SELECT site FROM sites UNION SELECT DISTINCT site FROM frames ORDER BY 1")]
    out = []
    for site in sites:
        result = SiteChains(site)
        frames = []
        for r in await conn.fetch("SELECT edge_id, sensor_id, received_at, link, sha256, data, extra FROM frames "
                                  "WHERE site = $1 ORDER BY edge_id", site):
            row = {"sensor_id": r["sensor_id"], "received_at": r["received_at"], "link": r["link"],
                   "sha256": r["sha256"], "_bytes_sha256": hashlib.sha256(bytes(r["data"])).hexdigest()}
            row |= json.loads(r["extra"])
            frames.append((int(r["edge_id"]), row))
        _check("frames", frames, result)
        for table in ("track_snapshots", "alert_audit"):
            records = [(int(r["edge_id"]), json.loads(r["edge_row"]) if r["edge_row"] else {})
                       for r in await conn.fetch(f"SELECT edge_id, edge_row FROM {table} "
                                                 "WHERE site = $1 ORDER BY edge_id", site)]
            _check(table, records, result)
        out.append(result)
    return out


def is_hub_database(url: str) -> bool:
    """True when ``url`` is a PostgreSQL database the hub has migrated."""
    if not url.startswith(("postgresql", "postgres")):
        return False
    import asyncio

    import asyncpg

    from dronewatch.hub.db import asyncpg_dsn

    async def probe() -> bool:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            return bool(await conn.fetchval("SELECT to_regclass('hub_alembic_version') IS NOT NULL"))
        finally:
            await conn.close()

    try:
        return asyncio.run(probe())
    except (OSError, asyncpg.PostgresError):
        return False


def verify_hub_command(url: str, out: Any, err: Any) -> int:
    """0 when every site's chains hold, 1 naming the first bad row of each site and table."""
    import asyncio

    import asyncpg

    from dronewatch.hub.db import asyncpg_dsn

    async def run() -> list[SiteChains]:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            return await verify_hub(conn)
        finally:
            await conn.close()

    try:
        results = asyncio.run(run())
    except (OSError, asyncpg.PostgresError) as exc:
        err.write(f"error: {url}: cannot read the hub database ({exc})\n")
        return 2
    problems = [p for r in results for p in r.problems]
    for r in results:
        for table in TABLES:
            out.write(f"{r.site} {table}: {r.rows.get(table, 0)} rows, {r.unchained.get(table, 0)} unchained, "
                      f"tip {r.tips.get(table, '-')}\n")
    if not problems:
        out.write(f"hub: OK, every site's evidence chains hold ({len(results)} sites)\n")
        return 0
    for p in problems:
        err.write(f"BAD {p}\n")
    err.write(f"hub: {len(problems)} chain(s) broken\n")
    return 1
