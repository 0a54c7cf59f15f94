"""Console speed: N synthetic tracks moving at 1 Hz through the real app (uvicorn on
127.0.0.1, the WebSocket delta stream), drawn by the real console in headless Chromium
(SwiftShader, 1280x800, the whole area in view). Prints frames per second at each N (frames the
map drew while the view pans slowly and the tracks update), the
server's send rate, and the server's memory over ``--minutes`` with a browser that connects
and then stops reading. Last line: JSON.

    .venv/bin/python bench/console.py                      # 1,000 and 5,000 tracks, 1 minute stall
    .venv/bin/python bench/console.py --minutes 5          # the 5-minute stall run

Targets (issue 14): >= 30 fps at 1,000 tracks, >= 15 fps at 5,000; memory flat while a
browser does not read. Figures are ratios to those targets, measured in this run."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import resource
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgspec
import uvicorn
from playwright.sync_api import sync_playwright

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import Site
from dronewatch.geo import SiteFrame
from dronewatch.model import Identity, Track, Update
from dronewatch.store import Store

CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
TARGETS = {1000: 30.0, 5000: 15.0}
AREA_M = 4000.0  # tracks fly within +-4 km of the origin; a zone marks that square so it is all in view
START = 1_767_225_600.0


def site() -> Site:
    frame = SiteFrame(51.5, -0.1, 20.0)
    corners = [frame.enu_to_ground(e, n, 0.0) for e, n in
               ((-AREA_M, -AREA_M), (-AREA_M, AREA_M), (AREA_M, AREA_M), (AREA_M, -AREA_M))]
    return msgspec.convert({
        "name": "Bench", "origin": {"lat": 51.5, "lon": -0.1, "alt_m": 20.0},
        "zones": [{"name": "area", "polygon": [[float(la), float(lo)] for la, lo, _ in corners], "severity": "info"},
                  {"name": "core", "circle": {"lat": 51.5, "lon": -0.1, "radius_m": 500}, "severity": "critical"}],
        "sensors": [{"id": "radar-1", "kind": "radar", "lat": 51.5, "lon": -0.1, "range_m": 5000}],
    }, Site)


def tracks(frame: SiteFrame, n: int, t: float) -> list[Track]:
    """n objects on circles of different radius and speed; a fifth carry a Remote ID serial."""
    out = []
    classes = ("drone", "bird", "aircraft", "unknown")
    for i in range(n):
        r = 300.0 + (i * 7919 % 3500)
        w = (0.004 + (i % 17) * 0.001) * (1 if i % 2 else -1)
        ph = i * 2.399
        e, nn = r * math.cos(ph + w * t), r * math.sin(ph + w * t)
        ve, vn = -r * w * math.sin(ph + w * t), r * w * math.cos(ph + w * t)
        la, lo, alt = frame.enu_to_ground(e, nn, 50.0 + i % 200)
        out.append(Track(track_id=i + 1, at=START + t, status="confirmed", enu_m=(e, nn, 50.0 + i % 200),
                         vel_enu_mps=(ve, vn, 0.0), pos_sigma_m=5.0 + i % 20, lat=float(la), lon=float(lo),
                         alt_m=float(alt), first_seen_at=START, last_update_at=START + t, updates=int(t) + 1,
                         sensors=("radar-1",), cls=classes[i % 4], cls_confidence=0.8,  # type: ignore[arg-type]
                         identity=Identity(scheme="serial", value=f"1596F{i:08d}") if i % 5 == 0 else None))
    return out


def browser_cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process's descendants: the browser's
    processes, where SwiftShader draws. Per frame, it holds up better than frames per second on a
    loaded machine."""
    parent: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(name)] = int(fields[1])
            times[int(name)] = (int(fields[11]) + int(fields[12])) / tick
    me, total = os.getpid(), 0.0
    for pid, t in times.items():
        up = parent.get(pid)
        while up is not None and up != me:
            up = parent.get(up)
        if up == me:
            total += t
    return total


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Bench:
    def __init__(self) -> None:
        self.site = site()
        self.frame = SiteFrame(self.site.origin.lat, self.site.origin.lon, self.site.origin.alt_m)
        self.tmp = tempfile.TemporaryDirectory()
        self.store = Store(f"sqlite:///{Path(self.tmp.name) / 'bench.db'}")
        self.live = LiveState(self.site)
        self.bus = InProcessBus()
        self.app = create_app(self.site, self.store, self.live, self.bus, clock=time.time)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.loop = asyncio.new_event_loop()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        threading.Thread(target=self.loop.run_until_complete, args=(self.server.serve(),), daemon=True).start()
        while not self.server.started:
            time.sleep(0.02)
        self.n = 0
        self.stop = threading.Event()
        self.feeder = threading.Thread(target=self.feed, daemon=True)
        self.feeder.start()

    def feed(self) -> None:
        t = 0.0
        shown = 0
        while not self.stop.is_set():
            n = self.n
            picture = tracks(self.frame, n, t)
            removed = list(range(n + 1, shown + 1))
            shown = n
            update = Update(at=START + t, tracks=picture, alerts=[], removed=removed)
            self.loop.call_soon_threadsafe(self.live.apply_and_publish, update, self.bus)
            t += 1.0
            self.stop.wait(1.0)

    def sent(self) -> tuple[int, int]:
        stats = self.app.state.stream_stats
        return stats["messages"], stats["bytes"]

    def close(self) -> None:
        self.stop.set()
        self.server.should_exit = True
        time.sleep(0.5)
        self.store.close()


