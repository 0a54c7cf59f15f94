"""Real servers for the edge -> hub tests: one PostgreSQL cluster per test session (a fresh
database per test), a fresh nats-server per test, and helpers to run `dronewatch hub`."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from realparts import NatsServer, PostgresCluster, free_port, wait_port

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


class HubProcess:
    """``dronewatch hub`` as a real process (so it can be killed with SIGKILL)."""

    def __init__(self, bus: str, db: str, log: Path, ack_wait_s: float = 30.0) -> None:
        self.bus, self.db, self.log, self.ack_wait_s = bus, db, log, ack_wait_s
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HubProcess:
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dronewatch.cli", "hub", "--bus", self.bus, "--db", self.db,
                 "--host", "127.0.0.1", "--port", str(self.port), "--ack-wait", str(self.ack_wait_s)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        wait_port(self.port, 60)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


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


def pg_query(url: str, sql: str, *args: Any) -> list[Any]:
    """Run one query on the hub database (a fresh connection each time)."""
    import asyncpg

    async def go() -> list[Any]:
        conn = await asyncpg.connect(url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(go())


def wait_for(check: Callable[[], bool], timeout_s: float, what: str, every_s: float = 0.25) -> float:
    """Poll ``check`` until true; return the seconds it took, or fail naming ``what``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if check():
            return time.monotonic() - t0
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
