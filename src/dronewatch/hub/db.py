"""The hub's PostgreSQL side: URL handling, PostGIS check, Alembic migrations, day partitions.

The hub is given an empty database where PostGIS can be (or already is) enabled; it migrates
the schema itself (``hub_alembic_version``), so several hubs may start at once: the migration
runs under an advisory lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_MIGRATE = 0x64770001


def asyncpg_dsn(url: str) -> str:
    """``postgresql://`` (or ``postgresql+driver://``) -> what asyncpg takes."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.startswith(("postgresql", "postgres")):
        raise ValueError(f"--db: expected postgresql://USER@HOST:PORT/DB, got {url!r}")
    return "postgresql://" + rest


def sqlalchemy_url(url: str) -> str:
    return "postgresql+asyncpg://" + asyncpg_dsn(url).partition("://")[2]


async def migrate(url: str) -> None:
    """Enable PostGIS if it is not yet, then bring the hub schema to head (one hub at a time)."""
    import asyncpg
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.ext.asyncio import create_async_engine

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        have = await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
        if not have:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    finally:
        await conn.close()

    def upgrade(sync_conn: Any) -> None:
        sync_conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_MIGRATE})")
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, "head")

    engine = create_async_engine(sqlalchemy_url(url))
    try:
        async with engine.begin() as aconn:
            await aconn.run_sync(upgrade)
    finally:
        await engine.dispose()


def day_bounds(epoch_s: float) -> tuple[str, float, float]:
    """Partition suffix and [start, end) epoch seconds of the UTC day holding ``epoch_s``."""
    day = dt.datetime.fromtimestamp(epoch_s, dt.UTC).date()
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
    return day.strftime("%Y%m%d"), start, start + 86400.0


class Partitions:
    """Creates a table's day partition the first time a row of that day is written."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    async def ensure(self, conn: Any, table: str, instants: list[float]) -> None:
        for epoch in sorted({int(t // 86400) * 86400 for t in instants}):
            suffix, start, end = day_bounds(float(epoch) + 1.0)
            name = f"{table}_{suffix}"
            if name in self._known:
                continue
            exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name)
            if not exists:
                try:
                    async with conn.transaction():
                        await conn.execute(
                            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
                            f"FOR VALUES FROM ({start!r}) TO ({end!r})")
                except Exception as err:  # another hub made it, or the default holds that day's rows
                    log.info("partition %s not created: %s", name, err)
            self._known.add(name)
