"""The operator console on a real `dronewatch demo` of the stadium scenario, with users, in
headless Chromium: an operator logs in and watches the scenario play; every seed threat's alert
reaches the desk; the operator acknowledges (with a note) and resolves one, and the audit rows,
read back through the API with a viewer token, name him; a track found by its serial opens its
detail (fields, plots from the store, its alerts); the last minutes are replayed at 60x; a local
PMTiles basemap made here is drawn. A viewer sees the same desk with no actions and is refused
(403) by the API; an admin may act and list users; a request with no login gets 401.

The scenario is cut at 480 s (of 600), just after its swarm reaches the Stands: every seed threat
has been alerted by then and several alerts are still active. With --no-loop the demo then holds
its last picture, so the clicks on those alerts race nothing (at 10x a live alert can come and go
faster than a loaded machine clicks). Everything is waited for as a condition, never a sleep.

Screenshots go to tmp_path; with DW_SCREENSHOTS=1 they are written to docs/ (README)."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from dronewatch.auth import Accounts
from dronewatch.config import BUILTIN_DIR
from dronewatch.store import Store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
USERS = {"vera": ("viewer", "viewer-pass-1"), "otto": ("operator", "operator-pass-1"), "ada": ("admin", "admin-pass-1")}
TILE_RGB = (214, 32, 170)  # a colour nothing else on the map has
SPEED = 20
UNTIL_S = 480  # the stadium scenario up to just after its swarm reaches the Stands (see above)
WAIT_MS = 60_000  # for any one condition on a loaded 2-core machine
# the rules each seed threat raises (tests/test_end_to_end.py holds them to truth): the two with
# Remote ID are known by their serial; the loiterer has none; the swarm is three drones
BY_SERIAL = {"intruder-hover": {"predicted zone entry", "hover"}, "spoofer": {"remote id mismatch"}}
LOITERER = {"no remote id", "loiter"}
ACTIVE = ("open", "escalated")


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A solid-colour RGB PNG."""
    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, channels, pixels) of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", body[:10])
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return width, height, channels, bytes(out)


def make_pmtiles(path: Path, lat: float, lon: float) -> None:
    """Every tile of zoom 0-17 covering (lat, lon) +- 0.05 degrees, one solid colour."""

    def tile_xy(z: int, la: float, lo: float) -> tuple[int, int]:
        n = 1 << z
        x = int((lo + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(la))) / math.pi) / 2 * n)
        return x, y

    data = png(TILE_RGB)
    entries = []
    for z in range(18):
        x0, y0 = tile_xy(z, lat + 0.05, lon - 0.05)
        x1, y1 = tile_xy(z, lat - 0.05, lon + 0.05)
        entries += [zxy_to_tileid(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    with path.open("wb") as f:
        w = Writer(f)
        for tile_id in sorted(entries):
            w.write_tile(tile_id, data)
        w.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_zoom": 0, "max_zoom": 17,
                    "min_lon_e7": int((lon - 0.05) * 1e7), "min_lat_e7": int((lat - 0.05) * 1e7),
                    "max_lon_e7": int((lon + 0.05) * 1e7), "max_lat_e7": int((lat + 0.05) * 1e7),
                    "center_zoom": 14, "center_lon_e7": int(lon * 1e7), "center_lat_e7": int(lat * 1e7)},
                   {"attribution": "test tiles"})




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clock(at: float) -> str:
    """A picture time as the console shows it (HH:MM:SSZ)."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%H:%M:%SZ")


@dataclass
class Demo:
    """A `dronewatch demo` subprocess, its output read by a thread."""

    url: str
    token: str  # a viewer's API token, for reading the API from here
    scenario: dict[str, Any]
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)

    def read_output(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if f"scenario {self.scenario['name']} finished" in line:
                self.finished.set()

    def headers(self, auth: bool) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"} if auth else {}

    def get(self, path: str, auth: bool = True) -> tuple[int, Any]:
        """GET with the viewer's token (or none): (status, JSON)."""
        r = httpx.get(self.url + path, headers=self.headers(auth), timeout=30)
        return r.status_code, r.json()

    def post(self, path: str, body: dict[str, Any], auth: bool = True) -> int:
        return httpx.post(self.url + path, json=body, headers=self.headers(auth), timeout=30).status_code

    def wait_serving(self) -> None:
        """Until the console answers, asking for a login (401)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "api/health", timeout=5).status_code == 401:
                    return
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, f"demo exited: {''.join(self.lines)}"
            assert time.monotonic() < deadline, "demo did not start serving within 60 s"
            time.sleep(0.2)

    def serial(self, object_id: str) -> str | None:
        obj = next(o for o in self.scenario["objects"] if o["id"] == object_id)
        rid = obj.get("remote_id")
        return str(rid["serial"]) if rid else None


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    scenario = yaml.safe_load((BUILTIN_DIR / "stadium.yaml").read_text())
    assert scenario["duration_s"] > UNTIL_S
    scenario["duration_s"] = UNTIL_S
    origin = scenario["site"]["origin"]
    make_pmtiles(tmp_path / "site.pmtiles", origin["lat"], origin["lon"])
    scenario["site"]["basemap"] = {"file": str(tmp_path / "site.pmtiles"), "attribution": "test tiles"}
    (tmp_path / "stadium.yaml").write_text(yaml.safe_dump(scenario))
    db = tmp_path / "demo.db"
    with Store(f"sqlite:///{db}") as store:
        accounts = Accounts(store.engine)
        for name, (role, password) in USERS.items():
            accounts.add_user(name, role, password)
        token = accounts.add_token("auditor", "viewer")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dronewatch.cli", "demo", "--port", str(port), "--speed", str(SPEED), "--db", str(db),
         "--scenario", str(tmp_path / "stadium.yaml"), "--no-loop"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ | {"COLUMNS": "200"})
    d = Demo(f"http://127.0.0.1:{port}/", token, scenario, proc)
    reader = threading.Thread(target=d.read_output, daemon=True)
    reader.start()
    try:
        yield d
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        reader.join(5)


def open_console(browser: Browser, url: str, name: str, errors: list[str]) -> Page:
    """A new page (its own context: its own cookies) on the console; it loads while we go on."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))
    page.goto(url, wait_until="commit")
    return page


