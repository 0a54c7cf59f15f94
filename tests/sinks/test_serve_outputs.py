"""`dronewatch demo` with outputs in its scenario file: the alerts reach a webhook receiver and
a mosquitto broker from the live loop, and /api/health shows the outputs' figures."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from sinks.receivers import Mosquitto, WebhookReceiver, free_port

SECRET = "whsec_" + base64.b64encode(b"serve-outputs-test-secret-012345").decode()

SCENARIO = """\
name: outputs-live
duration_s: 40
site:
  name: Live Outputs
  origin: {{lat: 51.556, lon: -0.2796, alt_m: 40}}
  zones:
    - {{name: Core, circle: {{lat: 51.556, lon: -0.2796, radius_m: 300}}, severity: critical}}
  sensors:
    - {{id: radar-1, kind: radar, lat: 51.556, lon: -0.2796, alt_m: 10, range_m: 2000, pd: 0.98}}
  outputs:
    - {{kind: webhook, url: "{hook}", secret_env: DW_SERVE_HOOK}}
    - {{kind: mqtt, url: "mqtt://127.0.0.1:{mqtt}"}}
objects:
  - id: intruder
    kind: multirotor
    speed_mps: 8
    waypoints:
      - {{lat: 51.5565, lon: -0.2796, alt_m: 60}}
      - {{lat: 51.5555, lon: -0.2796, alt_m: 60}}
"""


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_demo_sends_alerts_to_outputs(tmp_path: Path) -> None:
    hook = WebhookReceiver(SECRET)
    broker = Mosquitto(tmp_path / "mq")
    scen = tmp_path / "scen.yaml"
    scen.write_text(SCENARIO.format(hook=hook.url, mqtt=broker.port))
    http = free_port()
    env = {**os.environ, "DW_SERVE_HOOK": SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "dronewatch.cli", "demo", "--scenario", str(scen), "--port",
                             str(http), "--db", str(tmp_path / "d.db"), "--speed", "4", "--no-loop"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while not any(b["type"] == "alert.raised" for _, b, _ in hook.received):
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "no alert reached the webhook"
            time.sleep(0.1)
        raised = next(b for _, b, _ in hook.received if b["type"] == "alert.raised")
        assert raised["data"]["zone"] == "Core" and hook.bad_signatures == 0
        health = _get(f"http://127.0.0.1:{http}/api/health")
        by_kind = {o["kind"]: o for o in health["outputs"]}
        assert set(by_kind) == {"webhook", "mqtt"}
        assert by_kind["webhook"]["sent"] >= 1 and by_kind["mqtt"]["sent"] >= 1
        assert all(o["dropped"] == 0 for o in health["outputs"])
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        hook.stop()
        broker.stop()
