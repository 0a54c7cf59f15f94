"""The store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

``frames``, ``track_snapshots``, ``alert_audit`` and ``sites`` are evidence: rows are inserted,
never updated or deleted (the migrations add triggers that refuse it on SQLite), and each is a
hash chain (``chain.py``: ``content_hash``, ``prev_hash``, ``row_hash``; the tips in
``chain_heads``). ``alerts`` holds each alert's current state; every change to it adds an
``alert_audit`` row. ``sites`` keeps each site configuration a pipeline ran with (zones for
exports). ``webhook_outbox`` holds every webhook until its endpoint has it. Instants are UTC
epoch seconds (float).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _chain(table: str) -> tuple[Column[str], Column[str], Column[str], Index]:
    """The hash-chain columns of an evidence table (nullable only so that a migration can add
    them to existing rows; every row written since carries them)."""
    return (
        Column("content_hash", String(64), nullable=True),
        Column("prev_hash", String(64), nullable=True),
        Column("row_hash", String(64), nullable=True),
        Index(f"ux_{table}_prev_hash", "prev_hash", unique=True),
    )


frames = Table(
    "frames",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sensor_id", String(128), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("link", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Index("ix_frames_received_at", "received_at"),
    Index("ix_frames_sha256", "sha256"),
    *_chain("frames"),
)

track_snapshots = Table(
    "track_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("track_id", Integer, nullable=False),
    Column("at", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("alt_m", Float, nullable=False),
    Column("cls", String(16), nullable=False),
    Column("identity", String(256), nullable=True),
    Column("status", String(16), nullable=False),
    Column("json", Text, nullable=False),
    Index("ix_track_snapshots_track_at", "track_id", "at"),
    *_chain("track_snapshots"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(256), primary_key=True),
    Column("rule", String(64), nullable=False),
    Column("zone", String(256), nullable=True),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("track_id", Integer, nullable=False),
    Column("raised_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("acked_by", String(256), nullable=True),
    Column("json", Text, nullable=False),
    Index("ix_alerts_raised_at", "raised_at"),
    Index("ix_alerts_state", "state"),
)

alert_audit = Table(
    "alert_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(256), nullable=False),
    Column("at", Float, nullable=False),
    Column("by", String(256), nullable=False),
    Column("change", String(16), nullable=False),  # Alert.change: "raised", "members", "ack", ...
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=False),
    Column("json", Text, nullable=False),  # the alert after the change
    Column("note", Text, nullable=True),  # the operator's (or the system's) note
    Index("ix_alert_audit_alert_id", "alert_id"),
    *_chain("alert_audit"),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False),
    Column("at", Float, nullable=False),  # first used at
    Column("json", Text, nullable=False),  # the Site as configured (msgspec JSON)
    *_chain("sites"),
)

chain_heads = Table(
    "chain_heads",
    metadata,
    Column("name", String(64), primary_key=True),  # the chained table
    Column("last_id", BigInteger, nullable=False),
    Column("row_hash", String(64), nullable=False),
    Column("rows", BigInteger, nullable=False),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("endpoint", String(512), nullable=False),  # the output's name (default: its url)
    Column("webhook_id", String(64), nullable=False),  # the same on every retry
    Column("event_type", String(64), nullable=False),  # alert.raised / alert.updated / alert.resolved
    Column("alert_id", String(256), nullable=True),
    Column("body", Text, nullable=False),  # the JSON exactly as signed and sent
    Column("created_at", Float, nullable=False),  # wall clock, like every time below
    Column("status", String(16), nullable=False),  # pending / delivered / failed
    Column("attempts", Integer, nullable=False),
    Column("next_at", Float, nullable=False),
    Column("delivered_at", Float, nullable=True),
    Column("last_error", Text, nullable=True),
    Index("ix_webhook_outbox_due", "endpoint", "status", "next_at"),
    Index("ux_webhook_outbox_webhook_id", "webhook_id", unique=True),
)

# --- accounts (dronewatch.auth): users, API tokens, login sessions. Secrets are never stored:
# passwords as argon2 hashes, tokens and session ids as SHA-256 digests of long random strings.

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=True),  # null: a machine account (tokens only)
    Column("created_at", Float, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("user_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_api_tokens_user_name", "user_name"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("user_name", String(128), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_sessions_user_name", "user_name"),
)

#: Tables whose rows are evidence: insert-only.
INSERT_ONLY = ("frames", "track_snapshots", "alert_audit", "sites")