def log_in(page: Page, name: str, wrong_first: bool = False) -> Page:
    expect(page.get_by_test_id("login")).to_be_visible(timeout=WAIT_MS)
    page.get_by_test_id("login-name").fill(name)
    if wrong_first:
        page.get_by_test_id("login-password").fill("not the password")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("login-error")).to_have_text("Wrong name or password.", timeout=WAIT_MS)
    page.get_by_test_id("login-password").fill(USERS[name][1])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-name")).to_have_text(f"{name} ({USERS[name][0]})", timeout=WAIT_MS)
    expect(page.get_by_test_id("status")).to_have_text("connected", timeout=WAIT_MS)
    return page


DESK = """() => [...document.querySelectorAll('[data-testid=alert-item]')].map((li) => {
  const members = li.querySelector('[data-testid=alert-members]');
  return { id: li.dataset.alertId, state: li.dataset.state, rule: li.querySelector('.rule').textContent,
    ident: li.querySelector('.ident').textContent,
    members: members.hidden ? [] : [...members.querySelectorAll('.member')].map((b) => Number(b.textContent)),
    actions: [...li.querySelectorAll('.act')].filter((b) => !b.hidden).map((b) => b.dataset.action),
    note: !li.querySelector('.note-input').hidden };
})"""


def desk(page: Page) -> dict[str, dict[str, Any]]:
    """The alert desk as shown: alert id -> {state, rule, ident, members, actions, note}."""
    return {row["id"]: row for row in page.evaluate(DESK)}


PLOT_BLUE = (0x4A, 0xA3, 0xDF)  # the plots' line colour (detail.js)
COUNT_COLOUR = """([id, c]) => { const el = document.getElementById(id);
  const px = el.getContext('2d').getImageData(0, 0, el.width, el.height).data; let n = 0;
  for (let i = 0; i < px.length; i += 4)
    if (Math.abs(px[i] - c[0]) < 40 && Math.abs(px[i + 1] - c[1]) < 40 && Math.abs(px[i + 2] - c[2]) < 40) n++;
  return n; }"""


def detail_line(a: dict[str, Any]) -> str:
    """An alert as the track detail lists it."""
    zone = f" ({a['zone']})" if a["zone"] else ""
    rule, state = a["rule"].replace("_", " "), a["state"].replace("_", " ")
    return f"{clock(a['raised_at'])} {a['severity']} {rule}{zone}: {state}"


