"""The hash chain over the store's evidence: frames, track snapshots, alert audit rows, sites.

Each chained table is its own chain, in ``id`` order. Every row carries

* ``content_hash`` = sha256 over ``dw-chain-v1``, the table name and the canonical JSON of the
  row's content columns (``CONTENT``; a frame's bytes enter through their sha256, which
  ``verify`` also recomputes from the bytes);
* ``prev_hash``, the previous row's ``row_hash`` (``GENESIS`` for the first row);
* ``row_hash`` = sha256 of ``prev_hash`` followed by ``content_hash`` (hex).

``chain_heads`` holds, per table, the last id, the last ``row_hash`` and the row count: the tip
to keep outside the store (``dronewatch verify`` prints it; exports carry it), and what shows a
deleted last row.

Concurrent writers: a writer first takes the table's head row with an UPDATE (``lock``), which
takes SQLite's write lock (the other writer waits up to busy_timeout) and PostgreSQL's row lock,
then reads the head, numbers its rows after it and moves the head, all in one transaction.
``prev_hash`` is UNIQUE, so two rows can never follow the same row: a writer that slipped past
the lock would fail instead of forking the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
from sqlalchemy import Insert, Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from dronewatch.store.tables import chain_heads

GENESIS = "0" * 64
VERSION = b"dw-chain-v1"

#: Chained tables and the columns that make a row's content, in hashing order.
CONTENT: dict[str, tuple[str, ...]] = {
    "frames": ("sensor_id", "received_at", "link", "sha256"),
    "track_snapshots": ("track_id", "at", "lat", "lon", "alt_m", "cls", "identity", "status", "json"),
    "alert_audit": ("alert_id", "at", "by", "change", "from_state", "to_state", "json", "note"),
    "sites": ("name", "at", "json"),
}
#: Lock order (always the same, so two writers cannot wait on each other).
CHAINED = tuple(CONTENT)

_ENC = msgspec.json.Encoder()

# Statements built once (a chain write runs every pipeline step).
_LOCK = update(chain_heads).where(chain_heads.c.name == bindparam("chain")).values(rows=chain_heads.c.rows)
_HEAD = select(chain_heads).where(chain_heads.c.name == bindparam("chain"))
_MOVE = (
    update(chain_heads)
    .where(chain_heads.c.name == bindparam("chain"))
    .values(last_id=bindparam("new_last_id"), row_hash=bindparam("new_row_hash"), rows=bindparam("new_rows"))
)
_INSERTS: dict[str, Insert] = {}


def content_hash(table: str, row: Mapping[str, Any]) -> str:
    """sha256 (hex) of a row's content columns of ``table``."""
    values = [row[c] for c in CONTENT[table]]
    return hashlib.sha256(VERSION + b"\0" + table.encode() + b"\0" + _ENC.encode(values)).hexdigest()


def link(prev_hash: str, content: str) -> str:
    """A row's ``row_hash`` from the previous row's and its own content hash."""
    return hashlib.sha256((prev_hash + content).encode("ascii")).hexdigest()


def lock(conn: Connection, names: Iterable[str]) -> None:
    """Take the heads of these chains for this transaction (first statement of a writer)."""
    for name in sorted(set(names), key=CHAINED.index):
        conn.execute(_LOCK, {"chain": name})


def append(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert ``rows`` at the end of ``table``'s chain (the caller holds its ``lock``); returns
    them with ``id``, ``content_hash``, ``prev_hash`` and ``row_hash`` filled in."""
    if not rows:
        return []
    name = table.name
    head = conn.execute(_HEAD, {"chain": name}).one()
    prev, next_id = head.row_hash, head.last_id + 1
    out = []
    for row in rows:
        content = content_hash(name, row)
        done = row | {"id": next_id, "content_hash": content, "prev_hash": prev, "row_hash": link(prev, content)}
        out.append(done)
        prev, next_id = done["row_hash"], next_id + 1
    stmt = _INSERTS.get(name)
    if stmt is None or stmt.table is not table:
        stmt = _INSERTS[name] = insert(table)
    conn.execute(stmt, out)
    conn.execute(_MOVE, {"chain": name, "new_last_id": next_id - 1, "new_row_hash": prev,
                         "new_rows": head.rows + len(out)})
    return out


def heads(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every chain's head: ``{table: {last_id, row_hash, rows}}``."""
    return {
        r.name: {"last_id": r.last_id, "row_hash": r.row_hash, "rows": r.rows}
        for r in conn.execute(select(chain_heads))
    }
