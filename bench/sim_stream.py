"""Set-up time and memory of a long, crowded simulation: 1,000 drones over an hour.

    .venv/bin/python bench/sim_stream.py [--drones 1000] [--minutes 60] [--sensors radar,remoteid]

Writes a scenario file (random straight and looping routes within 4 km of the origin, a radar and
a Remote ID receiver), then measures, on one core: the seconds from reading the file to a
simulation ready to run (load + validate + set up), and the peak resident memory while the
simulator advances through the whole run in 1 s steps (frames made and dropped: the pipeline is
not part of this figure). Last line JSON. Targets: set-up <= 2 s, peak <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import yaml

from dronewatch.config import load_scenario
from dronewatch.sources.sim import Simulation


def scenario(drones: int, minutes: float, seed: int, sensors: list[str]) -> dict[str, object]:
    rng = random.Random(seed)
    lat0, lon0 = 48.85, 2.35
    m_lat, m_lon = 1 / 111_320, 1 / (111_320 * math.cos(math.radians(lat0)))
    objects = []
    for i in range(drones):
        pts = []
        for _ in range(rng.randint(2, 5)):
            r, a = rng.uniform(0, 4000), rng.uniform(0, 2 * math.pi)
            pts.append({"lat": lat0 + r * math.cos(a) * m_lat, "lon": lon0 + r * math.sin(a) * m_lon,
                        "alt_m": rng.uniform(20, 150)})
        pts[0]["t"] = rng.uniform(0, 120)
        obj: dict[str, object] = {"id": f"d{i}", "kind": "multirotor", "speed_mps": rng.uniform(5, 18),
                                  "loop": True, "waypoints": pts}
        if i % 2:
            obj["remote_id"] = {"serial": f"1596BENCH{i:07d}"}
        objects.append(obj)
    kinds = {"radar": {"id": "radar-1", "kind": "radar", "lat": lat0, "lon": lon0, "range_m": 5000,
                       "false_alarms_per_scan": 2},
             "remoteid": {"id": "rid-1", "kind": "remoteid", "lat": lat0, "lon": lon0, "range_m": 5000}}
    return {"name": "crowded-hour", "seed": seed, "duration_s": minutes * 60,
            "site": {"name": "bench", "origin": {"lat": lat0, "lon": lon0, "alt_m": 35},
                     "sensors": [kinds[k] for k in sensors]},
            "objects": objects}


def rss_now() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drones", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--sensors", default="radar,remoteid")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crowded.yaml"
        path.write_text(yaml.safe_dump(scenario(args.drones, args.minutes, args.seed, args.sensors.split(","))))
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        sim = Simulation(load_scenario(path))
        setup_s = time.perf_counter() - t0
        rss_setup = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        frames = 0
        t1 = time.perf_counter()
        at = sim.start_at
        while at < sim.end_at:
            at = min(at + 1.0, sim.end_at)
            frames += len(sim.advance(at))
            if int(at - sim.start_at) % 300 == 0:
                print(json.dumps({"sim_min": round((at - sim.start_at) / 60), "frames": frames,
                                  "rss_mib": round(rss_now()),
                                  "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}),
                      flush=True)
        run_s = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"drones": args.drones, "minutes": args.minutes, "setup_s": round(setup_s, 3),
                      "rss_before_mib": round(rss0), "rss_after_setup_mib": round(rss_setup),
                      "peak_rss_mib": round(peak), "frames": frames, "run_s": round(run_s, 1),
                      "x_real_time": round(args.minutes * 60 / run_s, 1),
                      "targets": {"setup_s": 2.0, "peak_rss_mib": 500}}))


if __name__ == "__main__":
    main()
