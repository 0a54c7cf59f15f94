"""Many sites into one hub: N edge processes (each `dronewatch demo --bus` simulating its own
site with M drones, in real time), one or two `dronewatch hub` processes, NATS JetStream and
PostgreSQL/PostGIS, all on this machine.

    .venv/bin/python bench/scale.py --sites 10 --drones 100 [--duration 120] [--hubs 1]
        [--bus nats://HOST:4222] [--db postgresql://USER@HOST:PORT/DB]

Without --bus / --db it starts its own nats-server and a throwaway PostgreSQL cluster (the
Debian packages `make test` installs). Figures: reports/s the edges decoded, sensor-to-hub alert
latency (the hub's first write of an alert minus the instant the edge's pipeline raised it; both
clocks are this machine's), hub memory (RSS) over the run, and each edge's backlog at the end.
`alert_stages_ms` splits each alert's latency by stage (see dronewatch.hub.latency): how late
the edge's step began, the step itself, until the edge's publisher read the row, the publish,
JetStream to the hub's fetch, the hub's commit; p50/p99/max each, and each stage's mean over the
slowest 1% (where the tail comes from). Prints one JSON line per sample and, last, the summary
line. Targets (2 cores): 10 sites x 100 drones with p99 <= 500 ms; `--duration 600` is the soak
(memory flat, no growing backlog).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from realparts import NatsServer, PostgresCluster, free_port, wait_port


def scenario(k: int, drones: int, duration_s: float, seed: int) -> dict[str, Any]:
    """Site k, 20 km from its neighbours, with a critical zone, a radar and a Remote ID receiver;
    drones on random straight routes, a third of them through the zone (no Remote ID)."""
    rng = random.Random(seed * 1000 + k)
    lat = 50.0 + 0.18 * (k // 5)
    lon = 0.0 + 0.28 * (k % 5)
    objects = []
    for i in range(drones):
        through = i % 3 == 0
        a = rng.uniform(0, 2 * math.pi)
        r0 = rng.uniform(1200, 1900)
        b = a + math.pi + (rng.uniform(-0.2, 0.2) if through else rng.uniform(0.9, 1.6))
        start = (lat + r0 * math.cos(a) / 111_320, lon + r0 * math.sin(a) / (111_320 * math.cos(math.radians(lat))))
        end = (lat + r0 * math.cos(b) / 111_320, lon + r0 * math.sin(b) / (111_320 * math.cos(math.radians(lat))))
        obj: dict[str, Any] = {
            "id": f"d{i}", "kind": "multirotor", "speed_mps": rng.uniform(8, 16),
            "waypoints": [{"lat": start[0], "lon": start[1], "alt_m": rng.uniform(40, 110),
                           "t": rng.uniform(1, duration_s * 0.4)},
                          {"lat": end[0], "lon": end[1], "alt_m": rng.uniform(40, 110)}],
        }
        if not through:
            obj["remote_id"] = {"serial": f"1596S{k:02d}D{i:04d}"}
        objects.append(obj)
    return {
        "name": f"scale-{k}", "seed": seed + k, "duration_s": duration_s,
        "site": {
            "name": f"site-{k:02d}", "origin": {"lat": lat, "lon": lon, "alt_m": 30},
            "zones": [{"name": "Core", "circle": {"lat": lat, "lon": lon, "radius_m": 300}, "severity": "critical"},
                      {"name": "Approach", "circle": {"lat": lat, "lon": lon, "radius_m": 900}, "severity": "info"}],
            "sensors": [
                {"id": "radar-1", "kind": "radar", "lat": lat, "lon": lon, "alt_m": 15, "range_m": 2500,
                 "pd": 0.9, "false_alarms_per_scan": 1},
                {"id": "rid-1", "kind": "remoteid", "lat": lat, "lon": lon, "range_m": 2500},
            ],
        },
        "objects": objects,
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def alert_latencies(db: str) -> list[float]:
    import asyncpg

    conn = await asyncpg.connect(db)
    try:
        rows = await conn.fetch("SELECT ingested_at - raised_at AS lat FROM alerts")
        return sorted(float(r["lat"]) for r in rows)
    finally:
        await conn.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def healths(ports: list[int]) -> list[dict[str, Any]]:
    """Each edge's /api/health; an edge too busy to answer in 30 s counts as not answering."""
    out = []
    for port in ports:
        try:
            out.append(httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=30).json())
        except httpx.HTTPError:
            out.append({"ingest": {}, "unanswered": True})
    return out


