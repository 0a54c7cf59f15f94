"""MQTT over TLS with username/password, and webhooks over HTTPS with a private CA, against
real far ends on 127.0.0.1 (mosquitto with a TLS listener, an HTTPS receiver; certificates made
here). A wrong password or an untrusted CA is counted and shown in /api/health, the alert is
kept (pending), and the pipeline side never waits. ``dronewatch check`` names a missing or
wrong certificate file."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import MqttOutput as MqttSpec
from dronewatch.config import WebhookOutput as WebhookSpec
from dronewatch.model import Update
from dronewatch.sinks.manager import Outputs
from dronewatch.store import Store
from dronewatch.store.outbox import Outbox
from factories import make_alert, make_track
from sinks.conftest import site_with
from sinks.receivers import Mosquitto, Pki, WebhookReceiver, wait_until
from sinks.test_mqtt import ROOT, Subscriber

T0 = 1_767_225_600.0
SECRET = "whsec_" + base64.b64encode(b"dronewatch-test-secret-0123456789").decode()


def _update(alert_id: str = "A00001") -> Update:
    return Update(at=T0, tracks=[make_track(1, T0)], alerts=[make_alert(alert_id, T0, track_id=1, track_ids=(1,))])


@pytest.fixture
def tls_broker(tmp_path: Path, pki: Pki) -> Mosquitto:  # type: ignore[misc]
    broker = Mosquitto(tmp_path / "mq", password=("dw", "s3cret"), tls=pki)
    yield broker
    broker.stop()


def _mqtts(broker: Mosquitto, ca: Path, **kw: str) -> MqttSpec:
    return MqttSpec(url=f"mqtts://127.0.0.1:{broker.tls_port}", ca=str(ca), username="dw",
                    password_env="DW_TEST_MQTT_PW", **kw)


def test_mqtt_over_tls_with_password(tls_broker: Mosquitto, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = Subscriber(tls_broker.port, auth=("dw", "s3cret"))  # (on the plain listener: what the broker routes)
    monkeypatch.setenv("DW_TEST_MQTT_PW", "s3cret")
    outputs = Outputs.for_site(site_with(_mqtts(tls_broker, pki.ca))).start()
    out = outputs.outputs[0]
    assert out.connected.is_set() and out.tracks_connected.is_set(), out.stats()  # type: ignore[attr-defined]
    outputs.offer(_update())
    assert outputs.drain(10)
    assert sub.wait(lambda m: any("/alerts/" in x[0] for x in m) and any("/tracks/" in x[0] for x in m))
    got = {x[0]: x for x in sub.messages}
    alert, track, status = got[f"{ROOT}/alerts/A00001"], got[f"{ROOT}/tracks/1"], got[f"{ROOT}/status"]
    assert alert[1] == 1 and alert[3]["type"] == "alert.raised" and alert[3]["data"]["id"] == "A00001"
    assert track[1] == 0 and track[3]["track_id"] == 1
    assert status[1] == 1 and status[3]["state"] == "online"
    assert out.errors == 0 and out.last_error is None and out.pending() == 0
    outputs.close()
    assert sub.wait(lambda m: m[-1][0] == f"{ROOT}/status" and m[-1][3]["state"] == "offline")
    sub.stop()


def test_mqtt_over_tls_with_a_client_certificate(tmp_path: Path, pki: Pki) -> None:
    broker = Mosquitto(tmp_path / "mqc", tls=pki, require_certificate=True)
    try:
        sub = Subscriber(broker.port)
        url = f"mqtts://127.0.0.1:{broker.tls_port}"
        site = site_with(MqttSpec(url=url, ca=str(pki.ca), cert=str(pki.client_cert), key=str(pki.client_key),
                                  tracks=False),
                         MqttSpec(url=url, ca=str(pki.ca), tracks=False, name="no client certificate"))
        outputs = Outputs.for_site(site).start()
        ours, without = outputs.outputs
        outputs.offer(_update())
        assert ours.drain(10) and sub.wait(lambda m: any(x[0] == f"{ROOT}/alerts/A00001" and x[1] == 1 for x in m))
        assert ours.errors == 0 and ours.sent >= 1
        assert wait_until(lambda: without.errors >= 1, 10) and without.pending() == 1, without.stats()
        assert "closed before the broker accepted it" in (without.last_error or ""), without.last_error
        assert "client certificate" in (without.last_error or "")
        outputs.close(drain_timeout=0)
        sub.stop()
    finally:
        broker.stop()


def _health(outputs: Outputs) -> list[dict[str, object]]:
    site = site_with()
    live = LiveState(site)
    live.set_outputs_source(outputs.stats)
    with Store("sqlite://") as store, TestClient(create_app(site, store, live, InProcessBus())) as client:
        body: list[dict[str, object]] = client.get("/api/health").json()["outputs"]
    return body


@pytest.mark.parametrize(("case", "expected"), [
    ("wrong password", "broker refused: Not authorized"),
    ("untrusted CA", "CERTIFICATE_VERIFY_FAILED"),
])
def test_mqtt_tls_failures_are_counted_shown_and_do_not_block(
        tls_broker: Mosquitto, pki: Pki, monkeypatch: pytest.MonkeyPatch, case: str, expected: str) -> None:
    monkeypatch.setenv("DW_TEST_MQTT_PW", "wrong" if case == "wrong password" else "s3cret")
    ca = pki.other_ca if case == "untrusted CA" else pki.ca
    outputs = Outputs.for_site(site_with(_mqtts(tls_broker, ca))).start()
    out = outputs.outputs[0]
    try:
        assert not out.connected.is_set()  # type: ignore[attr-defined]
        for i in range(50):  # the pipeline side hands over and goes on
            outputs.offer(_update(f"A{i:05d}"))
        assert wait_until(lambda: out.errors >= 1 and expected in (out.last_error or ""), 10), out.stats()
        assert wait_until(lambda: out.idle()), "the worker is not stuck on the far end"
        assert out.pending() == 50, "every alert kept for when the broker takes us"
        assert not outputs.drain(0.3)
        (shown,) = _health(outputs)
        assert shown["errors"] >= 1 and expected in str(shown["last_error"]) and shown["pending"] == 50  # type: ignore[operator]
        assert shown["offered"] == 50 and shown["dropped"] == 0
        out.keep_unsent_s = 0.5  # type: ignore[attr-defined]  # (120 s in use) then a run's drain is not held
        assert outputs.drain(5) and out.pending() == 0 and out.dropped_alerts == 50
        # dropped as each passes keep_unsent_s (in one go or several, by timing): the count is above
        assert "alert(s) not acknowledged by the broker" in (out.last_error or "")
    finally:
        outputs.close(drain_timeout=0)


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DW_TEST_HOOK", SECRET)
    return SECRET


def test_webhook_over_https_with_a_private_ca(tmp_path: Path, pki: Pki, secret: str) -> None:
    receiver = WebhookReceiver(secret, tls=pki)
    assert receiver.url.startswith("https://")
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    site = site_with(WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK", ca=str(pki.ca), name="ours"),
                     WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK", ca=str(pki.other_ca), name="other-ca"),
                     WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK", name="system-cas"))
    outputs = Outputs.for_site(site, store).start()
    try:
        outputs.offer(_update())
        ours, other, system = outputs.outputs
        assert ours.drain(10), ours.stats()
        assert receiver.bad_signatures == 0
        assert [(b["type"], b["data"]["id"]) for _, b, _ in receiver.received] == [("alert.raised", "A00001")]
        assert ours.errors == 0 and ours.sent == 1
        for out in (other, system):  # the receiver's CA is trusted by neither
            assert wait_until(lambda o=out: o.errors >= 1, 10), out.stats()  # type: ignore[misc]
            assert "CERTIFICATE_VERIFY_FAILED" in (out.last_error or ""), out.last_error
            assert out.pending() == 1 and out.sent == 0
            (row,) = Outbox(store, out.name).rows()
            assert row["status"] == "pending" and row["attempts"] >= 1, row  # kept for the next retry
        shown = {h["name"]: h for h in _health(outputs)}
        assert "CERTIFICATE_VERIFY_FAILED" in str(shown["other-ca"]["last_error"]) and shown["ours"]["errors"] == 0
        assert len(receiver.received) == 1
    finally:
        outputs.close(drain_timeout=0)
        receiver.stop()
        store.close()


def _check(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "site.yaml"
    f.write_text(text)
    return subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(f)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)


SITE = "name: s\norigin: {lat: 52, lon: 4}\noutputs:\n  - {kind: cot}\n  - "


def test_check_names_a_missing_or_wrong_certificate_file(tmp_path: Path, pki: Pki) -> None:
    hook = f"{{kind: webhook, url: 'https://h/x', secret_env: S, ca: {pki.ca}}}\n"
    ok = _check(tmp_path, SITE + hook)
    assert ok.returncode == 0 and "output: webhook https://h/x" in ok.stdout, ok.stderr

    missing = _check(tmp_path, SITE + "{kind: webhook, url: 'https://h/x', secret_env: S, ca: nope.pem}\n")
    assert missing.returncode == 2
    assert f"{tmp_path / 'site.yaml'}:5: $.outputs[1].ca: an existing file" in missing.stderr, missing.stderr
    assert "nope.pem not found" in missing.stderr

    (tmp_path / "junk.pem").write_text("not a certificate\n")
    junk = _check(tmp_path, SITE + "{kind: mqtt, url: 'mqtts://h:8883', ca: junk.pem}\n")
    assert junk.returncode == 2 and "$.outputs[1].ca: PEM CA certificate(s); junk.pem holds none" in junk.stderr

    key = _check(tmp_path, SITE + f"{{kind: cot, url: 'tls://h:8089', cert: {pki.client_cert}, key: junk.pem, "
                                  f"ca: {pki.ca}}}\n")
    assert key.returncode == 2 and "$.outputs[1].key: a PEM file (or .p12); junk.pem is not PEM" in key.stderr

    scen = tmp_path / "scen.yaml"  # in a scenario, under site:
    scen.write_text("name: x\nsite:\n  name: s\n  origin: {lat: 52, lon: 4}\n  outputs:\n"
                    "    - {kind: mqtt, url: 'mqtts://h:8883', cert: gone.pem}\nobjects: []\n")
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(scen)], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2 and f"{scen}:6: $.site.outputs[0].cert: an existing file" in proc.stderr, proc.stderr
