"""CPU per output for one 1,000-track update: where the outputs' work goes.

    .venv/bin/python bench/outputs_cpu.py [--drones 1000] [--duration 40] [--profile]

The scene of bench/outputs.py, stepped through the Pipeline; then each output handles the
updates of the second half (every drone up) one after another on this thread, sending to the
real far ends of bench/outputs.py (their own process). CPU is ``time.process_time`` of this
process over all the updates (the output's own helper threads, e.g. paho's network thread,
included), divided by the number of updates; the anchor is the pipeline's CPU per step in the
same run. ``--profile`` prints each output's top functions (cProfile; slower). Last line JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dronewatch.pipeline import Pipeline
from dronewatch.sinks.manager import build_output
from dronewatch.sources.sim import Simulation
from dronewatch.store import Store
from outputs import SECRET, RemoteFar, scenario, simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drones", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=40.0)
    ap.add_argument("--step", type=float, default=0.5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    os.environ["DW_BENCH_HOOK"] = SECRET
    scen = scenario(args.drones, args.duration)
    frames = simulate(scen, args.step)
    pipeline = Pipeline(scen.site, Simulation(scen).frame)
    t0 = time.process_time()
    updates = [pipeline.step(batch, now) for now, batch in frames]
    pipeline_ms = 1e3 * (time.process_time() - t0) / len(frames)
    updates = updates[len(updates) // 2:]
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d:
        far = RemoteFar(Path(d))
        store = Store(f"sqlite:///{d}/outbox.db")
        site = msgspec.structs.replace(scen.site, outputs=far.outputs())
        try:
            for spec in site.outputs:
                out = build_output(spec, site, store)
                out.open()
                prof = cProfile.Profile()
                t0 = time.process_time()
                if args.profile:
                    prof.enable()
                for update in updates:
                    out.handle(update)
                if args.profile:
                    prof.disable()
                ms = 1e3 * (time.process_time() - t0) / len(updates)
                result[f"{out.kind}_cpu_ms_per_update"] = round(ms, 2)
                print(f"{out.kind}: {ms:.1f} ms CPU per update, {out.sent} messages sent", flush=True)
                if args.profile:
                    pstats.Stats(prof).sort_stats("tottime").print_stats(10)
                out.shutdown()
        finally:
            far.arrivals()
            far.stop()
            store.close()
    total = sum(result.values())
    print(json.dumps({"bench": "outputs_cpu", "drones": args.drones, "updates": len(updates),
                      "pipeline_cpu_ms_per_step": round(pipeline_ms, 2), **result,
                      "outputs_cpu_ms_per_update": round(total, 2),
                      "outputs_over_pipeline": round(total / pipeline_ms, 3),
                      "load_avg_1min": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
