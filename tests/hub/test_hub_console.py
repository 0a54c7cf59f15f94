"""The hub's console in headless Chromium: two sites published into a hub, one map with both
sites' zones and live tracks (real nats-server, PostgreSQL, `dronewatch hub`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hub_helpers import wait_for
from hub_scenes import write
from playwright.sync_api import sync_playwright

from dronewatch.config import load_scenario
from dronewatch.edge import EdgePublisher, StoreTail
from dronewatch.runner import run_fast

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]


async def _publish(url: str, scen: Path, db: Path) -> None:
    pub = EdgePublisher(url, load_scenario(scen).site, StoreTail(db))
    try:
        assert await pub.drain(60)
    finally:
        await pub.close()


def test_hub_console_shows_both_sites(tmp_path: Path, nats, hub_db, hub_factory) -> None:
    hub = hub_factory(nats.url, hub_db).start()
    for name, path in write(tmp_path, duration_s=120.0).items():
        db = tmp_path / f"{name}.db"
        run_fast(load_scenario(path), tmp_path / f"out-{name}", db_url=f"sqlite:///{db}")
        asyncio.run(_publish(nats.url, path, db))
    import httpx

    wait_for(lambda: {t["site"] for t in httpx.get(f"{hub.url}/api/tracks", timeout=10).json()} == {"alpha", "bravo"},
             60, "live tracks of both sites at the hub")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(hub.url + "/")
            count = page.get_by_test_id("track-count")
            wait_for(lambda: count.inner_text().strip().split()[0].isdigit()
                     and int(count.inner_text().strip().split()[0]) >= 2, 60, "tracks on the hub console")
            site = page.evaluate("fetch('api/site').then(r => r.json())")
            names = {f["properties"]["name"] for f in site["geojson"]["zones"]["features"]}
            assert names == {"alpha: Core", "bravo: Core"}
            assert page.get_by_test_id("status").get_attribute("data-state") == "connected"
        finally:
            browser.close()
