"""MQTT out to a real mosquitto broker started here (127.0.0.1, free port, own config): topics,
QoS 1 for alerts, the retained status with its last will, left retained at shutdown, and
username/password."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
import pytest

from dronewatch.config import MqttOutput as MqttSpec
from dronewatch.model import Update
from dronewatch.sinks.manager import Outputs
from factories import make_alert, make_track
from sinks.conftest import site_with
from sinks.receivers import Mosquitto

T0 = 1_767_225_600.0
ROOT = "dronewatch/v1/test_site"


class Subscriber:
    def __init__(self, port: int, auth: tuple[str, str] | None = None) -> None:
        self.messages: list[tuple[str, int, bool, Any]] = []  # topic, qos, retain, payload
        self.ready = threading.Event()
        self.c = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2)
        if auth:
            self.c.username_pw_set(*auth)
        self.c.on_connect = lambda c, *_: c.subscribe(f"{ROOT}/#", qos=2)
        self.c.on_subscribe = lambda *_: self.ready.set()
        self.c.on_message = lambda _c, _u, m: self.messages.append(
            (m.topic, m.qos, bool(m.retain), json.loads(m.payload) if m.payload else None))
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert self.ready.wait(5)

    def wait(self, pred: Any, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred(self.messages):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture
def broker(tmp_path: Path) -> Any:
    b = Mosquitto(tmp_path / "mq")
    yield b
    b.stop()


def test_topics_qos_and_status(broker: Mosquitto) -> None:
    sub = Subscriber(broker.port)
    outputs = Outputs.for_site(site_with(MqttSpec(url=f"mqtt://127.0.0.1:{broker.port}"))).start()
    out = outputs.outputs[0]
    out.chunk = 1  # (the look at waiting alerts between chunks runs)
    assert out.connected.is_set()  # type: ignore[attr-defined]
    alert_sock = out.client.socket()  # type: ignore[attr-defined]
    assert alert_sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), "alerts go out without Nagle's wait"
    t1, t2 = make_track(1, T0), make_track(2, T0)
    alert = make_alert("A00001", T0, track_id=1, track_ids=(1,))
    outputs.offer(Update(at=T0, tracks=[t1, t2], alerts=[alert]))
    assert outputs.drain(10)  # (a picture still waiting would be replaced by the next one)
    later = [msgspec.structs.replace(t, at=T0 + 0.5) for t in (t1, t2)]  # inside the 1 Hz limit
    outputs.offer(Update(at=T0 + 0.5, tracks=later, alerts=[]))
    assert outputs.drain(10)
    resolved = msgspec.structs.replace(alert, state="resolved", updated_at=T0 + 1.5)
    outputs.offer(Update(at=T0 + 1.5, tracks=[msgspec.structs.replace(t2, at=T0 + 1.5)], alerts=[resolved],
                         removed=[1]))
    assert outputs.drain(10)
    assert sub.wait(lambda m: len([x for x in m if "/alerts/" in x[0]]) == 2)
    assert sub.wait(lambda m: len([x for x in m if x[0] == f"{ROOT}/tracks/1"]) == 2)
    msgs = sub.messages
    status = [x for x in msgs if x[0] == f"{ROOT}/status"]
    assert status and status[0][3]["state"] == "online" and status[0][1] == 1
    alerts = [x for x in msgs if "/alerts/" in x[0]]
    assert [a[0] for a in alerts] == [f"{ROOT}/alerts/A00001"] * 2
    assert all(a[1] == 1 and not a[2] for a in alerts), "alerts are QoS 1, not retained"
    assert [a[3]["type"] for a in alerts] == ["alert.raised", "alert.resolved"]
    assert alerts[0][3]["data"]["id"] == "A00001" and alerts[0][3]["timestamp"] == "2026-01-01T00:00:00.000Z"
    tracks1 = [x for x in msgs if x[0] == f"{ROOT}/tracks/1"]
    assert tracks1[0][1] == 0 and tracks1[0][3]["track_id"] == 1 and tracks1[0][3]["hae_m"] == pytest.approx(60.0)
    assert tracks1[1][3]["status"] == "removed"
    tracks2 = [x for x in msgs if x[0] == f"{ROOT}/tracks/2"]
    assert [t[3]["time"] for t in tracks2] == ["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.500Z"]
    assert out.stats()["sent"] >= 4 and out.stats()["dropped"] == 0
    outputs.close()
    assert sub.wait(lambda m: m[-1][0] == f"{ROOT}/status" and m[-1][3]["state"] == "offline")
    sub.stop()
    late = Subscriber(broker.port)  # a late subscriber finds the offline status retained
    assert late.wait(lambda m: any(x[0] == f"{ROOT}/status" for x in m))
    st = next(x for x in late.messages if x[0] == f"{ROOT}/status")
    assert st[2] and st[3]["state"] == "offline" and st[3]["reason"] == "shutdown"
    late.stop()


def test_last_will_when_the_process_dies(broker: Mosquitto) -> None:
    sub = Subscriber(broker.port)
    script = textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = {[str(Path(__file__).parents[1])]!r}
        from sinks.conftest import site_with
        from dronewatch.config import MqttOutput
        from dronewatch.sinks.manager import Outputs
        o = Outputs.for_site(site_with(MqttOutput(url="mqtt://127.0.0.1:{broker.port}"))).start()
        assert o.outputs[0].connected.wait(5)
        print("up", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
        assert sub.wait(lambda m: any(x[3] and x[3].get("state") == "online" for x in m))
        proc.kill()  # no DISCONNECT: the broker sends the will
        assert sub.wait(lambda m: m[-1][0] == f"{ROOT}/status" and m[-1][3]["state"] == "offline", 10)
        will = sub.messages[-1][3]
        assert will["reason"] == "connection lost"
    finally:
        proc.kill()
        proc.wait()
        sub.stop()


def test_username_and_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broker = Mosquitto(tmp_path / "mqa", password=("dw", "s3cret"))
    try:
        sub = Subscriber(broker.port, auth=("dw", "s3cret"))
        monkeypatch.setenv("DW_TEST_MQTT_PW", "s3cret")
        outputs = Outputs.for_site(site_with(MqttSpec(url=f"mqtt://127.0.0.1:{broker.port}", username="dw",
                                                      password_env="DW_TEST_MQTT_PW"))).start()
        outputs.offer(Update(at=T0, tracks=[], alerts=[make_alert("A00009", T0)]))
        assert outputs.drain(10)
        assert sub.wait(lambda m: any(x[0] == f"{ROOT}/alerts/A00009" for x in m))
        outputs.close()
        sub.stop()
        monkeypatch.setenv("DW_TEST_MQTT_PW", "wrong")
        bad = Outputs.for_site(site_with(MqttSpec(url=f"mqtt://127.0.0.1:{broker.port}", username="dw",
                                                  password_env="DW_TEST_MQTT_PW"))).start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not bad.outputs[0].errors:
            time.sleep(0.05)
        assert bad.outputs[0].errors >= 1 and "refused" in (bad.outputs[0].last_error or "")
        bad.close(drain_timeout=0)
        monkeypatch.delenv("DW_TEST_MQTT_PW")
        with pytest.raises(ValueError, match="DW_TEST_MQTT_PW"):
            Outputs.for_site(site_with(MqttSpec(url=f"mqtt://127.0.0.1:{broker.port}", username="dw",
                                                password_env="DW_TEST_MQTT_PW")))
    finally:
        broker.stop()
    assert os.environ.get("DW_TEST_MQTT_PW") is None
