"""Reads the rows a site store gained since a cursor, table by table, in insertion order.

The cursor lives beside the database (``<db>.bus-cursor.json``, replaced atomically), so a
restarted edge resumes where its last acknowledged publish ended. A store rebuilt from empty
(row ids lower than the cursor) restarts the cursor: message ids are natural keys, so nothing
is lost or doubled downstream.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

TABLES = ("alert_audit", "frames", "track_snapshots")  # alerts first: the urgent ones


class StoreTail:
    """A read-only view of an edge's SQLite store and how far it has been published."""

    def __init__(self, db_path: Path, cursor_path: Path | None = None) -> None:
        self.db_path = Path(db_path)
        self.cursor_path = cursor_path or self.db_path.with_name(self.db_path.name + ".bus-cursor.json")
        self.cursor: dict[str, int] = {t: 0 for t in TABLES}
        if self.cursor_path.exists():
            saved = json.loads(self.cursor_path.read_text())
            self.cursor.update({t: int(saved.get(t, 0)) for t in TABLES})
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # the publisher's lanes read from worker threads

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=5000")
            self._conn = conn
        return self._conn

    def read(self, table: str, limit: int = 500) -> list[dict[str, Any]]:
        """Up to ``limit`` rows of ``table`` after the cursor, oldest first."""
        if table not in TABLES:
            raise ValueError(f"not a published table: {table}")
        with self._lock:
            return self._read(table, limit)

    def _read(self, table: str, limit: int) -> list[dict[str, Any]]:
        db = self._db()
        after = self.cursor[table]
        top = db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        if top < after:  # the store was rebuilt
            self.cursor[table] = after = 0
        rows = db.execute(f"SELECT * FROM {table} WHERE id > ? ORDER BY id LIMIT ?",
                          (after, limit)).fetchall()
        return [dict(r) for r in rows]

    def backlog(self) -> dict[str, int]:
        """Rows recorded but not yet acknowledged by the broker, per table."""
        with self._lock:
            db = self._db()
            return {t: max(0, (db.execute(f"SELECT max(id) FROM {t}").fetchone()[0] or 0)
                           - self.cursor[t]) for t in TABLES}

    def advance(self, table: str, last_id: int) -> None:
        """Mark rows up to ``last_id`` as published and save the cursor atomically."""
        self.cursor[table] = max(self.cursor[table], last_id)
        tmp = self.cursor_path.with_name(self.cursor_path.name + ".tmp")
        tmp.write_text(json.dumps(self.cursor))
        os.replace(tmp, self.cursor_path)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
