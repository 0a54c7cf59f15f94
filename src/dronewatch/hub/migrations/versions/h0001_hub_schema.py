"""The hub's schema: every site's frames, track snapshots, alerts and audit rows, with PostGIS
geometry and spatial indexes; frames and track snapshots are partitioned by day (the hub adds a
partition before it writes a day's first row; a default partition catches anything else).

Keys make ingest idempotent: ``msg_id`` (the edge's natural key) for frames, snapshots and audit
rows, ``(site, alert_id)`` for alerts with the edge's alert id unchanged.

Revision ID: h0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "h0001"
down_revision = None
branch_labels = None
depends_on = None

DDL = [
    """CREATE TABLE sites (
        site text PRIMARY KEY,
        config jsonb NOT NULL,
        updated_at double precision NOT NULL)""",
    """CREATE TABLE frames (
        site text NOT NULL,
        msg_id text NOT NULL,
        edge_id bigint NOT NULL,
        sensor_id text NOT NULL,
        received_at double precision NOT NULL,
        link text NOT NULL,
        sha256 char(64) NOT NULL,
        data bytea NOT NULL,
        extra jsonb NOT NULL DEFAULT '{}',
        ingested_at double precision NOT NULL,
        PRIMARY KEY (msg_id, received_at)) PARTITION BY RANGE (received_at)""",
    "CREATE TABLE frames_default PARTITION OF frames DEFAULT",
    "CREATE INDEX ix_frames_site_received ON frames (site, received_at)",
    "CREATE INDEX ix_frames_sha256 ON frames (sha256)",
    """CREATE TABLE track_snapshots (
        site text NOT NULL,
        msg_id text NOT NULL,
        edge_id bigint NOT NULL,
        track_id integer NOT NULL,
        global_id bigint,
        at double precision NOT NULL,
        lat double precision NOT NULL,
        lon double precision NOT NULL,
        alt_m double precision NOT NULL,
        cls text NOT NULL,
        identity text,
        status text NOT NULL,
        json jsonb NOT NULL,
        geom geometry(PointZ, 4326) NOT NULL,
        PRIMARY KEY (msg_id, at)) PARTITION BY RANGE (at)""",
    "CREATE TABLE track_snapshots_default PARTITION OF track_snapshots DEFAULT",
    "CREATE INDEX ix_track_snapshots_site_track_at ON track_snapshots (site, track_id, at)",
    "CREATE INDEX ix_track_snapshots_global ON track_snapshots (global_id, at)",
    "CREATE INDEX ix_track_snapshots_geom ON track_snapshots USING gist (geom)",
    """CREATE TABLE live_tracks (
        site text NOT NULL,
        track_id integer NOT NULL,
        global_id bigint NOT NULL,
        at double precision NOT NULL,
        json jsonb NOT NULL,
        geom geometry(PointZ, 4326) NOT NULL,
        PRIMARY KEY (site, track_id))""",
    "CREATE INDEX ix_live_tracks_geom ON live_tracks USING gist (geom)",
    """CREATE TABLE global_tracks (
        global_id bigserial PRIMARY KEY,
        identity text,
        cls text NOT NULL,
        first_site text NOT NULL,
        last_site text NOT NULL,
        last_track_id integer NOT NULL,
        last_at double precision NOT NULL,
        lat double precision NOT NULL,
        lon double precision NOT NULL,
        alt_m double precision NOT NULL,
        ve double precision NOT NULL,
        vn double precision NOT NULL,
        sites text[] NOT NULL)""",
    "CREATE INDEX ix_global_tracks_identity ON global_tracks (identity)",
    "CREATE INDEX ix_global_tracks_last_at ON global_tracks (last_at)",
    """CREATE TABLE track_links (
        site text NOT NULL,
        track_id integer NOT NULL,
        first_at double precision NOT NULL,
        global_id bigint NOT NULL REFERENCES global_tracks (global_id),
        how text NOT NULL,
        PRIMARY KEY (site, track_id, first_at))""",
    """CREATE TABLE alerts (
        site text NOT NULL,
        alert_id text NOT NULL,
        rule text NOT NULL,
        zone text,
        severity text NOT NULL,
        state text NOT NULL,
        track_id integer NOT NULL,
        raised_at double precision NOT NULL,
        updated_at double precision NOT NULL,
        last_change_at double precision NOT NULL,
        last_edge_id bigint NOT NULL,
        json jsonb NOT NULL,
        geom geometry(PointZ, 4326),
        ingested_at double precision NOT NULL,
        PRIMARY KEY (site, alert_id))""",
    "CREATE INDEX ix_alerts_raised ON alerts (raised_at)",
    "CREATE INDEX ix_alerts_geom ON alerts USING gist (geom)",
    """CREATE TABLE alert_audit (
        site text NOT NULL,
        msg_id text NOT NULL,
        edge_id bigint NOT NULL,
        alert_id text NOT NULL,
        at double precision NOT NULL,
        by text NOT NULL,
        change text NOT NULL,
        from_state text,
        to_state text NOT NULL,
        json jsonb NOT NULL,
        extra jsonb NOT NULL DEFAULT '{}',
        ingested_at double precision NOT NULL,
        PRIMARY KEY (site, msg_id))""",
    "CREATE INDEX ix_alert_audit_alert ON alert_audit (site, alert_id, edge_id)",
]


def upgrade() -> None:
    for statement in DDL:
        op.execute(statement)


def downgrade() -> None:
    for table in ("alert_audit", "alerts", "track_links", "global_tracks", "live_tracks",
                  "track_snapshots", "frames", "sites"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
