"""The console in a real browser: uvicorn on 127.0.0.1 serving create_app, a feeder thread
publishing moving tracks and an alert on the app's event loop, headless Chromium (Playwright)
checking the map, the track counter, the alert desk and its ACK action (open mode: no users)."""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page, expect, sync_playwright

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import Site
from dronewatch.geo import SiteFrame
from dronewatch.model import Alert, Identity, ObjectClass, Position, Track, Update
from dronewatch.store import Store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
START_AT = 1_767_225_600.0
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
SITE = {
    "name": "Riverside Stadium",
    "origin": {"lat": 51.5560, "lon": -0.2796, "alt_m": 45.0},
    "zones": [
        {"name": "stadium", "circle": {"lat": 51.5560, "lon": -0.2796, "radius_m": 250},
         "severity": "critical"},
        {"name": "fan zone", "polygon": [[51.5585, -0.2840], [51.5585, -0.2805], [51.5600, -0.2805],
                                          [51.5600, -0.2840]], "severity": "warning"},
        {"name": "helipad", "circle": {"lat": 51.5535, "lon": -0.2850, "radius_m": 60}, "severity": "info"},
    ],
    "sensors": [
        {"id": "radar-1", "kind": "radar", "lat": 51.5552, "lon": -0.2770, "range_m": 1200},
        {"id": "rid-1", "kind": "remoteid", "lat": 51.5570, "lon": -0.2815, "range_m": 800},
    ],
}
XSS_WHY = '<img src=x onerror="window.pwned=1"> drone inside stadium'


