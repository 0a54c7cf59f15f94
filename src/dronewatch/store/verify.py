"""``dronewatch verify``: check a store's evidence chains without changing anything.

For each chained table (``chain.CONTENT``), in id order: the row's content hashes to its
``content_hash`` (a frame's bytes to its ``sha256``), its ``prev_hash`` is the previous row's
``row_hash``, and its ``row_hash`` links the two; the last row is the tip ``chain_heads`` keeps
and the row count matches. Then every ``alerts`` row must equal the alert as its last audit row
left it, and every audited alert must have its row.

The first bad row of each table is named with what is wrong with it:

* an edited row: its content no longer hashes to ``content_hash`` (or its hashes were redone,
  and the next row no longer links to it);
* an inserted row: it has no chain hashes, or it links to an earlier row than the one before it,
  or it comes after the tip the chain head keeps;
* a deleted row: the row after the gap links to a row that is not there (or the tip is gone).

The store is opened read-only and never migrated: a store older than the chain is reported.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import msgspec
from sqlalchemy import Engine, LargeBinary, cast, create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError

from dronewatch.model import Alert
from dronewatch.store.chain import CONTENT, GENESIS, content_hash, link
from dronewatch.store.store import alert_row
from dronewatch.store.tables import alert_audit, alerts, chain_heads, metadata

_ALERT = msgspec.json.Decoder(Alert)
_WINDOW = 4096  # recent row hashes remembered, to tell an inserted row from a deleted one


@dataclass
class Problem:
    table: str
    row: str  # "id=17", "alert A00003", "head"
    what: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.what}"


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)  # rows checked per chained table
    heads: dict[str, str] = field(default_factory=dict)  # the tip row_hash per chain
    problems: list[Problem] = field(default_factory=list)  # the first bad row of each table

    @property
    def ok(self) -> bool:
        return not self.problems


def open_readonly(db: str) -> Engine:
    """An engine on ``db`` (a URL, or a path to a SQLite file opened read-only)."""
    if "://" in db:
        return create_engine(db)
    return create_engine(f"sqlite:///file:{db}?mode=ro&uri=true")


def verify(engine: Engine) -> Report:
    """Check every chain and the alerts against their audit; first bad row per table."""
    report = Report()
    names = set(inspect(engine).get_table_names())
    if "chain_heads" not in names:
        with engine.connect() as conn:
            version = conn.execute(text("select version_num from alembic_version")).scalar() \
                if "alembic_version" in names else None
        report.problems.append(Problem(
            "store", "schema", f"no hash chain (schema revision {version or 'none'}): open it once with "
            "this dronewatch (e.g. `dronewatch run --db`) to migrate it, then verify"))
        return report
    with engine.connect() as conn:
        heads = {r.name: r for r in conn.execute(select(chain_heads))}
        for name in CONTENT:
            problem, count, tip = _check_chain(conn, name, heads.get(name))
            report.rows[name] = count
            report.heads[name] = tip
            if problem is not None:
                report.problems.append(problem)
        problem = _check_alerts(conn)
        if problem is not None:
            report.problems.append(problem)
    return report


def _check_chain(conn: Any, name: str, head: Any) -> tuple[Problem | None, int, str]:
    table = metadata.tables[name]
    cols: list[Any] = [table.c[c] for c in ("id", *CONTENT[name], "content_hash", "prev_hash", "row_hash")]
    if name == "frames":  # as bytes whatever was stored (text written into it reads back too)
        cols.append(cast(table.c.data, LargeBinary).label("data"))
    prev, prev_id, count = GENESIS, None, 0
    recent: OrderedDict[str, int] = OrderedDict([(GENESIS, 0)])  # row_hash -> id
    problem: Problem | None = None
    for row in conn.execution_options(yield_per=2000).execute(select(*cols).order_by(table.c.id)):
        count += 1
        if problem is not None:
            continue
        where = f"id={row.id}"
        if row.content_hash is None or row.prev_hash is None or row.row_hash is None:
            problem = Problem(name, where, "no chain hashes: inserted outside dronewatch")
            continue
        if name == "frames" and hashlib.sha256(row.data).hexdigest() != row.sha256:
            problem = Problem(name, where, "frame bytes altered: they no longer hash to the row's sha256")
            continue
        if content_hash(name, row._mapping) != row.content_hash:
            problem = Problem(name, where, "content altered: it no longer hashes to the row's content_hash")
            continue
        if row.prev_hash != prev:
            after = f"id={prev_id}" if prev_id is not None else "the start"
            if row.prev_hash in recent:
                earlier = recent[row.prev_hash]
                problem = Problem(name, where, f"links to id={earlier}, not to the row before it ({after}): "
                                  f"this row or the rows after id={earlier} were inserted")
            else:
                problem = Problem(name, where, f"does not link to the row before it ({after}): "
                                  "a row before it was deleted, or that row's hashes were redone")
            continue
        if link(prev, row.content_hash) != row.row_hash:
            problem = Problem(name, where, "row_hash altered: it is not the hash of prev_hash and content_hash")
            continue
        prev, prev_id = row.row_hash, row.id
        recent[prev] = row.id
        if len(recent) > _WINDOW:
            recent.popitem(last=False)
    if problem is None:
        if head is None:
            problem = Problem(name, "head", "no chain head kept for this table")
        elif head.row_hash != prev or head.rows != count:
            if head.row_hash in recent and head.last_id != prev_id:
                first_extra = next(i for h, i in recent.items() if i > head.last_id)
                problem = Problem(name, f"id={first_extra}",
                                  f"inserted: after id={head.last_id}, the last row the chain head keeps")
            else:
                end = f"id={prev_id}" if prev_id is not None else "no row"
                problem = Problem(name, "head", f"the chain head keeps id={head.last_id} ({head.rows} rows) but "
                                  f"the table ends at {end} ({count} rows): rows at the end were deleted")
    return problem, count, prev


def _check_alerts(conn: Any) -> Problem | None:
    """Each alert's row equals its last audit row's version; no alert without its row."""
    last: dict[str, str] = {}
    q = select(alert_audit.c.alert_id, alert_audit.c.json).order_by(alert_audit.c.id)
    for r in conn.execution_options(yield_per=2000).execute(q):
        last[r.alert_id] = r.json
    seen = set()
    for r in conn.execute(select(alerts).order_by(alerts.c.alert_id)):
        seen.add(r.alert_id)
        if r.alert_id not in last:
            return Problem("alerts", f"alert {r.alert_id}", "has no audit row: inserted outside dronewatch")
        recorded = last[r.alert_id]
        try:
            columns_agree = alert_row(_ALERT.decode(recorded)) == dict(r._mapping)
        except msgspec.DecodeError:
            return Problem("alerts", f"alert {r.alert_id}", "its last audit row does not hold an alert")
        if recorded != r.json or not columns_agree:
            return Problem("alerts", f"alert {r.alert_id}", "differs from the version its last audit row recorded")
    missing = sorted(set(last) - seen)
    if missing:
        return Problem("alerts", f"alert {missing[0]}", "audited but its row is gone: deleted")
    return None


def verify_command(db: str, out: TextIO, err: TextIO) -> int:
    """``dronewatch verify --db FILE``: 0 when every chain holds, 1 naming the first bad row of
    each table, 2 when the store cannot be read."""
    if "://" not in db and not Path(db).is_file():
        err.write(f"error: {db}: no such store file\n")
        return 2
    engine = open_readonly(db)
    try:
        report = verify(engine)
    except DBAPIError as exc:
        err.write(f"error: {db}: cannot read the store ({exc.orig})\n")
        return 2
    finally:
        engine.dispose()
    for name, count in report.rows.items():
        out.write(f"{name}: {count} rows, tip {report.heads[name]}\n")
    if report.ok:
        out.write(f"{db}: OK, every evidence chain holds\n")
        return 0
    for problem in report.problems:
        err.write(f"BAD {problem}\n")
    err.write(f"{db}: {len(report.problems)} table(s) altered\n")
    return 1
