"""How many times faster than real time the built-in stadium scenario runs in fast mode.

    .venv/bin/python bench/scenario_speed.py [--scenario stadium] [--repeat 3] [--db]

Pins itself to one core (os.sched_setaffinity) and prints one JSON line per run and a summary;
the target is at least 50x real time. ``--db`` also records every step to a fresh SQLite store
(frames, track snapshots, audited alerts on their hash chains), as ``dronewatch run --db`` does.
The figure is a ratio (simulated seconds / wall seconds)
measured in this run, so it compares across machines better than a time.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from dronewatch.config import load_scenario, resolve_scenario
from dronewatch.runner import run_fast


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="stadium")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", action="store_true", help="record to a SQLite store as well")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    scenario = load_scenario(resolve_scenario(args.scenario))
    speedups = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            s = run_fast(scenario, Path(tmp), db_url=f"sqlite:///{tmp}/run.db" if args.db else None)
        speedups.append(s.speedup)
        print(json.dumps({"run": i, "scenario": s.scenario, "sim_s": s.sim_seconds,
                          "wall_s": round(s.wall_seconds, 3), "x_real_time": round(s.speedup, 1),
                          "frames": s.frames, "alerts": sum(s.alerts_by_rule.values())}))
    best = max(speedups)
    print(json.dumps({"scenario": args.scenario, "cores": 1, "db": args.db, "x_real_time_best": round(best, 1),
                      "x_real_time_median": round(sorted(speedups)[len(speedups) // 2], 1),
                      "target": 50, "meets_target": best >= 50}))


if __name__ == "__main__":
    main()
