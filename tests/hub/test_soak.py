"""Soak (slow, `pytest -m slow`): `bench/scale.py` for 10 minutes of real time; the hub's memory
stays flat and neither an edge's backlog nor the hub's grows. Run by hand or in a nightly job;
`make test` skips it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale.py"


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the suite's 300 s limit would stop the 10-minute run half-way
def test_ten_minute_soak_flat_memory_no_growing_backlog() -> None:
    sites = os.environ.get("SOAK_SITES", "4")
    drones = os.environ.get("SOAK_DRONES", "50")
    out = subprocess.run([sys.executable, str(BENCH), "--sites", sites, "--drones", drones, "--duration", "600",
                          "--sample-s", "30"], capture_output=True, text=True, timeout=1200, check=True).stdout
    print(out)  # the samples and the summary: `pytest -s` shows them for the report
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    summary, samples = lines[-1], lines[:-1]
    assert summary["alerts"] > 0
    rss = summary["hub_rss_mib"]
    assert rss["second_half_max"] <= rss["first_half_max"] * 1.15 + 20, rss
    backlogs = [s["backlog"] for s in samples]
    half = len(backlogs) // 2
    assert max(backlogs[half:]) <= max(backlogs[:half]) + 200, backlogs
    assert summary["backlog_end"] <= 500, summary
    # nor the hub's: what JetStream holds that the hub has not yet stored (all lanes)
    pending = [s["hub_pending"] or 0 for s in samples]
    assert max(pending[half:]) <= max(pending[:half]) + 2000, pending
