"""Sensor health in the console, over real sockets on 127.0.0.1: `dronewatch serve` with an
ASTERIX UDP input and a SAPIENT listener; the real CAT034 status of ../shared/data/asterix
(radar SAC/SIC 25/14, operational) is sent as a datagram, and a SAPIENT edge node written with
the generated bindings registers and reports its status and location. Headless Chromium sees
the radar and the node in the sensor panel with their health, the node drawn on the map as a
sensor where it said it is, and the panel following the node live when it reports an error."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_console import page  # noqa: F401 - the same headless Chromium fixture

from dronewatch.sapient import framing, messages
from dronewatch.sapient.ids import new_uuid
from feedkit import free_port, get, serve, stop, wait_for
from test_serve_sapient import registration, status

pytestmark = pytest.mark.browser

ORIGIN = (51.556, -0.2796)
NODE_AT = (51.5575, -0.2770, 42.0)  # where the edge node says it is
SITE = f"""\
name: Sensor health test
origin: {{lat: {ORIGIN[0]}, lon: {ORIGIN[1]}, alt_m: 40}}
zones:
  - {{name: Pitch, circle: {{lat: {ORIGIN[0]}, lon: {ORIGIN[1]}, radius_m: 200}}, severity: critical}}
sensors:
  - {{id: radar-14, kind: radar, lat: 51.5550, lon: -0.2830, range_m: 900, sac: 25, sic: 14}}
"""


class EdgeNode:
    """A SAPIENT edge node on its own event loop thread: registers, then reports its status
    (``system``) and location every 2 s, as a real node does."""

    def __init__(self, port: int) -> None:
        self.port, self.node = port, new_uuid()
        self.system = messages.status_report_pb2.StatusReport.SYSTEM_OK
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.writer: asyncio.StreamWriter | None = None

    def _run(self, coro: object) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(20)  # type: ignore[arg-type]

    async def _connect(self) -> None:
        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        await framing.write_message(self.writer, registration(self.node))
        ack = await asyncio.wait_for(framing.read_message(reader), 10)
        assert ack is not None and ack.registration_ack.acceptance
        self.loop.create_task(self._every_2s())

    async def _every_2s(self) -> None:
        while self.writer is not None and not self.writer.is_closing():
            await self._status(self.system)
            await asyncio.sleep(2.0)

    async def _status(self, system: int) -> None:
        msg = status(self.node)
        msg.status_report.system = system
        msg.status_report.node_location.x, msg.status_report.node_location.y = NODE_AT[1], NODE_AT[0]
        msg.status_report.node_location.z = NODE_AT[2]
        assert self.writer is not None
        await framing.write_message(self.writer, msg)

    def connect(self) -> None:
        self._run(self._connect())

    def send(self, system: int) -> None:
        self.system = system
        self._run(self._status(system))

    async def _close(self) -> None:
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        if self.writer is not None:
            self.writer.close()

    def close(self) -> None:
        self._run(self._close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def radar_status(data: bytes, port: int, done: threading.Event) -> None:
    """The radar's CAT034 status, sent every 2 s (a radar sends it every rotation)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        while not done.is_set():
            s.sendto(data, ("127.0.0.1", port))
            done.wait(2.0)


def test_sensor_health_in_the_console(tmp_path: Path, captures: Path, page: Page) -> None:  # noqa: F811
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    udp, sap = free_port(socket.SOCK_DGRAM), free_port()
    cat034 = (captures / "asterix" / "cat034.raw").read_bytes()
    proc, node = None, None
    done = threading.Event()
    try:
        proc, base = serve(site, tmp_path, "--asterix", f"udp://127.0.0.1:{udp}", "--sapient-listen",
                           f"127.0.0.1:{sap}")
        wait_for(lambda: all(i["connected"] for i in get(base + "/api/health")["ingest"]["inputs"]), 20, "the inputs")
        threading.Thread(target=radar_status, args=(cat034, udp, done), daemon=True).start()
        node = EdgeNode(sap)
        node.connect()
        sensor_id = f"sapient-{node.node}"

        # The API: the radar joined to its site sensor by SAC/SIC, the node placed as a sensor.
        def doc() -> dict[str, dict[str, Any]] | None:
            sensors = {s["id"]: s for s in get(base + "/api/sensors")["sensors"]}
            placed = sensors.get(sensor_id, {}).get("lat") is not None
            return sensors if placed and sensors["radar-14"]["health"] else None
        sensors = wait_for(doc, 20, "the radar's and the node's status")
        assert sensors["radar-14"]["health"] == "ok" and sensors["radar-14"]["category"] == "CAT034"
        assert sensors["radar-14"]["state"] == "operational"
        assert sensors[sensor_id]["health"] == "ok" and sensors[sensor_id]["kind"] == "radar"
        assert sensors[sensor_id]["lat"] == pytest.approx(NODE_AT[0], abs=1e-9)
        assert sensors[sensor_id]["lon"] == pytest.approx(NODE_AT[1], abs=1e-9)

        page.goto(base + "/")
        pill = page.get_by_test_id("sensor-health")
        expect(pill).to_be_visible(timeout=20_000)
        expect(pill).to_have_attribute("data-state", "ok", timeout=10_000)
        pill.click()
        panel = page.get_by_test_id("sensor-panel")
        expect(panel).to_be_visible()
        radar_row = panel.locator("[data-testid=sensor-row][data-id=\"radar-14\"]")
        expect(radar_row).to_have_attribute("data-health", "ok", timeout=10_000)
        expect(radar_row).to_contain_text("CAT034")
        expect(radar_row).to_contain_text("operational")
        expect(radar_row).to_contain_text(" s ago")
        node_row = panel.locator(f"[data-testid=sensor-row][data-id=\"{sensor_id}\"]")
        expect(node_row).to_have_attribute("data-health", "ok")
        expect(node_row).to_contain_text("test radar")

        # On the map: the node is a point of the sensors layer where it said it is.
        page.wait_for_function("window.dronewatchMap && window.dronewatchMap.getLayer('sensor-status') !== undefined",
                               timeout=20_000)
        drawn = page.wait_for_function(
            """id => { const f = window.dronewatchMap.querySourceFeatures('sensor-status')
                         .find(f => f.properties.id === id);
                       return f ? [f.geometry.coordinates, f.properties.health] : null; }""",
            arg=sensor_id, timeout=20_000).json_value()
        (lon, lat), health = drawn
        assert (lat, lon) == (pytest.approx(NODE_AT[0], abs=1e-5), pytest.approx(NODE_AT[1], abs=1e-5))
        assert health == "ok"

        # Live: the node reports an error; the panel and the pill follow without a reload.
        node.send(messages.status_report_pb2.StatusReport.SYSTEM_ERROR)
        expect(node_row).to_have_attribute("data-health", "down", timeout=15_000)
        expect(node_row).to_contain_text("ERROR")
        expect(pill).to_have_attribute("data-state", "down")
        expect(pill).to_contain_text("1 down")
        page.screenshot(path=str(tmp_path / "sensor-health.png"))
    finally:
        done.set()
        if node is not None:
            node.close()
        if proc is not None:
            stop(proc)
