"""CPU per live step of one edge's simulator: ``bench/scale.py``'s site with M drones, stepped 0.5 s.

    .venv/bin/python bench/sim_cpu.py [--drones 100] [--duration 120] [--site 0] [--profile]

Builds the site ``bench/scale.py --drones M`` gives edge ``--site`` (a radar and a Remote ID
receiver; drones on straight routes appearing over the first 40 % of the run), then advances the
simulator alone through the run in the live loop's 0.5 s steps (``runner.run_live``) and counts
the CPU time (``time.process_time``) each ``advance`` takes: no pipeline, no bus. CPU time, not
wall time, so a busy machine changes the figure little; still, say the load beside it. Last line
JSON: mean and p99 CPU ms per step over the steps after the last drone appeared, frames per step,
and a sha256 of every frame's bytes (the same for the same seed whatever the code's speed, so an
A/B run shows the output unchanged). ``--profile`` prints the top of a cProfile of the run.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

import yaml

from dronewatch.config import load_scenario
from dronewatch.sources.sim import Simulation

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import scenario as scale_site  # the site bench/scale.py gives an edge (imported, not copied)

STEP_S = 0.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drones", type=int, default=100)
    ap.add_argument("--duration", type=float, default=120.0)
    ap.add_argument("--site", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "site.yaml"
        path.write_text(yaml.safe_dump(scale_site(args.site, args.drones, args.duration, args.seed), sort_keys=False))
        scenario = load_scenario(path)
    c0 = time.process_time()
    sim = Simulation(scenario)
    setup_cpu_s = time.process_time() - c0
    all_in_at = sim.start_at + 0.4 * args.duration + 1.0  # bench/scale.py: drones appear by 40 %
    digest = hashlib.sha256()
    cpu_ms: list[float] = []
    frames = 0
    prof = cProfile.Profile() if args.profile else None
    if prof is not None:
        prof.enable()
    at = sim.start_at
    while at < sim.end_at:
        at = min(at + STEP_S, sim.end_at)
        c = time.process_time()
        out = sim.advance(at)
        spent = time.process_time() - c
        for f in out:
            digest.update(f.sensor_id.encode())
            digest.update(f.link.encode())
            digest.update(repr(f.received_at).encode())
            digest.update(f.data)
        if at > all_in_at:
            cpu_ms.append(spent * 1000.0)
            frames += len(out)
    if prof is not None:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    cpu_ms.sort()
    n = max(len(cpu_ms), 1)
    print(json.dumps({
        "drones": args.drones, "duration_s": args.duration, "site": args.site, "seed": args.seed,
        "setup_cpu_s": round(setup_cpu_s, 3), "steps": len(cpu_ms),
        "cpu_ms_per_step": round(sum(cpu_ms) / n, 2),
        "cpu_ms_per_step_p99": round(cpu_ms[min(len(cpu_ms) - 1, round(0.99 * (len(cpu_ms) - 1)))], 2)
        if cpu_ms else None,
        "frames_per_step": round(frames / n, 1), "frames_sha256": digest.hexdigest()[:16],
    }))


if __name__ == "__main__":
    main()