def start_together(work: Path, ports: list[int], step_s: float = 0.5, timeout_s: float = 300.0) -> float:
    """Wait until every edge reports ``scenario: ready`` (imports done, simulator built, console up,
    bus connected), then start them all: edge k at ``start + k * step_s / N`` (independent sites'
    steps are not in phase). A scenario's clock starts when its edge can run, like a real sensor's
    data; otherwise the first edges up would run while the others import and set up (CPU they need),
    and their first alerts would measure this machine's start-up, not the system. Returns ``start``
    (epoch s)."""
    end = time.monotonic() + timeout_s
    waiting = set(ports)
    while waiting:
        if time.monotonic() > end:
            raise TimeoutError(f"edges on ports {sorted(waiting)} not ready after {timeout_s} s")
        for port in sorted(waiting):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()["ingest"].get(
                        "scenario") == "ready":
                    waiting.discard(port)
            except (httpx.HTTPError, ValueError, KeyError):
                pass
        time.sleep(0.2)
    start = time.time() + 1.0
    for k in range(len(ports)):
        tmp = work / f"start{k}.tmp"
        tmp.write_text(repr(start + k * step_s / len(ports)))
        os.replace(tmp, work / f"start{k}")
    return start


def _cpu_s(pid: int, children: bool = False) -> float:
    """A process's CPU seconds (user + system; with ``children``, also of its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(f) for f in fields[11:15 if children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(procs: list[subprocess.Popen[bytes]], nats: Any, pg: Any) -> dict[str, float]:
    """CPU seconds so far of the hubs, the edges, nats-server and PostgreSQL (the ones this run
    started; the hubs first in ``procs``)."""
    hubs = [p for p in procs if "hub" in p.args]  # type: ignore[operator]
    out = {"hubs": sum(_cpu_s(p.pid) for p in hubs),
           "edges": sum(_cpu_s(p.pid) for p in procs if p not in hubs)}
    if nats is not None and nats.proc is not None:
        out["nats"] = _cpu_s(nats.proc.pid)
    if pg is not None:
        master = int((pg.data / "postmaster.pid").read_text().split()[0])
        kids = [int(d) for d in os.listdir("/proc") if d.isdigit() and _ppid(int(d)) == master]
        out["postgres"] = _cpu_s(master, children=True) + sum(_cpu_s(k) for k in kids)
    return out


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return -1


def hub_pending(ports: list[int]) -> int | None:
    """Messages in JetStream the hubs have not yet stored and acknowledged (all lanes; every hub
    of a group sees the same durable consumers)."""
    seen = []
    for port in ports:
        with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
            seen.append(sum(httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=30).json()["ingest"]
                            .get("pending", {}).values()))
    return max(seen) if seen else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--drones", type=int, default=100, help="drones per site")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of scenario (real time)")
    ap.add_argument("--hubs", type=int, default=1, choices=(1, 2))
    ap.add_argument("--bus")
    ap.add_argument("--db")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample-s", type=float, default=10.0)
    args = ap.parse_args()
    # SIGTERM (a killed test, a CI timeout) and SIGINT (also when started in the background, which
    # ignores it) end the run through `finally`, which stops every server this run started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    work = Path(tempfile.mkdtemp(prefix="dw-scale-"))
    nats = pg = None
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if args.bus is None:
            nats = NatsServer(work / "nats").start()
        bus = args.bus or nats.url  # type: ignore[union-attr]
        if args.db is None:
            pg = PostgresCluster().init().start()
            db = pg.create_db("scale")
        else:
            db = args.db
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        hubs = []
        for h in range(args.hubs):
            port = free_port()
            with open(work / f"hub{h}.log", "wb") as log:
                procs.append(subprocess.Popen([sys.executable, "-m", "dronewatch.cli", "hub", "--bus", bus, "--db",
                                               db, "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                              stderr=log))
            hubs.append((procs[-1], port))
        for _, port in hubs:
            wait_port(port, 60)
        edges = []
        t_setup = time.monotonic()
        for k in range(args.sites):
            path = work / f"site{k}.yaml"
            path.write_text(yaml.safe_dump(scenario(k, args.drones, args.duration, args.seed), sort_keys=False))
            port = free_port()
            with open(work / f"edge{k}.log", "wb") as log:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "dronewatch.cli", "demo", "--scenario", str(path), "--db",
                     str(work / f"site{k}.db"), "--port", str(port), "--no-loop", "--bus", bus,
                     "--start-file", str(work / f"start{k}")], env=env, stdout=subprocess.DEVNULL, stderr=log))
            edges.append((procs[-1], port))
        start_at = start_together(work, [p for _, p in edges])
        setup_s = start_at - time.time() + time.monotonic() - t_setup
        cpu0 = cpu_seconds(procs, nats, pg)
        time.sleep(max(0.0, start_at - time.time()))
        t0 = time.monotonic()
        hub_rss: list[float] = []
        samples = []
        while time.monotonic() - t0 < args.duration:
            time.sleep(min(args.sample_s, max(0.0, args.duration - (time.monotonic() - t0))))
            health = healths([p for _, p in edges])
            backlog = sum(sum(h["ingest"].get("bus", {}).get("backlog", {}).values()) for h in health)
            reports = sum(h["ingest"].get("reports", 0) for h in health)
            rss = sum(rss_mib(p.pid) for p, _ in hubs)
            hub_rss.append(rss)
            sample = {"t_s": round(time.monotonic() - t0, 1), "reports": reports, "backlog": backlog,
                      "hub_pending": hub_pending([p for _, p in hubs]),
                      "hub_rss_mib": round(rss, 1), "edges_unanswered": sum(1 for h in health if "unanswered" in h)}
            samples.append(sample)
            print(json.dumps(sample), flush=True)
        cpu1 = cpu_seconds(procs, nats, pg)
        health = healths([p for _, p in edges])
        reports = sum(h["ingest"].get("reports", 0) for h in health)
        end_backlog = sum(sum(h["ingest"].get("bus", {}).get("backlog", {}).values()) for h in health)
        time.sleep(3)  # last alerts through
        lat = asyncio.run(alert_latencies(db))
        ingest = [httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=30).json()["ingest"] for _, port in hubs]
        stages = [i.get("alert_latency_ms", {}) for i in ingest]
        lags = [i.get("loop_lag_ms", {}) for i in ingest]
        half = len(hub_rss) // 2
        print(json.dumps({
            "sites": args.sites, "drones_per_site": args.drones, "hubs": args.hubs, "duration_s": args.duration,
            "edge_setup_s": round(setup_s, 1),
            "reports_per_s": round(reports / args.duration, 1),
            "alerts": len(lat),
            "alert_latency_ms": {"p50": round(pct(lat, 0.5) * 1000, 1), "p99": round(pct(lat, 0.99) * 1000, 1),
                                 "max": round(pct(lat, 1.0) * 1000, 1)},
            "alert_stages_ms": stages[0] if len(stages) == 1 else stages,
            "hub_loop_lag_ms": lags[0] if len(lags) == 1 else lags,
            "cpu_share": {k: round((cpu1[k] - cpu0[k]) / args.duration, 2) for k in cpu1},
            "hub_rss_mib": {"first_half_max": round(max(hub_rss[:half] or [0]), 1),
                            "second_half_max": round(max(hub_rss[half:] or [0]), 1)},
            "backlog_end": end_backlog,
            "backlog_max": max((s["backlog"] for s in samples), default=0),
            "hub_pending_end": hub_pending([p for _, p in hubs]),
            "hub_pending_max": max((s["hub_pending"] or 0 for s in samples), default=0),
        }))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        if nats is not None:
            nats.stop()
        if pg is not None:
            pg.remove()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