class Server:
    """uvicorn serving one app on 127.0.0.1:port in a thread with its own event loop."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.app, self.port = app, port
        self.loop = asyncio.new_event_loop()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = server = uvicorn.Server(config)
        run = self.loop.run_until_complete
        self._thread = threading.Thread(target=run, args=(server.serve(),), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(10)
        assert not self._thread.is_alive(), "uvicorn did not stop"


@dataclass
class Served:
    url: str
    site: Site
    store: Store
    live: LiveState
    server: Server


def _track(frame: SiteFrame, track_id: int, cls: ObjectClass, at: float, e: float, n: float, u: float,
           ve: float, vn: float, serial: str | None = None) -> Track:
    lat, lon, alt = frame.enu_to_ground(e, n, u)
    return Track(track_id=track_id, at=at, status="confirmed", enu_m=(e, n, u), vel_enu_mps=(ve, vn, 0.0),
                 pos_sigma_m=4.0, lat=float(lat), lon=float(lon), alt_m=float(alt), first_seen_at=START_AT,
                 last_update_at=at, updates=int(at - START_AT) + 1, sensors=("radar-1",),
                 identity=Identity(scheme="serial", value=serial) if serial else None, cls=cls,
                 cls_confidence=0.9)


def picture(frame: SiteFrame, t_s: float) -> list[Track]:
    """Three objects moving: a drone circling into the stadium, a bird, an aircraft passing."""
    at = START_AT + t_s
    w = 0.05
    r = 600.0 - 8.0 * t_s if t_s < 50 else 200.0
    drone = _track(frame, 1, "drone", at, r * math.cos(w * t_s), r * math.sin(w * t_s), 60.0,
                   -r * w * math.sin(w * t_s), r * w * math.cos(w * t_s), serial="1596F<script>")
    bird = _track(frame, 2, "bird", at, -500.0 + 6.0 * t_s, 300.0, 30.0, 6.0, 0.0)
    plane = _track(frame, 3, "aircraft", at, 900.0 - 60.0 * t_s, -700.0 + 20.0 * t_s, 300.0, -60.0, 20.0)
    return [drone, bird, plane]


def the_alert(track: Track) -> Alert:
    return Alert(alert_id="zone_entry:1:stadium", rule="zone_entry", zone="stadium", severity="critical",
                 track_id=1, track_ids=(1,), raised_at=track.at, updated_at=track.at,
                 position=Position(lat=track.lat, lon=track.lon, alt_m=track.alt_m), cls="drone",
                 why=XSS_WHY, identity="serial:1596F<script>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    site = msgspec.convert(SITE, Site)
    store = Store(f"sqlite:///{tmp_path / 'console.db'}")
    live = LiveState(site)
    bus = InProcessBus()
    app = create_app(site, store, live, bus, clock=lambda: START_AT)
    server = Server(app, free_port())
    server.start()
    loop = server.loop

    stop = threading.Event()

    def feed() -> None:  # what the pipeline does each step, on the app's loop
        frame = SiteFrame(site.origin.lat, site.origin.lon, site.origin.alt_m)
        step = 0
        while not stop.is_set():
            tracks = picture(frame, step * 1.0)
            alerts: list[Alert] = []
            if step == 3:
                alerts = [the_alert(tracks[0])]
                store.save_alerts(alerts)
            store.add_tracks(tracks, at=tracks[0].at)
            update = Update(at=tracks[0].at, tracks=tracks, alerts=alerts)
            if not loop.is_closed():
                loop.call_soon_threadsafe(live.apply_and_publish, update, bus)
            step += 1
            stop.wait(0.1)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        yield Served(f"http://127.0.0.1:{server.port}/", site, store, live, server)
    finally:
        stop.set()
        feeder.join(5)
        server.stop()
        loop.close()
        store.close()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


def test_console_shows_tracks_alerts_and_acks(served: Served, page: Page, tmp_path: Path) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.goto(served.url)

    expect(page.locator("canvas.maplibregl-canvas")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("status")).to_have_text("connected", timeout=10_000)
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=track-count]').textContent) === 3", timeout=15_000)
    page.wait_for_function("window.dronewatchMap && window.dronewatchMap.getSource('site') !== undefined")
    drawn = page.evaluate("window.dronewatch.layer.count")  # the one WebGL track layer holds all three
    assert drawn == 3
    # ...and draws them on screen: the bird (and the aircraft while in view) filled in neutral green,
    # a colour nothing else on this map has opaque
    colours = page.evaluate("""() => new Promise((done) => {
      const map = window.dronewatchMap;
      map.once('render', () => {
        const gl = map.painter.context.gl, w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
        const px = new Uint8Array(w * h * 4);
        gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
        let n = 0;
        for (let i = 0; i < px.length; i += 4) {
          const d = Math.abs(px[i] - 0x46) + Math.abs(px[i + 1] - 0xa7) + Math.abs(px[i + 2] - 0x58);
          if (px[i + 3] > 250 && d < 24) n++;
        }
        done(n);
      });
      map.triggerRepaint();
    })""")
    assert colours >= 5, f"{colours} neutral-green pixels"

    item = page.get_by_test_id("alert-item").first
    expect(item).to_be_visible(timeout=10_000)
    expect(item).to_contain_text("zone entry")
    expect(item).to_contain_text("stadium")
    expect(item.get_by_test_id("alert-state")).to_have_text("open")
    # text from strangers stays text
    assert XSS_WHY in item.locator(".why").text_content()  # type: ignore[operator]
    assert item.locator("img").count() == 0 and page.evaluate("window.pwned") is None

    page.wait_for_timeout(2500)  # let trails grow for the picture
    page.get_by_test_id("operator").fill("Test Operator")
    item.get_by_test_id("action-ack").click()
    expect(item.get_by_test_id("alert-state")).to_have_text("acknowledged by Test Operator", timeout=10_000)
    expect(item.get_by_test_id("action-ack")).to_be_hidden()
    stored = served.store.alert("zone_entry:1:stadium")
    assert stored is not None and (stored.state, stored.acked_by) == ("acknowledged", "Test Operator")
    assert [a["change"] for a in served.store.audit(alert_id="zone_entry:1:stadium")] == ["ack", "raised"]

    page.wait_for_timeout(300)  # a frame or two after the ack

    page.screenshot(path=str(tmp_path / "console-fed.png"))
    assert problems == []


def test_console_reconnects(served: Served, page: Page) -> None:
    page.goto(served.url)
    status = page.get_by_test_id("status")
    expect(status).to_have_text("connected", timeout=10_000)
    expect(page.get_by_test_id("track-count")).to_have_text("3", timeout=15_000)
    served.server.stop()
    expect(status).to_have_text("reconnecting", timeout=10_000)
    served.server.start()  # same port, same app and picture
    expect(status).to_have_text("connected", timeout=15_000)
    expect(page.get_by_test_id("track-count")).to_have_text("3")
