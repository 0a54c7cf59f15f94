"""``MqttOutput``: tracks and alerts as JSON to an MQTT broker (paho-mqtt 2.x).

Topics (``<site>`` made topic-safe: lower case, ``[a-z0-9_-]``)::

    dronewatch/v1/<site>/tracks/<track_id>   QoS 0, at most ``track_rate_hz`` per track; a removed
                                             track once more with "status": "removed"
    dronewatch/v1/<site>/alerts/<alert_id>   QoS 1, {"type": "alert.raised" | "alert.updated" |
                                             "alert.resolved", "timestamp", "data": {...}}
    dronewatch/v1/<site>/status              retained {"state": "online" | "offline", ...}; the
                                             broker publishes "offline" (last will) if we vanish,
                                             and we leave "offline" retained when we stop

Alerts and the status go over one connection, tracks over a second one (``<client id>-tracks``),
so an alert never waits behind a picture's worth of track messages in the client's queue or
the TCP stream. The alert connection sends at once (TCP_NODELAY; paho leaves Nagle's algorithm
on, which holds a step's second alert until the broker's ACK of the first, up to the peer's
delayed-ACK time, 40 ms on Linux); the track connection keeps Nagle, which packs its bursts.
``mqtts://`` uses TLS (``ca``, optional client ``cert``/``key``); ``username`` and the password
from the environment variable ``password_env``. Alerts not yet acknowledged by the broker
(PUBACK) count as pending, so a drain waits for them (``keep_unsent_s``, 120 s, at most).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from typing import Any

import msgspec
import paho.mqtt.client as mqtt

from dronewatch import __version__
from dronewatch.config import MqttOutput as MqttSpec
from dronewatch.config import Site
from dronewatch.model import Update
from dronewatch.sinks.jsonl import iso
from dronewatch.sinks.messages import AlertChanges, alert_json, track_json
from dronewatch.sinks.output import Output

log = logging.getLogger(__name__)
_ENC = msgspec.json.Encoder()


def topic_safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name.lower())


def topic_root(site: str) -> str:
    return f"dronewatch/v1/{topic_safe(site)}"


def _acked(info: mqtt.MQTTMessageInfo) -> bool:
    """The broker acknowledged this QoS 1 message. (A message paho queued while disconnected
    keeps rc NO_CONN, so ``is_published()`` would raise even after delivery: read the flag.)"""
    return bool(info._published)


class MqttOutput(Output):
    kind = "mqtt"

    def __init__(self, spec: MqttSpec, site: Site) -> None:
        super().__init__(spec.name or f"mqtt {spec.url}", spec.queue)
        self.spec = spec
        self.site = site.name
        self.origin_alt_m = site.origin.alt_m
        self.root = topic_root(site.name)
        self.status_topic = f"{self.root}/status"
        scheme, _, rest = spec.url.partition("://")
        host, _, port = rest.rstrip("/").rpartition(":")
        if not host:
            host, port = rest.rstrip("/"), ""
        self.host = host.strip("[]")
        self.port = int(port) if port else (8883 if scheme == "mqtts" else 1883)
        self.tls = scheme == "mqtts"
        self._changes = AlertChanges()
        self._last_sent_at: dict[int, float] = {}
        self._min_gap_s = 1.0 / spec.track_rate_hz
        self._unacked: list[tuple[float, mqtt.MQTTMessageInfo]] = []  # (monotonic time published, info)
        self.keep_unsent_s = 120.0  # an alert the broker has not acknowledged this long is no longer waited for
        self._lock = threading.Lock()
        self.connected = threading.Event()
        self._refused = False  # the broker's CONNACK refused us (its disconnect follows)
        self.tracks_connected = threading.Event()
        self.connect_wait_s = 3.0
        self.client = self._make_client()
        self.track_client = self._make_client("-tracks") if spec.tracks else None
        self.wants_tracks = spec.tracks

    def _status(self, state: str, reason: str) -> bytes:
        return _ENC.encode({"site": self.site, "state": state, "reason": reason, "at": iso(time.time()),
                            "version": __version__})

    def _make_client(self, suffix: str = "") -> mqtt.Client:
        """The alert and status client (with the last will), or with a suffix the track client."""
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
                             client_id=f"dronewatch-{topic_safe(self.site)}-{os.getpid()}-{id(self):x}{suffix}",
                             protocol=mqtt.MQTTv311)
        if self.spec.username is not None:
            password = os.environ.get(self.spec.password_env) if self.spec.password_env else None
            if self.spec.password_env and password is None:
                raise ValueError(f"MQTT output {self.spec.url}: environment variable {self.spec.password_env} "
                                 "(password_env) is not set")
            client.username_pw_set(self.spec.username, password)
        if self.tls:
            client.tls_set(ca_certs=self.spec.ca, certfile=self.spec.cert, keyfile=self.spec.key)
        client.on_connect_fail = self._on_connect_fail
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.max_queued_messages_set(100_000)
        if suffix:
            client.on_connect = self._on_tracks_connect
            client.on_disconnect = lambda *_: self.tracks_connected.clear()
            return client
        client.will_set(self.status_topic, self._status("offline", "connection lost"), qos=1, retain=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        return client

    def _on_connect(self, client: mqtt.Client, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self.errors += 1
            self.last_error = f"broker refused: {reason}"
            log.warning("MQTT %s: %s", self.spec.url, self.last_error)
            self._refused = True
            return
        sock = client.socket()
        if isinstance(sock, socket.socket):  # (an SSLSocket too)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as err:  # (not a TCP socket: nothing to change)
                log.debug("MQTT %s: TCP_NODELAY not set: %s", self.spec.url, err)
        client.publish(self.status_topic, self._status("online", "started"), qos=1, retain=True)
        self.connected.set()

    def _on_connect_fail(self, _c: mqtt.Client, _ud: Any) -> None:
        """No connection (refused, unreachable, TLS failed): paho calls this inside its ``except``
        and retries with backoff; the error is counted and shown (/api/health)."""
        err = sys.exc_info()[1]
        self.errors += 1
        self.last_error = f"cannot connect: {type(err).__name__}: {err}" if err else "cannot connect"
        log.warning("MQTT %s: %s", self.spec.url, self.last_error)

    def _on_tracks_connect(self, _c: mqtt.Client, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not reason.is_failure:
            self.tracks_connected.set()

    def _on_disconnect(self, _c: mqtt.Client, _ud: Any, _flags: Any, reason: Any, _props: Any) -> None:
        was_up = self.connected.is_set()
        self.connected.clear()
        refused, self._refused = self._refused, False
        if was_up and reason.is_failure:
            self.last_error = f"disconnected: {reason}"
        elif not was_up and not refused:  # (a refused connect keeps the broker's reason)
            # closed before any CONNACK: e.g. TLS 1.3, where the broker checks our certificate
            # (or its absence) only after our side of the handshake has finished
            self.errors += 1
            hint = " (over TLS: often a client certificate it did not accept, or none)" if self.tls else ""
            self.last_error = f"connection closed before the broker accepted it: {reason}{hint}"
            log.warning("MQTT %s: %s", self.spec.url, self.last_error)

    def open(self) -> None:
        for client in (self.client, self.track_client):
            if client is not None:
                client.connect_async(self.host, self.port, keepalive=30)
                client.loop_start()
        # a tidy start; a broker that is down is retried
        if self.connected.wait(self.connect_wait_s) and self.track_client is not None:
            self.tracks_connected.wait(self.connect_wait_s)

    def handle_alerts(self, update: Update) -> None:
        for alert in update.alerts:
            for event in self._changes.classify(alert):
                body = _ENC.encode({"type": event, "timestamp": iso(alert.updated_at), "data": alert_json(alert)})
                # (never hold our lock while calling paho: its network thread holds its own)
                info = self.client.publish(f"{self.root}/alerts/{alert.alert_id}", body, qos=1)
                if info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:
                    self.dropped_alerts += 1
                    self.errors += 1
                    self.last_error = "MQTT client queue full"
                else:  # in flight, or queued by paho until the broker is back
                    with self._lock:
                        self._unacked.append((time.monotonic(), info))

    def handle_tracks(self, update: Update) -> None:
        client = self.track_client
        if client is None:
            return
        now = update.at
        n = 0
        for track in update.tracks:
            if track.status == "tentative":
                continue
            if now - self._last_sent_at.get(track.track_id, float("-inf")) < self._min_gap_s:
                continue
            self._last_sent_at[track.track_id] = now
            info = client.publish(f"{self.root}/tracks/{track.track_id}",
                                  _ENC.encode(track_json(track, self.origin_alt_m)), qos=0)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                self.sent += 1
            n += 1
            if n % self.chunk == 0:
                self.urgent()
        for track_id in update.removed:
            if self._last_sent_at.pop(track_id, None) is not None:
                client.publish(f"{self.root}/tracks/{track_id}",
                               _ENC.encode({"track_id": track_id, "time": iso(now), "status": "removed"}))

    def tick(self) -> None:
        self.pending()  # forget what the broker has acknowledged

    def pending(self) -> int:
        """QoS 1 alerts the broker has not acknowledged yet (for ``keep_unsent_s`` at most, as CoT
        and SAPIENT keep theirs, so a broker that never takes us cannot hold a drain forever;
        paho still delivers them if it comes back)."""
        with self._lock:
            left = [(t, i) for t, i in self._unacked if not _acked(i)]
            self.sent += len(self._unacked) - len(left)
            cutoff = time.monotonic() - self.keep_unsent_s
            self._unacked = [(t, i) for t, i in left if t >= cutoff]
            if len(self._unacked) < len(left):
                self.dropped_alerts += len(left) - len(self._unacked)
                self.last_error = (f"{len(left) - len(self._unacked)} alert(s) not acknowledged by the broker within "
                                   f"{self.keep_unsent_s:.0f} s: no longer waited for")
                log.warning("MQTT %s: %s", self.spec.url, self.last_error)
            return len(self._unacked)

    def shutdown(self) -> None:
        if self.connected.is_set():
            info = self.client.publish(self.status_topic, self._status("offline", "shutdown"), qos=1, retain=True)
            info.wait_for_publish(timeout=5.0)
        for client in (self.track_client, self.client):
            if client is not None:
                client.disconnect()
                client.loop_stop()
