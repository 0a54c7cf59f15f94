"""Helpers for tests that run ``dronewatch serve`` and ``dronewatch replay`` as processes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def dronewatch(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dronewatch.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def serve(site: Path, tmp: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``dronewatch serve`` and wait for its API; returns (process, base URL)."""
    http = free_port()
    proc = dronewatch("serve", "--site", str(site), "--port", str(http), "--udp",
                      f"127.0.0.1:{free_port(socket.SOCK_DGRAM)}", "--db", str(tmp / "serve.db"), *extra)
    base = f"http://127.0.0.1:{http}"
    deadline = time.monotonic() + 90  # a start, not a speed check: a loaded machine can take a minute
    while True:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read() if proc.stdout else "serve exited")
        try:
            get(base + "/api/health")
            return proc, base
        except OSError:
            if time.monotonic() > deadline:
                stop(proc)  # the caller never gets it to stop
                raise AssertionError("serve did not come up") from None
            time.sleep(0.2)


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def stop(*procs: subprocess.Popen[str]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
