"""Real servers for the edge -> hub tests: one PostgreSQL cluster per test session (a fresh
database per test), a fresh nats-server per test, and helpers to run `dronewatch hub`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hub_helpers import HubProcess

from realparts import NatsServer, PostgresCluster

_dbs = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster().init().start()
    yield cluster
    cluster.remove()


@pytest.fixture
def hub_db(pg_cluster: PostgresCluster) -> str:
    """An empty database (PostGIS is installed on the server; the hub enables it)."""
    return pg_cluster.create_db(f"hub{next(_dbs)}")


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture
def hub_factory(tmp_path: Path) -> Iterator[Callable[..., HubProcess]]:
    made: list[HubProcess] = []

    def make(bus: str, db: str, **kw: Any) -> HubProcess:
        hub = HubProcess(bus, db, tmp_path / f"hub{len(made)}.log", **kw)
        made.append(hub)
        return hub

    yield make
    for hub in made:
        hub.stop()


