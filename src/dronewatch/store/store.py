"""Evidence and history on a database: raw frames with their hash, track snapshots, alerts and
the audit trail of every alert change, the site configurations run (SQLAlchemy 2 Core +
Alembic; SQLite WAL by default).

Evidence is never rewritten: ``frames``, ``track_snapshots``, ``alert_audit`` and ``sites`` are
insert-only hash chains (``chain.py``; ``verify.py`` checks them), and an alert's state changes
only through an update that also appends an audit row (who, when, from, to, note).
Every call opens its own short transaction on a pooled connection, so FastAPI's threadpool
and one asyncio writer can share a ``Store``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, bindparam, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

from dronewatch.assess import lifecycle
from dronewatch.assess.lifecycle import Action
from dronewatch.model import Alert, AlertState, Frame, Track
from dronewatch.store import chain
from dronewatch.store.tables import alert_audit, alerts, frames, sites, track_snapshots

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SYSTEM = "system"  # who changed an alert when no person did

_ENCODER = msgspec.json.Encoder()
_ALERT_DECODER = msgspec.json.Decoder(Alert)


def _make_engine(url: str, busy_timeout_ms: int) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """The packaged migrations, optionally bound to an open connection."""
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "rule": alert.rule,
        "zone": alert.zone,
        "severity": alert.severity,
        "state": alert.state,
        "track_id": alert.track_id,
        "raised_at": alert.raised_at,
        "updated_at": alert.updated_at,
        "acked_by": alert.acked_by,
        "json": _ENCODER.encode(alert).decode(),
    }


def _audit_row(alert: Alert, change: str, by: str, from_state: AlertState | None, json_text: str) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "at": alert.updated_at,
        "by": by,
        "change": change,
        "from_state": from_state,
        "to_state": alert.state,
        "json": json_text,
        "note": alert.note,
    }


def _frame_rows(batch: Sequence[Frame]) -> list[dict[str, Any]]:
    return [
        {
            "sensor_id": f.sensor_id,
            "received_at": f.received_at,
            "link": f.link,
            "sha256": hashlib.sha256(f.data).hexdigest(),
            "data": bytes(f.data),
        }
        for f in batch
    ]


def _track_rows(tracks: Sequence[Track], at: float) -> list[dict[str, Any]]:
    return [
        {
            "track_id": t.track_id,
            "at": at,
            "lat": t.lat,
            "lon": t.lon,
            "alt_m": t.alt_m,
            "cls": t.cls,
            "identity": t.identity.key if t.identity is not None else None,
            "status": t.status,
            "json": _ENCODER.encode(t).decode(),
        }
        for t in tracks
    ]


def _write_alerts(conn: Connection, batch: Sequence[Alert]) -> int:
    """``Store.save_alerts`` inside the caller's transaction (which holds the audit chain's lock)."""
    ids = list({a.alert_id: None for a in batch})
    existing = {
        r.alert_id: (r.state, r.json)
        for r in conn.execute(
            select(alerts.c.alert_id, alerts.c.state, alerts.c.json).where(alerts.c.alert_id.in_(ids))
        )
    }
    stored = set(existing)
    audit_rows: list[dict[str, Any]] = []
    latest: dict[str, dict[str, Any]] = {}
    for a in batch:
        row = alert_row(a)
        before = existing.get(a.alert_id)
        if before is not None and before[1] == row["json"]:
            continue
        if before is None:
            change, by = "raised", a.by or SYSTEM
        else:
            newly_acked = a.state == "acknowledged" and before[0] != a.state
            change = a.change or "updated"
            by = a.by or (a.acked_by if newly_acked else None) or SYSTEM
        audit_rows.append(_audit_row(a, change, by, before[0] if before else None, row["json"]))
        existing[a.alert_id] = (a.state, row["json"])
        latest[a.alert_id] = row
    new_rows = [row for alert_id, row in latest.items() if alert_id not in stored]
    changed_rows = [
        {k: v for k, v in row.items() if k != "alert_id"} | {"b_id": alert_id}
        for alert_id, row in latest.items() if alert_id in stored
    ]
    if new_rows:
        conn.execute(insert(alerts), new_rows)
    if changed_rows:
        # executemany: the SET columns are the row keys (all but the id)
        conn.execute(update(alerts).where(alerts.c.alert_id == bindparam("b_id")), changed_rows)
    chain.append(conn, alert_audit, audit_rows)
    return len(audit_rows)


class Store:
    """One database: ``Store("sqlite:///path.db")`` creates or migrates it to the newest schema."""

    def __init__(self, url: str, busy_timeout_ms: int = 5000) -> None:
        self.url = url
        self.engine = _make_engine(url, busy_timeout_ms)
        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")

    # --- evidence ---------------------------------------------------------------------------

    def add_frames(self, batch: Sequence[Frame]) -> list[str]:
        """Keep frames exactly as received; returns their sha256 hex digests (in order)."""
        if not batch:
            return []
        rows = _frame_rows(batch)
        with self.engine.begin() as conn:
            chain.lock(conn, ["frames"])
            chain.append(conn, frames, rows)
        return [str(r["sha256"]) for r in rows]

    def record(self, batch: Sequence[Frame], changed: Sequence[Alert], tracks: Sequence[Track] | None,
               at: float) -> None:
        """One pipeline step in one transaction: its frames, its new or changed alerts (audited
        as ``save_alerts`` does) and, unless None, a snapshot of its tracks at ``at``. One lock
        of each chain and one commit per step instead of one per kind of row."""
        names = [n for n, rows in (("frames", batch), ("track_snapshots", tracks), ("alert_audit", changed)) if rows]
        if not names:
            return
        with self.engine.begin() as conn:
            chain.lock(conn, names)
            if batch:
                chain.append(conn, frames, _frame_rows(batch))
            if tracks:
                chain.append(conn, track_snapshots, _track_rows(tracks, at))
            if changed:
                _write_alerts(conn, changed)

    def frames(self, limit: int = 100, sha256: str | None = None) -> list[dict[str, Any]]:
        """Stored frames, oldest first (``data`` as bytes)."""
        q = select(frames).order_by(frames.c.id).limit(limit)
        if sha256 is not None:
            q = q.where(frames.c.sha256 == sha256)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # --- tracks -----------------------------------------------------------------------------

    def add_tracks(self, tracks: Sequence[Track], at: float) -> None:
        """Snapshot every track as it stood at ``at``."""
        if not tracks:
            return
        rows = _track_rows(tracks, at)
        with self.engine.begin() as conn:
            chain.lock(conn, ["track_snapshots"])
            chain.append(conn, track_snapshots, rows)

    def track_history(self, track_id: int, limit: int = 600) -> list[dict[str, Any]]:
        """The newest ``limit`` snapshots of one track, oldest first:
        ``{at, lat, lon, alt_m, cls, identity, status}``."""
        c = track_snapshots.c
        q = (
            select(c.at, c.lat, c.lon, c.alt_m, c.cls, c.identity, c.status)
            .where(c.track_id == track_id)
            .order_by(c.at.desc(), c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        rows.reverse()
        return rows

    def snapshots(self, track_ids: Sequence[int], since: float, until: float) -> list[dict[str, Any]]:
        """Snapshots of these tracks within [since, until], oldest first, whole:
        ``{id, track_id, at, lat, lon, alt_m, cls, identity, status, json, row_hash}``."""
        c = track_snapshots.c
        q = (
            select(c.id, c.track_id, c.at, c.lat, c.lon, c.alt_m, c.cls, c.identity, c.status, c.json, c.row_hash)
            .where(c.track_id.in_(list(track_ids)), c.at >= since, c.at <= until)
            .order_by(c.at, c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # --- alerts -----------------------------------------------------------------------------

    def save_alerts(self, batch: Sequence[Alert]) -> int:
        """Upsert each alert's current state; every new or changed version appends an audit row
        (at its ``updated_at``; change, who and note from the alert: ``change``, ``by``,
        ``note``). Several versions of one alert in a batch are audited in order. Returns how
        many audit rows were written."""
        if not batch:
            return 0
        with self.engine.begin() as conn:
            chain.lock(conn, ["alert_audit"])  # first: the audit chain's writers take turns
            return _write_alerts(conn, batch)

    def act(self, alert_id: str, action: Action, by: str, note: str | None, at: float) -> Alert | None:
        """An operator's action on a stored alert (``assess.lifecycle``), audited. Unknown id:
        None; a state that does not allow it: ``LifecycleError``; already done: unchanged."""
        with self.engine.begin() as conn:
            chain.lock(conn, ["alert_audit"])
            row = conn.execute(
                select(alerts.c.state, alerts.c.json).where(alerts.c.alert_id == alert_id)
            ).first()
            if row is None:
                return None
            alert = _ALERT_DECODER.decode(row.json)
            done = lifecycle.apply(alert, action, by, note, at)
            if done is alert:
                return alert
            values: dict[str, Any] = alert_row(done)
            result = conn.execute(
                update(alerts)
                .where(alerts.c.alert_id == alert_id, alerts.c.json == row.json)
                .values({k: v for k, v in values.items() if k != "alert_id"})
            )
            if result.rowcount != 1:  # someone else changed it in between
                raise RuntimeError(f"alert {alert_id} changed during {action}")
            chain.append(conn, alert_audit, [_audit_row(done, action, by, alert.state, values["json"])])
        return done

    def ack_alert(self, alert_id: str, by: str, at: float) -> Alert | None:
        """Acknowledge (``act(..., "ack")``); an alert that cannot be acknowledged is returned
        unchanged. Unknown: None."""
        try:
            return self.act(alert_id, "ack", by, None, at)
        except lifecycle.LifecycleError:
            return self.alert(alert_id)

    def alerts(self, limit: int = 500, state: str | None = None) -> list[Alert]:
        """Alerts, newest raised first, optionally only those in ``state``."""
        q = select(alerts.c.json).order_by(alerts.c.raised_at.desc(), alerts.c.alert_id).limit(limit)
        if state is not None:
            q = q.where(alerts.c.state == state)
        with self.engine.connect() as conn:
            return [_ALERT_DECODER.decode(r.json) for r in conn.execute(q)]

    def alert(self, alert_id: str) -> Alert | None:
        with self.engine.connect() as conn:
            text = conn.execute(select(alerts.c.json).where(alerts.c.alert_id == alert_id)).scalar()
        return None if text is None else _ALERT_DECODER.decode(text)

    def audit(self, limit: int = 500, alert_id: str | None = None) -> list[dict[str, Any]]:
        """Audit rows, newest first: ``{id, alert_id, at, by, change, from_state, to_state, note,
        row_hash}`` (``row_hash``: the row's link in the evidence chain)."""
        c = alert_audit.c
        q = select(c.id, c.alert_id, c.at, c.by, c.change, c.from_state, c.to_state, c.note, c.row_hash)
        if alert_id is not None:
            q = q.where(c.alert_id == alert_id)
        q = q.order_by(c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def audit_versions(self, alert_id: str) -> list[tuple[dict[str, Any], Alert]]:
        """Every audit row of one alert, oldest first, with the alert as it stood after it."""
        c = alert_audit.c
        q = (select(c.id, c.at, c.by, c.change, c.from_state, c.to_state, c.note, c.content_hash,
                    c.prev_hash, c.row_hash, c.json)
             .where(c.alert_id == alert_id).order_by(c.id))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        return [({k: v for k, v in r.items() if k != "json"}, _ALERT_DECODER.decode(r["json"])) for r in rows]

    # --- sites ------------------------------------------------------------------------------

    def save_site(self, name: str, site_json: str, at: float) -> bool:
        """Keep a site configuration (``json``: the Site as msgspec JSON) unless it is already
        the newest kept under ``name``. Returns whether a row was added."""
        with self.engine.begin() as conn:
            chain.lock(conn, ["sites"])
            newest = conn.execute(
                select(sites.c.json).where(sites.c.name == name).order_by(sites.c.id.desc()).limit(1)
            ).scalar()
            if newest == site_json:
                return False
            chain.append(conn, sites, [{"name": name, "at": at, "json": site_json}])
        return True

    def sites(self, at: float | None = None) -> list[dict[str, Any]]:
        """Kept site configurations, newest first (``{id, name, at, json}``); with ``at``, those
        first used at or before it."""
        q = select(sites.c.id, sites.c.name, sites.c.at, sites.c.json).order_by(sites.c.id.desc())
        if at is not None:
            q = q.where(sites.c.at <= at)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def chain_heads(self) -> dict[str, dict[str, Any]]:
        """The tip of each evidence chain: ``{table: {last_id, row_hash, rows}}``."""
        with self.engine.connect() as conn:
            return chain.heads(conn)

    # --- housekeeping -----------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for name, table in (
                ("frames", frames),
                ("track_snapshots", track_snapshots),
                ("alerts", alerts),
                ("alert_audit", alert_audit),
            ):
                out[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        return out

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
