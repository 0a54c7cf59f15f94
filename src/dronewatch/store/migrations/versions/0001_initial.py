"""Initial store: frames, track snapshots, alerts, alert audit.

On SQLite, triggers refuse UPDATE and DELETE on the evidence tables (frames, alert_audit).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVIDENCE = ("frames", "alert_audit")


def upgrade() -> None:
    op.create_table(
        "frames",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sensor_id", sa.String(128), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("link", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_frames_received_at", "frames", ["received_at"])
    op.create_index("ix_frames_sha256", "frames", ["sha256"])

    op.create_table(
        "track_snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("track_id", sa.Integer, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("alt_m", sa.Float, nullable=False),
        sa.Column("cls", sa.String(16), nullable=False),
        sa.Column("identity", sa.String(256), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("json", sa.Text, nullable=False),
    )
    op.create_index("ix_track_snapshots_track_at", "track_snapshots", ["track_id", "at"])

    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(256), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("zone", sa.String(256), nullable=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("track_id", sa.Integer, nullable=False),
        sa.Column("raised_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("acked_by", sa.String(256), nullable=True),
        sa.Column("json", sa.Text, nullable=False),
    )
    op.create_index("ix_alerts_raised_at", "alerts", ["raised_at"])
    op.create_index("ix_alerts_state", "alerts", ["state"])

    op.create_table(
        "alert_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.String(256), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("by", sa.String(256), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("json", sa.Text, nullable=False),
    )
    op.create_index("ix_alert_audit_alert_id", "alert_audit", ["alert_id"])

    if op.get_bind().dialect.name == "sqlite":
        for table in _EVIDENCE:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is evidence: insert-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _EVIDENCE:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    for table in ("alert_audit", "alerts", "track_snapshots", "frames"):
        op.drop_table(table)
