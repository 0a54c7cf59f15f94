"""The operator console during a real `dronewatch demo` of the stadium scenario, with users:
headless Chromium logs in as each role, sees every seed threat's alert, acknowledges and
resolves one (the audit rows name the user, read back through the API), opens a track's
detail, replays the last minutes, and draws a local PMTiles basemap made here. A viewer
cannot act; a request without a login gets 401.

Screenshots go to tmp_path; with DW_SCREENSHOTS=1 they are written to docs/ (README)."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from dronewatch.auth import Accounts
from dronewatch.config import BUILTIN_DIR
from dronewatch.store import Store

# Slow: a whole stadium demo at 10x with three logins; on a loaded 2-core machine the scenario
# can outrun the clicks, so it runs with `make pytest-slow`, not in the quick suite.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
USERS = {"vera": ("viewer", "viewer-pass-1"), "otto": ("operator", "operator-pass-1"), "ada": ("admin", "admin-pass-1")}
TILE_RGB = (214, 32, 170)  # a colour nothing else on the map has
# rules each seed threat of the stadium scenario raises (tests/test_end_to_end.py holds them to truth)
THREAT_RULES = {"a": {"predicted zone entry", "hover"}, "b": {"no remote id", "loiter"}, "c": {"swarm"},
                "d": {"remote id mismatch"}}


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
    import math

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


def http(url: str, token: str | None = None) -> tuple[int, object]:
    req = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")
    except OSError:  # not listening yet
        return 0, None


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, str]]:
    scenario = yaml.safe_load((BUILTIN_DIR / "stadium.yaml").read_text())
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
        [sys.executable, "-m", "dronewatch.cli", "demo", "--port", str(port), "--speed", "10", "--db", str(db),
         "--scenario", str(tmp_path / "stadium.yaml"), "--no-loop"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while http(url + "api/health")[0] != 401:  # up, and asking for a login
            assert proc.poll() is None, f"demo exited: {proc.stdout.read() if proc.stdout else ''}"
            assert time.monotonic() < deadline, "demo did not start serving within 60 s"
            time.sleep(0.3)
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


WATCH_SWARM = """document.addEventListener('DOMContentLoaded', () => { window.swarmSeen = 0;
  // the most swarm members the desk has shown, from the first moment
  new MutationObserver(() => { for (const el of document.querySelectorAll('[data-testid=alert-members]')) {
    const m = /swarm of (\\d+)/.exec(el.textContent);
    if (m && !el.hidden) window.swarmSeen = Math.max(window.swarmSeen, Number(m[1])); }
  }).observe(document.getElementById('alert-list'), { subtree: true, childList: true, characterData: true,
    attributes: true }); });"""


def login(browser: Browser, url: str, name: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(WATCH_SWARM)
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    expect(page.get_by_test_id("login")).to_be_visible(timeout=20_000)
    page.get_by_test_id("login-name").fill(name)
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong name or password.", timeout=30_000)
    page.get_by_test_id("login-password").fill(USERS[name][1])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-name")).to_have_text(f"{name} ({USERS[name][0]})", timeout=10_000)
    expect(page.get_by_test_id("status")).to_have_text("connected", timeout=30_000)
    return page


def alert_row(page: Page, rule: str) -> Locator:
    return page.locator("[data-testid=alert-item]", has=page.locator(".rule", has_text=rule)).first


def rules_seen(page: Page) -> set[str]:
    return set(page.locator("[data-testid=alert-item] .rule").all_text_contents())


def shots(name: str, tmp_path: Path) -> str:
    folder = REPO / "docs" if os.environ.get("DW_SCREENSHOTS") == "1" else tmp_path
    return str(folder / name)


def test_operator_console_roles_alerts_detail_replay_basemap(demo: tuple[str, str], tmp_path: Path) -> None:
    url, token = demo
    assert http(url + "api/tracks")[0] == 401
    assert http(url + "api/alerts")[0] == 401
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            otto = login(browser, url, "otto")
            errors: list[str] = []
            otto.on("pageerror", lambda e: errors.append(str(e)))
            otto.wait_for_function("Number(document.querySelector('[data-testid=track-count]').textContent) > 0",
                                   timeout=60_000)
            # acknowledge with a note, then resolve; the audit (read with a viewer token) names otto
            first = otto.locator("[data-testid=alert-item][data-state=open]").first  # the first open alert
            expect(first).to_be_visible(timeout=90_000)
            alert_id = first.get_attribute("data-alert-id")
            item = otto.locator(f'[data-testid=alert-item][data-alert-id="{alert_id}"]')
            item.get_by_test_id("alert-note").fill("seen from the north gate")
            item.get_by_test_id("action-ack").dispatch_event("click")  # rows may still move under a mouse
            otto.wait_for_timeout(500)
            expect(item.get_by_test_id("alert-error")).to_have_text("")
            expect(item.get_by_test_id("alert-state")).to_contain_text("acknowledged by otto", timeout=10_000)
            item.get_by_test_id("action-resolve").dispatch_event("click")
            expect(item.get_by_test_id("alert-state")).to_contain_text("resolved", timeout=10_000)
            status, audit = http(f"{url}api/alerts/{alert_id}/audit", token)
            assert status == 200 and isinstance(audit, list)
            changes = [(r["change"], r["by"], r["note"]) for r in audit]
            assert ("ack", "otto", "seen from the north gate") in changes, audit
            # resolved by otto's click, or (at 10x the scenario can be faster than a click) by the
            # system when the drone left: either way the last row closes it and nobody else acted
            assert changes[-1][0] in ("resolve", "cleared", "track_lost"), audit
            assert {by for _, by, _ in changes} <= {"otto", "system"}, audit

            # every seed threat's alert reaches the desk
            deadline = time.monotonic() + 150
            while not all(rules & rules_seen(otto) for rules in THREAT_RULES.values()):
                assert time.monotonic() < deadline, f"alerts seen: {sorted(rules_seen(otto))}"
                otto.wait_for_timeout(1000)
            # the basemap: tiles from the PMTiles file, drawn in its colour
            tiles = otto.evaluate("performance.getEntriesByType('resource')"
                                  ".filter((e) => e.name.includes('/api/basemap/')).map((e) => e.responseStatus)")
            assert 200 in tiles
            w, h, ch, px = decode_png(otto.screenshot())
            blended = [round(0.85 * c + 0.15 * b) for c, b in zip(TILE_RGB, (0x1B, 0x20, 0x26), strict=True)]
            hits = sum(1 for i in range(0, w * h * ch, ch * 7)
                       if all(abs(px[i + k] - blended[k]) <= 12 for k in range(3)))
            assert hits > 1000, f"basemap colour on {hits} sampled pixels"
            otto.screenshot(path=shots("console-map.png", tmp_path))

            assert otto.evaluate("window.swarmSeen") >= 3  # the swarm alert listed its members (three drones)
            otto.locator("#panel").screenshot(path=shots("console-alerts.png", tmp_path))

            # find a live track by its id in the search box: the map centres it and its detail opens
            track_id = otto.evaluate("[...window.dronewatch.live.tracks.values()].find((t) => t.status !== 'tentative')"
                                     ".track_id")
            otto.get_by_test_id("search").fill(str(track_id))
            otto.get_by_test_id("search").press("Enter")
            expect(otto.get_by_test_id("search-result")).to_have_text(f"track {track_id}")
            detail = otto.get_by_test_id("track-detail")
            expect(detail).to_be_visible(timeout=10_000)
            expect(otto.locator("#detail-title")).to_have_text(f"track {track_id}")
            expect(otto.get_by_test_id("detail-class")).to_contain_text("%")
            expect(otto.get_by_test_id("detail-sensors")).not_to_have_text("none")
            otto.wait_for_timeout(2500)  # the plots fill from the track's stored history
            otto.screenshot(path=shots("console-detail.png", tmp_path))

            # replay the last minutes at 60x
            otto.get_by_test_id("replay-toggle").click()
            expect(otto.get_by_test_id("replay-from")).not_to_have_value("", timeout=10_000)
            otto.get_by_test_id("replay-load").click()
            expect(otto.get_by_test_id("replay-steps")).to_contain_text("steps", timeout=20_000)
            steps = int((otto.get_by_test_id("replay-steps").text_content() or "0").split()[0])
            assert steps > 10
            slider = otto.get_by_test_id("replay-slider")
            lo, hi = float(slider.get_attribute("min") or 0), float(slider.get_attribute("max") or 0)
            otto.evaluate("([el, t]) => { el.value = t; el.dispatchEvent(new Event('input')); }",
                          [slider.element_handle(), (lo + hi) / 2])
            otto.wait_for_function("Number(document.querySelector('[data-testid=track-count]').textContent) > 0")
            start = float(otto.get_by_test_id("replay-time").get_attribute("data-at") or 0)
            otto.get_by_test_id("replay-speed").select_option("60")
            otto.get_by_test_id("replay-play").click()
            otto.wait_for_timeout(1500)
            assert float(otto.get_by_test_id("replay-time").get_attribute("data-at") or 0) > start + 30
            expect(otto.locator("[data-testid=alert-item] [data-testid=action-ack]:visible")).to_have_count(0)
            otto.screenshot(path=shots("console-replay.png", tmp_path))
            assert not errors, errors

            # a viewer sees everything and can do nothing
            vera = login(browser, url, "vera")
            expect(vera.get_by_test_id("alert-item").first).to_be_visible(timeout=20_000)
            expect(vera.locator("[data-testid=alert-item] .act:visible")).to_have_count(0)
            refused = vera.evaluate("""async (id) => {
                const me = await (await fetch('api/me')).json();
                const r = await fetch(`api/alerts/${encodeURIComponent(id)}/escalate`, { method: 'POST',
                  headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
                  body: JSON.stringify({ by: 'vera', note: null }) });
                return r.status; }""", alert_id)
            assert refused == 403
            users = vera.evaluate("async () => (await fetch('api/users')).status")
            assert users == 403

            # an admin may list users
            ada = login(browser, url, "ada")
            listed = ada.evaluate("async () => (await (await fetch('api/users')).json()).map((u) => u.name)")
            assert set(listed) >= set(USERS)
        finally:
            browser.close()
