"""The built-in stadium scenario run fast with all four outputs at once (a TLS CoT listener
requiring our client certificate, a mosquitto broker, a webhook receiver that verifies every
signature, a SAPIENT parent): every alert the run raises (so each seed threat's) reaches each
output, in the scenario's time, and the run returns only once every output has drained."""

from __future__ import annotations

import base64
import json
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
import pytest

from dronewatch.config import CotOutput, MqttOutput, SapientOutput, WebhookOutput, load_scenario, resolve_scenario
from dronewatch.runner import run_fast
from sinks.receivers import CotListener, Mosquitto, Pki, SapientParent, WebhookReceiver

SECRET = "whsec_" + base64.b64encode(b"stadium-webhook-secret-for-tests").decode()


def test_stadium_alerts_reach_all_four_outputs(tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DW_STADIUM_HOOK", SECRET)
    cot = CotListener("tls", pki).start()
    broker = Mosquitto(tmp_path / "mq")
    hook = WebhookReceiver(SECRET)
    parent = SapientParent()
    mq_alerts: list[dict[str, Any]] = []
    ready = threading.Event()
    sub = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2)
    sub.on_connect = lambda c, *_: c.subscribe("dronewatch/v1/stadium/alerts/#", qos=1)
    sub.on_subscribe = lambda *_: ready.set()
    sub.on_message = lambda _c, _u, m: mq_alerts.append(json.loads(m.payload))
    sub.connect("127.0.0.1", broker.port)
    sub.loop_start()
    try:
        assert ready.wait(5)
        scenario = load_scenario(resolve_scenario("stadium"))
        outputs = [
            CotOutput(url=f"tls://127.0.0.1:{cot.port}", cert=str(pki.client_cert), key=str(pki.client_key),
                      ca=str(pki.ca)),
            MqttOutput(url=f"mqtt://127.0.0.1:{broker.port}"),
            WebhookOutput(url=hook.url, secret_env="DW_STADIUM_HOOK"),
            SapientOutput(url=f"tcp://127.0.0.1:{parent.port}"),
        ]
        scenario = msgspec.structs.replace(scenario, site=msgspec.structs.replace(scenario.site, outputs=outputs))
        run_fast(scenario, tmp_path / "run")

        rows = [json.loads(line) for line in (tmp_path / "run" / "alerts.jsonl").read_text().splitlines()]
        raised = {r["id"]: r for r in rows if r["change"] == "raised"}
        assert len(raised) >= 4, "the stadium's seed threats raise alerts"
        # drained before run_fast returned: every webhook is delivered (HTTP 2xx) already
        by_hook = {b["data"]["id"]: b for _, b, _ in hook.received if b["type"] == "alert.raised"}
        assert set(by_hook) == set(raised) and hook.bad_signatures == 0
        for alert_id, body in by_hook.items():
            assert body["timestamp"] == raised[alert_id]["time"], "scenario time in the message"
        assert len({h["webhook-id"] for h, _, _ in hook.received}) == len(hook.received), "each once"

        deadline = time.monotonic() + 10
        def arrived() -> tuple[set[str], set[str], set[str]]:
            c = {e.uid.rsplit(".alert.", 1)[1] for e in cot.events if ".alert." in e.uid}
            m = {a["data"]["id"] for a in mq_alerts if a["type"] == "alert.raised"}
            s = {r.msg.alert.additional_information.split(",")[0].removeprefix("dronewatch alert ")
                 for r in parent.of("alert")}
            return c, m, s
        while time.monotonic() < deadline and any(got != set(raised) for got in arrived()):
            time.sleep(0.05)
        on_cot, on_mqtt, on_sapient = arrived()
        assert on_cot == set(raised), "CoT"
        assert on_mqtt == set(raised), "MQTT"
        assert on_sapient == set(raised), "SAPIENT"
        assert parent.messages[0].kind == "registration"
        hostile = [e for e in cot.events if e.type.startswith("a-h-")]
        assert hostile, "alerted drones turn hostile on TAK"
    finally:
        sub.loop_stop()
        sub.disconnect()
        cot.stop()
        broker.stop()
        hook.stop()
        parent.stop()