# A frame is one the map drew (MapLibre's "render" event), not an animation-frame tick. While
# counting, the view pans as under an operator's drag: one slow, steady move of about 50 m (the
# whole area stays in view), so every layer is drawn anew in every frame and nothing can be
# reused from the frame before; the tracks keep updating at 1 Hz meanwhile.
PAN_AND_COUNT = """(seconds) => new Promise((done) => {
  const map = window.dronewatchMap, c = map.getCenter();
  let frames = 0;
  const count = () => { frames++; };
  map.on("render", count);
  const t0 = performance.now();
  map.once("moveend", () => { map.off("render", count); done(frames / ((performance.now() - t0) / 1000)); });
  map.easeTo({ center: [c.lng + 0.0007, c.lat + 0.0002], duration: seconds * 1000, easing: (t) => t });
})"""


def measure_fps(bench: Bench, n: int, seconds: float) -> dict[str, float]:
    bench.n = n
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{bench.port}/")
            page.wait_for_function(f"Number(document.querySelector('[data-testid=track-count]').textContent) === {n}",
                                   timeout=120_000)
            page.wait_for_timeout(2000)
            m0, b0 = bench.sent()
            c0, t0 = browser_cpu_s(), time.monotonic()
            fps = page.evaluate(PAN_AND_COUNT, seconds)
            cpu_ms = 1000 * (browser_cpu_s() - c0) / max(fps * (time.monotonic() - t0), 1.0)
            m1, b1 = bench.sent()
            shown = int(page.get_by_test_id("track-count").text_content() or "0")
        finally:
            browser.close()
    return {"fps": fps, "browser_cpu_ms_per_frame": cpu_ms, "msgs_per_s": (m1 - m0) / seconds,
            "kb_per_s": (b1 - b0) / 1024 / seconds, "shown": shown}


def stalled_reader(bench: Bench, n: int, minutes: float) -> dict[str, object]:
    """A client that completes the WebSocket handshake and never reads again."""
    bench.n = n
    sock = socket.create_connection(("127.0.0.1", bench.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:{bench.port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    samples = []
    t0 = time.monotonic()
    m0, b0 = bench.sent()
    while time.monotonic() - t0 < minutes * 60:
        time.sleep(min(10.0, minutes * 60 / 6))
        samples.append((round(time.monotonic() - t0), round(rss_mb(), 1)))
        print(f"  stalled reader, {n} tracks: t={samples[-1][0]:4d} s  server RSS {samples[-1][1]:7.1f} MB",
              flush=True)
    m1, b1 = bench.sent()
    sock.close()
    rss = [s[1] for s in samples]
    half = rss[len(rss) // 2:]
    return {"samples": samples, "rss_start_mb": rss[0], "rss_end_mb": rss[-1],
            "rss_growth_second_half_mb": round(max(half) - min(half), 1),
            "msgs_sent_while_stalled": m1 - m0, "kb_sent_while_stalled": round((b1 - b0) / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--seconds", type=float, default=10.0, help="fps measured over this long")
    ap.add_argument("--minutes", type=float, default=1.0, help="how long the non-reading browser stalls")
    args = ap.parse_args()
    bench = Bench()
    result: dict[str, object] = {"bench": "console", "viewport": "1280x800", "gl": "swiftshader"}
    try:
        ok = True
        for n in args.tracks:
            r = measure_fps(bench, n, args.seconds)
            target = TARGETS.get(n)
            ratio = r["fps"] / target if target else None
            ok &= ratio is None or ratio >= 1.0
            print(f"{n:6d} tracks: {r['fps']:5.1f} fps (shown {r['shown']}), "
                  f"browser CPU {r['browser_cpu_ms_per_frame']:.0f} ms a frame"
                  + (f", target {target:.0f} fps, ratio {ratio:.2f}" if target else "")
                  + f"; server sends {r['msgs_per_s']:.1f} msg/s, {r['kb_per_s']:.0f} KiB/s", flush=True)
            result[f"fps_{n}"] = round(r["fps"], 1)
            result[f"browser_cpu_ms_per_frame_{n}"] = round(r["browser_cpu_ms_per_frame"], 1)
            result[f"ratio_to_target_{n}"] = round(ratio, 2) if ratio else None
            result[f"send_msgs_per_s_{n}"] = round(r["msgs_per_s"], 2)
            result[f"send_kib_per_s_{n}"] = round(r["kb_per_s"], 1)
        n = max(args.tracks)
        stall = stalled_reader(bench, n, args.minutes)
        print(f"stalled reader over {args.minutes:g} min at {n} tracks: RSS {stall['rss_start_mb']} -> "
              f"{stall['rss_end_mb']} MB (second half moved {stall['rss_growth_second_half_mb']} MB); "
              f"{stall['msgs_sent_while_stalled']} messages went out while it did not read", flush=True)
        result["stall_minutes"] = args.minutes
        result["stall_tracks"] = n
        result |= {k: v for k, v in stall.items() if k != "samples"}
        result["targets_met"] = bool(ok)
    finally:
        bench.close()
    print(json.dumps(result))
    sys.exit(0)


if __name__ == "__main__":
    main()
