"""Alembic environment for the hub's PostgreSQL/PostGIS schema: runs on the connection the hub
hands over (``config.attributes["connection"]``); version table ``hub_alembic_version`` so an
edge schema in the same database never collides."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the hub runs its migrations itself: dronewatch hub --db postgresql://...")
context.configure(connection=connection, version_table="hub_alembic_version")
with context.begin_transaction():
    context.run_migrations()
