"""Outputs under load: alert -> delivery latency for each output (TAK over TLS, MQTT, webhook,
SAPIENT) with 1,000 live tracks, and the pipeline's step time with and without the outputs.

    .venv/bin/python bench/outputs.py [--drones 1000] [--duration 40] [--step 0.5]

A generated site (a radar and a Remote ID receiver, a critical zone) with N drones on straight
routes, every tenth of them through the zone (no Remote ID: they raise alerts). The simulator's
frames are made first, so every run steps the real Pipeline on the same input, paced at real
time (one step every ``--step`` s, as `serve` runs). Runs: A (no outputs), B (all four outputs, started
as `serve` starts them: in a process of their own; ``--threads``: on threads of the pipeline's
process) to real receivers on 127.0.0.1: a TLS CoT listener requiring the client certificate, mosquitto
with a subscriber, a signature-checking webhook receiver, a SAPIENT parent), A again.
Latency: from the moment the step that raised the alert returned to the far end having the
alert (CLOCK_MONOTONIC, shared by the processes); each far end runs in a process of its own
(as on a machine of its own), the webhook receiver an HTTP/1.1 server with keep-alive.
Anchor: the step time of the A runs, same machine, same run; target p99 <= 250 ms for each
output and B/A step time within 10 %. CPU, which a loaded machine disturbs far less than wall
time: the pipeline thread's CPU per step (``time.thread_time``), the pipeline process's
(``time.process_time``: with --threads every output thread too) and the outputs process's per
step; the difference between B and A is what the outputs cost. The load average is printed with each run.
Prints one JSON line per run and, last, the summary line.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dronewatch.config import CotOutput, MqttOutput, OutputSpec, SapientOutput, Scenario, WebhookOutput
from dronewatch.model import Frame
from dronewatch.pipeline import Pipeline
from dronewatch.sinks.manager import Outputs
from dronewatch.sinks.process import OutputsProcess, start_outputs
from dronewatch.sources.sim import Simulation
from sinks.receivers import CotListener, Mosquitto, SapientParent, WebhookReceiver, make_pki

SECRET = "whsec_" + base64.b64encode(b"bench-outputs-webhook-secret-000").decode()


def scenario(drones: int, duration_s: float, seed: int = 13) -> Scenario:
    rng = random.Random(seed)
    lat, lon = 51.0, 0.0
    k = 111_320.0
    objects = []
    for i in range(drones):
        through = i % 10 == 0
        a = rng.uniform(0, 2 * math.pi)
        if through:  # reach the 250 m zone between 8 s and 80 % of the run
            speed = 12.0
            r0 = 250 + speed * rng.uniform(8, duration_s * 0.8)
            b = a + math.pi
        else:
            speed, r0 = rng.uniform(6, 14), rng.uniform(500, 1900)
            b = a + math.pi + rng.uniform(0.9, 1.6)
        start = (lat + r0 * math.cos(a) / k, lon + r0 * math.sin(a) / (k * math.cos(math.radians(lat))))
        end = (lat + r0 * math.cos(b) / k, lon + r0 * math.sin(b) / (k * math.cos(math.radians(lat))))
        obj: dict[str, Any] = {"id": f"d{i}", "kind": "multirotor", "speed_mps": speed,
                               "waypoints": [{"lat": start[0], "lon": start[1], "alt_m": rng.uniform(40, 110)},
                                             {"lat": end[0], "lon": end[1], "alt_m": rng.uniform(40, 110)}]}
        if not through:
            obj["remote_id"] = {"serial": f"1596BENCH{i:05d}"}
        objects.append(obj)
    return msgspec.convert({
        "name": "outputs-bench", "seed": seed, "duration_s": duration_s,
        "site": {"name": "bench", "origin": {"lat": lat, "lon": lon, "alt_m": 30},
                 "zones": [{"name": "Core", "circle": {"lat": lat, "lon": lon, "radius_m": 250},
                            "severity": "critical"}],
                 "sensors": [{"id": "radar-1", "kind": "radar", "lat": lat, "lon": lon, "alt_m": 15,
                              "range_m": 2500, "pd": 0.95},
                             {"id": "rid-1", "kind": "remoteid", "lat": lat, "lon": lon, "range_m": 2500}]},
        "objects": objects}, Scenario)


def simulate(scen: Scenario, step_s: float) -> list[tuple[float, list[Frame]]]:
    """The simulator's frames for every step, made once so each run steps the same input."""
    sim = Simulation(scen)
    n = round((sim.end_at - sim.start_at) / step_s)
    return [(sim.start_at + k * step_s, sim.advance(sim.start_at + k * step_s)) for k in range(1, n + 1)]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


