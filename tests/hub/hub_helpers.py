"""Helpers for the edge -> hub tests: `dronewatch hub` as a real process, one-off queries on the
hub database, and polling with a deadline."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from realparts import free_port, wait_port


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
