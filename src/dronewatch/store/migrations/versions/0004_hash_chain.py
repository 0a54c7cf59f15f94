"""Hash chain over the evidence (frames, track snapshots, alert audit, sites), kept sites.

Adds ``content_hash`` / ``prev_hash`` / ``row_hash`` to the evidence tables and chains the rows
already there in ``id`` order (``dronewatch.store.chain``): from then on ``dronewatch verify``
vouches for them as they stood at this migration. Adds ``sites`` (the site configuration each
pipeline ran with, for exports) and ``chain_heads`` (each chain's tip). On SQLite the
insert-only triggers are lifted for the backfill only, and now also guard track snapshots and
sites.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from dronewatch.store.chain import CONTENT, GENESIS, content_hash, link

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ("frames", "track_snapshots", "alert_audit")  # tables that may hold rows already
_GUARDED_BEFORE = ("frames", "alert_audit")
_BATCH = 5000


def _triggers(tables: Sequence[str], create: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            name = f"{table}_no_{verb.lower()}"
            if create:
                op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is evidence: insert-only'); END")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _chain_columns() -> list[sa.Column[str]]:
    return [sa.Column(name, sa.String(64), nullable=True) for name in ("content_hash", "prev_hash", "row_hash")]


def _backfill(name: str) -> tuple[int, str, int]:
    """Chain the rows of ``name`` in id order; returns (last id, last row hash, rows)."""
    bind = op.get_bind()
    cols = CONTENT[name]
    table = sa.table(name, sa.column("id"), *(sa.column(c) for c in (*cols, "content_hash", "prev_hash",
                                                                      "row_hash")))
    setter = (sa.update(table).where(table.c.id == sa.bindparam("b_id"))
              .values(content_hash=sa.bindparam("b_c"), prev_hash=sa.bindparam("b_p"), row_hash=sa.bindparam("b_r")))
    prev, last_id, count, after = GENESIS, 0, 0, -1
    while True:
        rows = bind.execute(
            sa.select(table.c.id, *(table.c[c] for c in cols)).where(table.c.id > after)
            .order_by(table.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return last_id, prev, count
        params = []
        for r in rows:
            content = content_hash(name, dict(r._mapping))
            row_hash = link(prev, content)
            params.append({"b_id": r.id, "b_c": content, "b_p": prev, "b_r": row_hash})
            prev, last_id = row_hash, r.id
        bind.execute(setter, params)
        count += len(rows)
        after = last_id


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("json", sa.Text, nullable=False),
        *_chain_columns(),
    )
    heads = op.create_table(
        "chain_heads",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
    )
    for table in _OLD:
        for column in _chain_columns():  # nullable: SQLite adds them in place
            op.add_column(table, column)
    _triggers(_GUARDED_BEFORE, create=False)
    rows = []
    for name in CONTENT:
        last_id, row_hash, count = _backfill(name) if name in _OLD else (0, GENESIS, 0)
        rows.append({"name": name, "last_id": last_id, "row_hash": row_hash, "rows": count})
    op.bulk_insert(heads, rows)
    for name in CONTENT:
        op.create_index(f"ux_{name}_prev_hash", name, ["prev_hash"], unique=True)
    _triggers(tuple(CONTENT), create=True)


def downgrade() -> None:
    _triggers(tuple(CONTENT), create=False)
    for name in CONTENT:
        op.drop_index(f"ux_{name}_prev_hash", table_name=name)
    for table in _OLD:
        with op.batch_alter_table(table) as batch:
            for column in ("content_hash", "prev_hash", "row_hash"):
                batch.drop_column(column)
    op.drop_table("chain_heads")
    op.drop_table("sites")
    _triggers(_GUARDED_BEFORE, create=True)