FAR_KINDS = ("cot_tls", "mqtt", "webhook", "sapient")


class Far:
    """One far end (``kind``: one of FAR_KINDS), recording when each alert arrived (time.monotonic())."""

    def __init__(self, tmp: Path, kind: str) -> None:
        self.kind = kind
        self.mqtt_at: dict[str, float] = {}
        if kind == "cot_tls":
            self.pki = make_pki(tmp / "pki")
            self.cot = CotListener("tls", self.pki).start()
        elif kind == "mqtt":
            self.broker = Mosquitto(tmp / "mq")
            ready = threading.Event()
            self.sub = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2)
            self.sub.on_connect = lambda c, *_: c.subscribe("dronewatch/v1/bench/alerts/#", qos=1)
            self.sub.on_subscribe = lambda *_: ready.set()

            def on_message(_c: Any, _u: Any, m: Any) -> None:
                body = json.loads(m.payload)
                if body["type"] == "alert.raised":
                    self.mqtt_at.setdefault(body["data"]["id"], time.monotonic())

            self.sub.on_message = on_message
            self.sub.connect("127.0.0.1", self.broker.port)
            self.sub.loop_start()
            ready.wait(5)
        elif kind == "webhook":
            self.hook = WebhookReceiver(SECRET)
        else:
            self.parent = SapientParent()

    def output(self) -> Any:
        if self.kind == "cot_tls":
            return CotOutput(url=f"tls://127.0.0.1:{self.cot.port}", cert=str(self.pki.client_cert),
                             key=str(self.pki.client_key), ca=str(self.pki.ca))
        if self.kind == "mqtt":
            return MqttOutput(url=f"mqtt://127.0.0.1:{self.broker.port}")
        if self.kind == "webhook":
            return WebhookOutput(url=self.hook.url, secret_env="DW_BENCH_HOOK")
        return SapientOutput(url=f"tcp://127.0.0.1:{self.parent.port}")

    def arrivals(self) -> dict[str, float]:
        got: dict[str, float] = {}
        if self.kind == "cot_tls":
            for e in self.cot.events:
                if ".alert." in e.uid:
                    got.setdefault(e.uid.rsplit(".alert.", 1)[1], e.received)
        elif self.kind == "mqtt":
            got = dict(self.mqtt_at)
        elif self.kind == "webhook":
            for _, body, at in self.hook.received:
                if body["type"] == "alert.raised":
                    got.setdefault(body["data"]["id"], at)
        else:
            for r in self.parent.of("alert"):
                got.setdefault(r.msg.alert.additional_information.split(",")[0].removeprefix("dronewatch alert "),
                               r.at)
        return got

    def stop(self) -> None:
        if self.kind == "cot_tls":
            self.cot.stop()
        elif self.kind == "mqtt":
            self.sub.loop_stop()
            self.sub.disconnect()
            self.broker.stop()
        elif self.kind == "webhook":
            self.hook.stop()
        else:
            self.parent.stop()


def far_process(tmp: str, kind: str, conn: Any) -> None:
    """One far end in a process of its own (as on a machine of its own: its parsing shares
    neither dronewatch's interpreter nor the other far ends'): sends its output spec, then the
    arrivals when asked."""
    far = Far(Path(tmp), kind)
    conn.send(msgspec.to_builtins(far.output()))
    conn.recv()
    conn.send(far.arrivals())
    far.stop()


