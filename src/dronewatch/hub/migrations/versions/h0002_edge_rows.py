"""Keep each track snapshot's and audit row's record exactly as the edge stored it (``edge_row``),
so the edge's evidence hash chain can be checked again at the hub.

Revision ID: h0002
Revises: h0001
"""

from __future__ import annotations

from alembic import op

revision = "h0002"
down_revision = "h0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE track_snapshots ADD COLUMN edge_row jsonb")
    op.execute("ALTER TABLE alert_audit ADD COLUMN edge_row jsonb")
    op.execute("CREATE INDEX ix_frames_site_edge ON frames (site, edge_id)")
    op.execute("CREATE INDEX ix_track_snapshots_site_edge ON track_snapshots (site, edge_id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_track_snapshots_site_edge")
    op.execute("DROP INDEX IF EXISTS ix_frames_site_edge")
    op.execute("ALTER TABLE alert_audit DROP COLUMN edge_row")
    op.execute("ALTER TABLE track_snapshots DROP COLUMN edge_row")
