"""The outputs manager: outputs never block the pipeline side (bounded alert queue, drops
counted; a waiting picture replaced by a newer one; alerts ahead of tracks),
their figures reach /api/health, and the site file's ``outputs:`` is validated."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import ConfigError, load_site
from dronewatch.model import Update
from dronewatch.sinks.manager import Outputs
from dronewatch.sinks.output import Output
from dronewatch.store import Store
from factories import make_alert, make_track
from sinks.conftest import site_with


class Stuck(Output):
    """An output whose far end hangs until released."""

    kind = "stuck"

    def __init__(self) -> None:
        super().__init__("stuck", queue_size=3)
        self.release = threading.Event()
        self.handled: list[tuple[str, float]] = []  # ("alerts" | "tracks", update time)
        self.removed: list[int] = []  # every removed track id sent, in order

    def handle_alerts(self, update: Update) -> None:
        self.release.wait(10)
        self.handled.append(("alerts", update.at))

    def handle_tracks(self, update: Update) -> None:
        self.release.wait(10)
        assert not update.alerts
        self.handled.append(("tracks", update.at))
        self.removed += update.removed


def test_a_stuck_output_drops_the_oldest_alerts_and_keeps_the_newest_picture() -> None:
    out = Stuck()
    outputs = Outputs([out]).start()
    for k in range(10):
        outputs.offer(Update(at=float(k), tracks=[make_track(1)], alerts=[make_alert(f"A{k}")] if k % 2 else [],
                             removed=[100 + k]))
    stats = out.stats()
    assert stats["offered"] == 10
    # five updates with alerts: one being handled (or about to be), three waiting, the rest dropped
    assert stats["dropped"] >= 1 and stats["dropped_alerts"] == stats["dropped"]
    # pictures: one being handled at most, one waiting; every other one replaced
    assert stats["superseded"] >= 8 and stats["queued"] <= 4
    out.release.set()
    assert outputs.drain(5)
    alerts = [at for what, at in out.handled if what == "alerts"]
    assert alerts[-3:] == [5.0, 7.0, 9.0], "the newest alerts survive"
    assert out.handled[-1] == ("tracks", 9.0), "the newest picture is sent, after the alerts waiting with it"
    # however many pictures the worker took before it hung, every removed id reaches the far end
    # once, in order (a replaced picture's ids travel on with the one that replaced it)
    assert out.removed == list(range(100, 110)), "removed tracks are carried over"
    outputs.close()


class Slow(Output):
    """Takes 50 ms per chunk of tracks; records what it did in order."""

    kind = "slow"
    chunk = 10

    def __init__(self) -> None:
        super().__init__("slow")
        self.log: list[str] = []

    def handle_alerts(self, update: Update) -> None:
        self.log += [f"alert {a.alert_id}" for a in update.alerts]

    def handle_tracks(self, update: Update) -> None:
        for k in range(0, len(update.tracks), self.chunk):
            time.sleep(0.05)
            self.log.append(f"tracks {update.at} {k}")
            self.urgent()


def test_an_alert_overtakes_a_picture_being_sent() -> None:
    out = Slow()
    outputs = Outputs([out]).start()
    outputs.offer(Update(at=1.0, tracks=[make_track(i) for i in range(1, 101)], alerts=[]))
    deadline = time.monotonic() + 5
    while not out.log and time.monotonic() < deadline:
        time.sleep(0.005)
    outputs.offer(Update(at=2.0, tracks=[make_track(i) for i in range(1, 101)], alerts=[make_alert("A1")]))
    assert outputs.drain(10)
    first_picture = [e for e in out.log if e.startswith("tracks 1.0")]
    assert len(first_picture) == 10, "the picture being sent is finished"
    at = out.log.index("alert A1")
    assert at < out.log.index("tracks 1.0 90"), "the alert went between two chunks, not after the picture"
    assert out.log[-1] == "tracks 2.0 90"
    outputs.close()


def test_health_shows_outputs(tmp_path: Path) -> None:
    site = site_with()
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    live = LiveState(site)
    out = Stuck()
    out.release.set()
    outputs = Outputs([out]).start()
    live.set_outputs_source(outputs.stats)
    outputs.offer(Update(at=1.0, tracks=[], alerts=[]))
    assert outputs.drain(5)
    with TestClient(create_app(site, store, live, InProcessBus())) as client:
        body = client.get("/api/health").json()
    assert body["outputs"] == [{"name": "stuck", "kind": "stuck", "queued": 0, "offered": 1, "dropped": 0,
                                "dropped_alerts": 0, "superseded": 0, "sent": 0, "pending": 0, "errors": 0,
                                "last_error": None}]
    outputs.close()
    store.close()


def test_health_counts_drops() -> None:
    """A far end that hangs: the alerts the bounded queue could not keep are counted in /api/health
    (of 10: at most 3 taken by the hung worker, 3 waiting)."""
    site = site_with()
    out = Stuck()
    outputs = Outputs([out]).start()
    live = LiveState(site)
    live.set_outputs_source(outputs.stats)
    for k in range(10):
        outputs.offer(Update(at=float(k), tracks=[], alerts=[make_alert(f"A{k}")]))
    with Store("sqlite://") as store, TestClient(create_app(site, store, live, InProcessBus())) as client:
        (shown,) = client.get("/api/health").json()["outputs"]
    assert shown["offered"] == 10 and shown["dropped"] >= 4 and shown["dropped_alerts"] == shown["dropped"]
    out.release.set()
    outputs.close()


@pytest.mark.parametrize(("entry", "message"), [
    ("{kind: cot, url: 'http://x:1'}", "$.outputs[0]: `url` must be udp://... or tcp://... or tls://..."),
    ("{kind: cot, url: 'tls://x:8089'}", "$.outputs[0]: a tls:// CoT output needs `cert`"),
    ("{kind: cot, url: 'udp://239.2.3.1:6969', interface: eth0}", "$.outputs[0]: `interface` must be the interface's"),
    ("{kind: webhook, url: 'https://x/y'}", "$.outputs[0]: Object missing required field `secret_env`"),
    ("{kind: webhook, url: 'https://x/y', secret_env: S, severity: [loud]}", "$.outputs[0].severity[0]"),
    ("{kind: pigeon, url: 'x://y'}", "$.outputs[0].kind: Invalid value 'pigeon'"),
    ("{kind: mqtt, url: 'mqtt://h:1883', colour: red}", "$.outputs[0]: Object contains unknown field `colour`"),
    ("{kind: webhook, url: 'http://x/y', secret_env: S, ca: ca.pem}", "$.outputs[0]: `ca` only goes with an https://"),
    ("{kind: mqtt, url: 'mqtt://h:1883', ca: ca.pem}", "$.outputs[0]: `ca`, `cert` and `key` only go with an mqtts://"),
    ("{kind: mqtt, url: 'mqtt://h:1883', password_env: P}", "$.outputs[0]: `password_env` needs `username`"),
])
def test_bad_outputs_name_file_line_and_field(tmp_path: Path, entry: str, message: str) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(f"name: s\norigin: {{lat: 52, lon: 4}}\noutputs:\n  - {entry}\n")
    with pytest.raises(ConfigError) as err:
        load_site(f)
    assert str(err.value).startswith(f"{f}:4: ") and message in str(err.value), str(err.value)


def test_good_outputs_load(tmp_path: Path) -> None:
    f = tmp_path / "site.yaml"
    f.write_text("name: s\norigin: {lat: 52, lon: 4}\noutputs:\n"
                 "  - {kind: cot}\n"
                 "  - {kind: cot, url: 'tls://tak.example:8089', cert: c.pem, key: k.pem, ca: ca.pem}\n"
                 "  - {kind: sapient, url: 'tcp://fusion:12000'}\n"
                 "  - {kind: webhook, url: 'https://hooks.example/x', secret_env: DW_HOOK, severity: [critical],"
                 " ca: ca.pem}\n"
                 "  - {kind: mqtt, url: 'mqtts://broker:8883', username: dw, password_env: DW_MQTT}\n")
    site = load_site(f)
    assert [type(o).__name__ for o in site.outputs] == ["CotOutput", "CotOutput", "SapientOutput",
                                                        "WebhookOutput", "MqttOutput"]
    assert site.outputs[0].url == "udp://239.2.3.1:6969"  # type: ignore[union-attr]
    assert site.outputs[3].ca == "ca.pem"  # type: ignore[union-attr]