class RemoteFar:
    """The four far ends, each in a process of its own."""

    def __init__(self, tmp: Path) -> None:
        self.conns: dict[str, Any] = {}
        self.procs = []
        for kind in FAR_KINDS:
            self.conns[kind], child = mp.Pipe()
            proc = mp.get_context("fork").Process(target=far_process, args=(str(tmp), kind, child), daemon=True)
            proc.start()
            self.procs.append(proc)
        self._outputs = [msgspec.convert(self.conns[k].recv(), OutputSpec) for k in FAR_KINDS]

    def outputs(self) -> list[Any]:
        return self._outputs

    def arrivals(self) -> dict[str, dict[str, float]]:
        for conn in self.conns.values():
            conn.send("report")
        return {kind: conn.recv() for kind, conn in self.conns.items()}

    def stop(self) -> None:
        for proc in self.procs:
            proc.join(timeout=10)


def run(scen: Scenario, frames: list[tuple[float, list[Frame]]], step_s: float, far: RemoteFar | None,
        tmp: Path, threads: bool = False, dump: str | None = None) -> dict[str, Any]:
    site = scen.site if far is None else msgspec.structs.replace(scen.site, outputs=far.outputs())
    pipeline = Pipeline(site, Simulation(scen).frame)
    store = None
    if far is not None:
        from dronewatch.store import Store

        store = Store(f"sqlite:///{tmp / f'outbox-{time.monotonic_ns()}.db'}")
    outputs = start_outputs(site, store, separate=not threads) if far is not None else Outputs([])
    child_cpu = outputs.cpu_s if isinstance(outputs, OutputsProcess) else lambda: 0.0
    steps: list[float] = []
    step_cpu: list[float] = []
    raised: dict[str, float] = {}
    live: list[int] = []
    load0 = os.getloadavg()[0]
    wall0 = time.monotonic()
    half = len(frames) // 2  # the second half: every drone is up and tracked
    cpu_half = 0.0
    for k, (now, batch) in enumerate(frames):
        time.sleep(max(0.0, wall0 + k * step_s - time.monotonic()))
        if k == half:
            cpu_half, child_half = time.process_time(), child_cpu() or 0.0
        t, c = time.perf_counter(), time.thread_time()
        update = pipeline.step(batch, now)
        outputs.offer(update)
        steps.append(time.perf_counter() - t)
        step_cpu.append(time.thread_time() - c)
        done = time.monotonic()
        for a in update.alerts:
            if a.change == "raised":
                raised[a.alert_id] = done
        live.append(sum(1 for tr in update.tracks if tr.status != "tentative"))
    time.sleep(max(0.0, wall0 + len(frames) * step_s - time.monotonic()))  # the last step's outputs too
    cpu_per_step = (time.process_time() - cpu_half) / (len(frames) - half)
    child_per_step = ((child_cpu() or 0.0) - child_half) / (len(frames) - half)
    outputs.close(drain_timeout=30)
    stats = outputs.stats()
    if store is not None:
        store.close()
    name = "B (outputs on threads)" if threads else "B (outputs process)"
    out: dict[str, Any] = {"run": name if far else "A (no outputs)",
                           "load_avg_1min": [round(load0, 1), round(os.getloadavg()[0], 1)],
                           "step_ms_mean": round(1e3 * statistics.fmean(steps[half:]), 2),
                           "step_ms_p50": round(1e3 * pct(steps[half:], 0.5), 2),
                           "step_ms_p99": round(1e3 * pct(steps[half:], 0.99), 2),
                           "step_cpu_ms_mean": round(1e3 * statistics.fmean(step_cpu[half:]), 2),
                           "process_cpu_ms_per_step": round(1e3 * cpu_per_step, 2),
                           "outputs_process_cpu_ms_per_step": round(1e3 * child_per_step, 2),
                           "live_tracks_max": max(live), "live_tracks_second_half_min": min(live[half:]),
                           "alerts": len(raised)}
    if far is not None:
        time.sleep(1.0)
        lat: dict[str, Any] = {}
        arrivals = far.arrivals()
        if dump:  # every alert's raise and arrival times (monotonic s), to look at a tail
            Path(dump).write_text(json.dumps({"raised": raised, "arrivals": arrivals}))
        for name, got in arrivals.items():
            d = [got[a] - raised[a] for a in raised if a in got]
            lat[name] = {"delivered": len(d), "of": len(raised), "p50_ms": round(1e3 * pct(d, 0.5), 1),
                         "p99_ms": round(1e3 * pct(d, 0.99), 1), "max_ms": round(1e3 * max(d), 1) if d else None}
        out["latency"] = lat
        out["outputs"] = [{k: s[k] for k in ("name", "sent", "dropped", "dropped_alerts", "superseded", "errors")
                           if k in s} for s in stats]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drones", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=40.0, help="seconds of scenario, run at real time")
    ap.add_argument("--step", type=float, default=0.5, help="pipeline step, seconds")
    ap.add_argument("--threads", action="store_true", help="outputs on threads of the pipeline's process")
    ap.add_argument("--dump", help="write each alert's raise and arrival times (JSON) to this file")
    args = ap.parse_args()
    os.environ["DW_BENCH_HOOK"] = SECRET
    scen = scenario(args.drones, args.duration)
    frames = simulate(scen, args.step)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        far = RemoteFar(tmp)
        try:
            a1 = run(scen, frames, args.step, None, tmp)
            print(json.dumps(a1), flush=True)
            b = run(scen, frames, args.step, far, tmp, args.threads, args.dump)
            print(json.dumps(b), flush=True)
            a2 = run(scen, frames, args.step, None, tmp)
            print(json.dumps(a2), flush=True)
        finally:
            far.stop()
    anchor = statistics.fmean([a1["step_ms_mean"], a2["step_ms_mean"]])
    cpu_anchor = statistics.fmean([a1["process_cpu_ms_per_step"], a2["process_cpu_ms_per_step"]])
    step_cpu_anchor = statistics.fmean([a1["step_cpu_ms_mean"], a2["step_cpu_ms_mean"]])
    lat = b["latency"]
    print(json.dumps({
        "bench": "outputs", "drones": args.drones, "live_tracks_min": b["live_tracks_second_half_min"],
        "alerts": b["alerts"], "step_s": args.step,
        "step_ms_mean_without": round(anchor, 2), "step_ms_mean_with": b["step_ms_mean"],
        "step_ratio_with_over_without": round(b["step_ms_mean"] / anchor, 3),
        "step_cpu_ms_without": round(step_cpu_anchor, 2), "step_cpu_ms_with": b["step_cpu_ms_mean"],
        "process_cpu_ms_per_step_without": round(cpu_anchor, 2),
        "process_cpu_ms_per_step_with": b["process_cpu_ms_per_step"],
        "outputs_process_cpu_ms_per_step": b["outputs_process_cpu_ms_per_step"],
        "outputs_cpu_over_pipeline_cpu": round(
            (b["process_cpu_ms_per_step"] + b["outputs_process_cpu_ms_per_step"] - cpu_anchor) / cpu_anchor, 3),
        "outputs": "threads" if args.threads else "process",
        "load_avg_1min": [a1["load_avg_1min"][0], a2["load_avg_1min"][1]],
        **{f"{k}_p50_ms": v["p50_ms"] for k, v in lat.items()},
        **{f"{k}_p99_ms": v["p99_ms"] for k, v in lat.items()},
        "all_delivered": all(v["delivered"] == v["of"] for v in lat.values()),
        "target_p99_ms": 250, "target_step_ratio_max": 1.10,
    }))


if __name__ == "__main__":
    main()
