"""The console during a real `dronewatch demo` run: the demo process (simulator, pipeline,
SQLite, API) is started on 127.0.0.1, headless Chromium opens the console and must see
tracks and alerts appear. Saves the screenshot shown in the README (docs/console.png)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "console.png"
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dronewatch.cli", "demo", "--port", str(port), "--speed", "25",
         "--db", str(tmp_path / "demo.db"), "--no-loop"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"demo exited: {proc.stdout.read() if proc.stdout else ''}"
            try:
                with urllib.request.urlopen(url + "api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "demo did not start serving within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_console_shows_demo_tracks_and_alerts(demo: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(demo)
            expect(page.locator("canvas.maplibregl-canvas")).to_be_visible(timeout=30_000)
            expect(page.get_by_test_id("status")).to_have_text("connected", timeout=30_000)
            page.wait_for_function(
                "() => Number(document.querySelector('[data-testid=track-count]')?.textContent) > 0",
                timeout=60_000,
            )
            items = page.get_by_test_id("alert-item")
            expect(items.first).to_be_visible(timeout=90_000)
            page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=alert-item]').length >= 3", timeout=90_000
            )
            assert items.count() >= 3
            assert int(page.get_by_test_id("track-count").text_content() or "0") > 0
            assert not errors, errors
            page.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()
