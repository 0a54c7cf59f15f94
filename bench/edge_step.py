"""CPU time of one edge's pipeline step, by stage: one `bench/scale.py` site (M drones, radar +
Remote ID, a critical and an info circle zone) stepped every 0.5 s of scenario time as the live
edge steps it, as fast as the CPU allows, with the edge's SQLite store and live picture.

    .venv/bin/python bench/edge_step.py [--drones 100] [--duration 60] [--seed 1] [--profile N]

Stages (CPU time, ``time.process_time``, per step): sim (``Simulation.advance``), decode, track,
assess (forget + classify + rules + alert book; ``classify`` alone is shown beside it), store
(``Store.record``) and live (``LiveState.apply`` and the in-process bus publish). Prints one
JSON line. ``--profile N``: also cProfile the whole run and print the top N functions by
cumulative time (to stderr). Compare runs by CPU time in the same conditions (load beside).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import json
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import msgspec
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dronewatch.api import LiveState
from dronewatch.bus import InProcessBus
from dronewatch.config import load_scenario
from dronewatch.model import Update
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation
from dronewatch.store import Store
from scale import scenario

STAGES = ("sim", "decode", "track", "assess", "classify", "store", "live")


class Timed:
    """Wraps a bound method, adding its CPU time to ``totals[name]``."""

    def __init__(self, totals: dict[str, float], name: str, fn: object) -> None:
        self.totals, self.name, self.fn = totals, name, fn

    def __call__(self, *args: object, **kwargs: object) -> object:
        t0 = time.process_time()
        try:
            return self.fn(*args, **kwargs)  # type: ignore[operator]
        finally:
            self.totals[self.name] += time.process_time() - t0


def run(drones: int, duration: float, seed: int, step_s: float = 0.5) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="dw-edgestep-"))
    path = work / "site.yaml"
    path.write_text(yaml.safe_dump(scenario(0, drones, duration, seed), sort_keys=False))
    scen = load_scenario(path)
    start = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    sim = Simulation(msgspec.structs.replace(scen, start=start))
    store = Store(f"sqlite:///{work / 'site.db'}")
    bus = InProcessBus()
    live = LiveState(scen.site)
    pipe = Pipeline(scen.site, sim.frame, store=store, bus=bus, alert_id_prefix="x-")
    totals: dict[str, float] = defaultdict(float)
    pipe.decoder.decode = Timed(totals, "decode", pipe.decoder.decode)  # type: ignore[method-assign]
    pipe.tracker.process = Timed(totals, "track", pipe.tracker.process)  # type: ignore[method-assign]
    pipe.assessor.assess = Timed(totals, "assess", pipe.assessor.assess)  # type: ignore[method-assign]
    pipe.assessor.forget = Timed(totals, "assess", pipe.assessor.forget)  # type: ignore[method-assign]
    clf = pipe.assessor._classifier
    clf.classify_all = Timed(totals, "classify", clf.classify_all)  # type: ignore[method-assign]
    store.record = Timed(totals, "store", store.record)  # type: ignore[method-assign]
    bus.publish = Timed(totals, "live", bus.publish)  # type: ignore[method-assign]
    alerts: list[tuple[str, str, int, str]] = []
    now, steps = sim.start_at, 0
    cpu0 = time.process_time()
    while now < sim.end_at:
        now = min(now + step_s, sim.end_at)
        t0 = time.process_time()
        frames = sim.advance(now)
        totals["sim"] += time.process_time() - t0
        update: Update = pipe.step(frames, now)
        t0 = time.process_time()
        live.apply(update)
        totals["live"] += time.process_time() - t0
        alerts.extend((a.alert_id, a.rule, a.track_id or -1, a.state) for a in update.alerts)
        steps += 1
    cpu = time.process_time() - cpu0
    store.close()
    per_step = {k: round(1000 * totals[k] / steps, 2) for k in STAGES}
    ours = totals["assess"] - totals["classify"] + totals["store"] + totals["live"]
    return {
        "drones": drones, "duration_s": duration, "seed": seed, "steps": steps,
        "cpu_ms_per_step": round(1000 * cpu / steps, 2), "stage_cpu_ms_per_step": per_step,
        "assess_rules_store_live_ms_per_step": round(1000 * ours / steps, 2),
        "alerts": len(alerts), "alert_changes_sha256": hashlib.sha256(json.dumps(alerts).encode()).hexdigest()[:16],
        "load": os.getloadavg()[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drones", type=int, default=100)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", type=int, default=0, help="cProfile; print the top N by cumulative time")
    args = ap.parse_args()
    if args.profile:
        prof = cProfile.Profile()
        out = prof.runcall(run, args.drones, args.duration, args.seed)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(args.profile)
    else:
        out = run(args.drones, args.duration, args.seed)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
