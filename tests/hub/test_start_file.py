"""`dronewatch demo --start-file`: the edge sets up (console, bus connection), says it is ready and
runs nothing until the file holds a start instant; then its scenario starts at that instant (what
bench/scale.py uses to start many edges together once all can run)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import httpx
from hub_helpers import wait_for
from hub_scenes import write

from realparts import free_port, wait_port


def test_edge_waits_for_its_start_file_then_starts_at_its_instant(tmp_path, nats) -> None:
    scene = write(tmp_path, duration_s=60.0)["alpha"]
    db, start_file, port = tmp_path / "alpha.db", tmp_path / "start", free_port()
    with open(tmp_path / "edge.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dronewatch.cli", "demo", "--scenario", str(scene), "--db", str(db), "--port",
             str(port), "--no-loop", "--bus", nats.url, "--start-file", str(start_file)],
            stdout=log, stderr=subprocess.STDOUT, env=os.environ | {"PYTHONUNBUFFERED": "1"})
    try:
        wait_port(port, 60)

        def ingest() -> dict:
            return dict(httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()["ingest"])

        def frames() -> list[float]:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                return [r[0] for r in conn.execute("SELECT received_at FROM frames ORDER BY received_at")]

        wait_for(lambda: ingest().get("scenario") == "ready", 60, "the edge to say it is ready")
        assert ingest()["bus"]["connected"]
        time.sleep(2.0)
        assert ingest()["scenario"] == "ready" and not frames()  # waiting: nothing simulated yet

        start = time.time() + 1.0
        start_file.write_text(repr(start))
        wait_for(lambda: len(frames()) > 10, 60, "the scenario's first frames")
        assert ingest()["scenario"] == "running"
        first = frames()[0]
        assert start <= first < start + 2.0, (first - start)
    finally:
        proc.terminate()
        proc.wait(15)