def shots(name: str, tmp_path: Path) -> str:
    folder = REPO / "docs" if os.environ.get("DW_SCREENSHOTS") == "1" else tmp_path
    return str(folder / name)


@pytest.mark.timeout(900)  # a hang guard: each wait below is bounded; loaded, the whole takes 2-4 min
def test_operator_console_roles_alerts_detail_replay_basemap(demo: Demo, tmp_path: Path) -> None:
    url = demo.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        errors: list[str] = []
        try:
            demo.wait_serving()
            # no login: every API read, an action and the live stream are refused with 401
            for path in ("api/tracks", "api/alerts", "api/site", "api/health", "api/replay/range", "api/me"):
                assert demo.get(path, auth=False)[0] == 401, path
            assert demo.post("api/alerts/any/ack", {"by": "nobody"}, auth=False) == 401
            with pytest.raises(InvalidStatus) as refused:
                ws_connect(url.replace("http", "ws") + "api/stream", open_timeout=30).close()
            assert refused.value.response.status_code == 401

            # --- the operator watches the scenario play ------------------------------------------------
            otto = log_in(open_console(browser, url, "otto", errors), "otto", wrong_first=True)
            otto.wait_for_function("Number(document.querySelector('[data-testid=track-count]').textContent) > 0")
            seen_at = otto.get_by_test_id("picture-at").text_content()
            assert not demo.finished.is_set(), "the scenario ended before the operator saw it"
            deadline = time.monotonic() + 300
            while not demo.finished.is_set():
                assert demo.proc.poll() is None, "".join(demo.lines)
                assert time.monotonic() < deadline, "the scenario did not end within 300 s"
                otto.wait_for_timeout(1000)
            # the viewer and the admin log in while the operator works
            vera, ada = open_console(browser, url, "vera", errors), open_console(browser, url, "ada", errors)
            status, health = demo.get("api/health")
            assert status == 200
            last = health["picture_at"]
            expect(otto.get_by_test_id("picture-at")).to_have_text(clock(last), timeout=WAIT_MS)
            assert seen_at != clock(last)  # the picture moved on while the operator watched

            # every alert the demo raised is on the desk, with each seed threat's
            _, alerts = demo.get("api/alerts?limit=5000")
            by_id = {a["alert_id"]: a for a in alerts}
            otto.wait_for_function(f"document.querySelectorAll('[data-testid=alert-item]').length >= {len(alerts)}")
            shown = desk(otto)
            assert set(shown) == set(by_id)
            for row in shown.values():
                assert row["state"] == by_id[row["id"]]["state"], row
            def rules_on(track_ids: set[int]) -> set[str]:
                return {shown[a["alert_id"]]["rule"] for a in alerts if track_ids & set(a["track_ids"])}

            # a threat's tracks: those of any alert naming its serial (not every alert on a track
            # carries it: Remote ID may be heard only after the first alert)
            for obj, rules in BY_SERIAL.items():
                serial = demo.serial(obj)
                assert serial is not None
                tracks_of = {i for a in alerts if serial in (a["identity"] or "") for i in a["track_ids"]}
                assert rules <= rules_on(tracks_of), f"{obj} ({serial}): {sorted(rules_on(tracks_of))}"
            assert any(rules_on({t}) >= LOITERER for a in alerts for t in a["track_ids"])
            swarms = [r for r in shown.values() if r["rule"] == "swarm"]
            assert any(len(r["members"]) >= 3 for r in swarms), swarms  # one names all three drones
            for r in swarms:
                assert r["members"] == by_id[r["id"]]["track_ids"], r

            # the basemap: tiles from the PMTiles file, drawn in its colour
            otto.wait_for_function("window.dronewatchMap.areTilesLoaded()")
            tiles = otto.evaluate("performance.getEntriesByType('resource')"
                                  ".filter((e) => e.name.includes('/api/basemap/')).map((e) => e.responseStatus)")
            assert 200 in tiles
            w, h, ch, px = decode_png(otto.screenshot())
            blended = [round(0.85 * c + 0.15 * b) for c, b in zip(TILE_RGB, (0x1B, 0x20, 0x26), strict=True)]
            hits = sum(1 for i in range(0, w * h * ch, ch * 7)
                       if all(abs(px[i + k] - blended[k]) <= 12 for k in range(3)))
            assert hits > 1000, f"basemap colour on {hits} sampled pixels"
            otto.screenshot(path=shots("console-map.png", tmp_path))

            # --- the operator acknowledges one active alert with a note, then resolves it ---------------
            active = sorted((a for a in alerts if a["state"] in ACTIVE), key=lambda a: (a["raised_at"], a["alert_id"]))
            assert len(active) >= 2, f"active alerts when the scenario stopped: {active}"
            target, other = active[0]["alert_id"], active[-1]["alert_id"]
            assert {"ack", "resolve"} <= set(shown[target]["actions"]) and shown[target]["note"]
            item = otto.locator(f'[data-testid=alert-item][data-alert-id="{target}"]')
            item.get_by_test_id("alert-note").fill("seen from the north gate")
            item.get_by_test_id("action-ack").click()
            expect(item.get_by_test_id("alert-state")).to_contain_text("acknowledged by otto", timeout=WAIT_MS)
            expect(item.get_by_test_id("alert-error")).to_have_text("")
            expect(item.get_by_test_id("action-ack")).to_be_hidden()
            item.get_by_test_id("action-resolve").click()
            expect(item.get_by_test_id("alert-state")).to_have_text("resolved by otto", timeout=WAIT_MS)
            expect(item.locator(".act:visible")).to_have_count(0)
            status, audit = demo.get(f"api/alerts/{target}/audit")
            assert status == 200
            changes = [(r["change"], r["by"], r["note"]) for r in audit]
            assert changes[0][:2] == ("raised", "system"), audit
            assert ("ack", "otto", "seen from the north gate") in changes, audit
            assert changes[-1][:2] == ("resolve", "otto"), audit
            assert {by for _, by, _ in changes} == {"system", "otto"}, audit
            assert demo.get(f"api/alerts/{target}")[1]["alert"]["state"] == "resolved"
            otto.locator("#panel").screenshot(path=shots("console-alerts.png", tmp_path))

            # --- a track found by its serial: detail with identity, class, sensors, plots, alerts ------
            _, tracks = demo.get("api/tracks")

            def n_alerts(t: dict[str, Any]) -> int:
                return sum(t["track_id"] in a["track_ids"] for a in alerts)

            # the confirmed live track with the most alerts; found by its serial if it broadcasts one
            track = max((t for t in tracks if t["status"] == "confirmed"), key=lambda t: (n_alerts(t), -t["track_id"]))
            assert n_alerts(track) > 0
            tid, ident = track["track_id"], track["identity"]
            otto.get_by_test_id("search").fill(ident["value"] if ident else str(tid))
            otto.get_by_test_id("search").press("Enter")
            expect(otto.get_by_test_id("search-result")).to_have_text(f"track {tid}", timeout=WAIT_MS)
            expect(otto.get_by_test_id("track-detail")).to_be_visible(timeout=WAIT_MS)
            expect(otto.locator("#detail-title")).to_have_text(f"track {tid}")
            expect(otto.get_by_test_id("detail-identity")).to_have_text(ident["value"] if ident else "none broadcast")
            expect(otto.get_by_test_id("detail-class")).to_have_text(re.compile(rf"^{track['cls']} \d+%$"))
            shown_pct = int((otto.get_by_test_id("detail-class").text_content() or "").split()[1].rstrip("%"))
            assert abs(shown_pct - 100 * track["cls_confidence"]) <= 1.5
            expect(otto.get_by_test_id("detail-sensors")).to_have_text(", ".join(track["sensors"]))
            # its alerts, newest first, as they stand now (the resolved one included)
            _, alerts = demo.get("api/alerts?limit=5000")
            on_track = sorted((a for a in alerts if tid in a["track_ids"]),
                              key=lambda a: (-a["raised_at"], a["alert_id"]))
            expect(otto.locator("#detail-alerts li")).to_have_text([detail_line(a) for a in on_track])
            # the height and speed plots are drawn from the track's stored history
            for plot in ("plot-height", "plot-speed"):
                otto.wait_for_function(f"({COUNT_COLOUR})({[plot, list(PLOT_BLUE)]}) > 20")
            otto.screenshot(path=shots("console-detail.png", tmp_path))

            # --- replay the last minutes at 60x ----------------------------------------------------
            _, span = demo.get("api/replay/range")
            otto.get_by_test_id("replay-toggle").click()
            first = max(span["from"], span["to"] - 300)  # the console suggests the last five minutes
            start_input = dt.datetime.fromtimestamp(first, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
            expect(otto.get_by_test_id("replay-from")).to_have_value(start_input, timeout=WAIT_MS)
            otto.get_by_test_id("replay-load").click()
            expect(otto.get_by_test_id("replay-steps")).to_contain_text("steps", timeout=WAIT_MS)
            steps = int((otto.get_by_test_id("replay-steps").text_content() or "0").split()[0])
            assert steps >= 100, steps
            slider = otto.get_by_test_id("replay-slider")
            lo, hi = float(slider.get_attribute("min") or 0), float(slider.get_attribute("max") or 0)
            otto.evaluate("([el, t]) => { el.value = t; el.dispatchEvent(new Event('input')); }",
                          [slider.element_handle(), (lo + hi) / 2])
            otto.wait_for_function("Number(document.querySelector('[data-testid=track-count]').textContent) > 0")
            start = float(otto.get_by_test_id("replay-time").get_attribute("data-at") or 0)
            assert abs(start - (lo + hi) / 2) < 1
            otto.screenshot(path=shots("console-replay.png", tmp_path))
            otto.get_by_test_id("replay-speed").select_option("60")
            otto.get_by_test_id("replay-play").click()
            otto.wait_for_function(f"Number(document.getElementById('replay-time').dataset.at) > {start + 30}")
            # the desk shows the alerts as they stood then, read-only
            expect(otto.get_by_test_id("alert-item").first).to_be_visible()
            expect(otto.locator("[data-testid=alert-item] .act:visible")).to_have_count(0)
            otto.get_by_test_id("replay-toggle").click()  # back to live
            expect(otto.get_by_test_id("picture-at")).to_have_text(clock(last), timeout=WAIT_MS)
            other_row = otto.locator(f'[data-testid=alert-item][data-alert-id="{other}"]')
            expect(other_row.get_by_test_id("action-ack")).to_be_visible(timeout=WAIT_MS)

            # --- a viewer sees the same desk and can do nothing -------------------------------------
            log_in(vera, "vera")
            vera_row = vera.locator(f'[data-testid=alert-item][data-alert-id="{other}"]')
            expect(vera_row).to_be_visible(timeout=WAIT_MS)
            expect(vera_row.get_by_test_id("alert-state")).to_have_text(
                other_row.get_by_test_id("alert-state").text_content() or "")
            expect(vera.locator("[data-testid=alert-item] .act:visible")).to_have_count(0)
            expect(vera.locator("[data-testid=alert-item] [data-testid=alert-note]:visible")).to_have_count(0)
            refused_status = vera.evaluate("""async (id) => {
                const me = await (await fetch('api/me')).json();
                const r = await fetch(`api/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST',
                  headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
                  body: JSON.stringify({ by: 'vera', note: null }) });
                return r.status; }""", other)
            assert refused_status == 403
            assert vera.evaluate("async () => (await fetch('api/users')).status") == 403
            assert demo.post(f"api/alerts/{other}/resolve", {"by": "auditor"}) == 403  # a viewer's token
            status, audit = demo.get(f"api/alerts/{other}/audit")
            assert status == 200 and {r["by"] for r in audit} == {"system"}, audit

            # --- an admin may act and list users ------------------------------------------------------
            log_in(ada, "ada")
            listed = ada.evaluate("async () => (await (await fetch('api/users')).json()).map((u) => u.name)")
            assert set(listed) >= set(USERS)
            ada_row = ada.locator(f'[data-testid=alert-item][data-alert-id="{other}"]')
            ada_row.get_by_test_id("action-false-alarm").click()
            expect(ada_row.get_by_test_id("alert-state")).to_have_text("false alarm by ada", timeout=WAIT_MS)
            # the operator's desk learns it over the live stream
            expect(other_row.get_by_test_id("alert-state")).to_have_text("false alarm by ada", timeout=WAIT_MS)
            _, audit = demo.get(f"api/alerts/{other}/audit")
            assert (audit[-1]["change"], audit[-1]["by"]) == ("false_alarm", "ada"), audit
            assert not errors, errors
        finally:
            browser.close()
