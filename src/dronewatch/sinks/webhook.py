"""``WebhookOutput``: alerts as signed JSON POSTs (Standard Webhooks) from a durable outbox.

Body: ``{"type": "alert.raised" | "alert.updated" | "alert.resolved", "timestamp": <the
picture's time, ISO-8601>, "data": {"id": ..., ...the alert}}``. Headers ``webhook-id`` (the
same on every retry), ``webhook-timestamp`` (wall clock at each attempt, as the scheme
requires) and ``webhook-signature`` (``standardwebhooks``, secret from the environment
variable ``secret_env``). Every message is in the store's outbox before the first attempt;
failures are retried after ``retry_s`` (1, 2, 3, 5, 10, 30 s, ... by default); a receiver that
is down (no connection, 5xx, 429) holds the whole endpoint until the next retry, so messages
keep their order. Per-endpoint filters: ``severity``, ``zones``, ``rules`` (an alert that
passed keeps being sent through its end).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import httpx
import msgspec
from standardwebhooks import Webhook
from ulid import ULID

from dronewatch import __version__
from dronewatch.config import Site
from dronewatch.config import WebhookOutput as WebhookSpec
from dronewatch.model import Alert, Update
from dronewatch.sinks.jsonl import iso
from dronewatch.sinks.messages import AlertChanges, alert_json
from dronewatch.sinks.output import Output
from dronewatch.store import Store
from dronewatch.store.outbox import Outbox

log = logging.getLogger(__name__)
_ENC = msgspec.json.Encoder()


class WebhookOutput(Output):
    kind = "webhook"
    wants_tracks = False

    def __init__(self, spec: WebhookSpec, site: Site, store: Store) -> None:
        super().__init__(spec.name or f"webhook {spec.url}", spec.queue)
        secret = os.environ.get(spec.secret_env)
        if not secret:
            raise ValueError(f"webhook {spec.url}: environment variable {spec.secret_env} (secret_env) is not set")
        self.spec = spec
        self.site = site.name
        self.signer = Webhook(secret)
        self.outbox = Outbox(store, self.name)
        self._changes = AlertChanges()
        self._passed: set[str] = set()  # alert ids that passed this endpoint's filters
        self._http: httpx.Client | None = None
        self._pending = 0
        self.delivered = 0

    def open(self) -> None:
        self._http = httpx.Client(timeout=self.spec.timeout_s, follow_redirects=False,
                                  headers={"user-agent": f"dronewatch/{__version__}"})
        self._pending = self.outbox.counts().get("pending", 0)  # left by an earlier run: sent first

    def _wanted(self, alert: Alert) -> bool:
        if alert.alert_id in self._passed:
            return True
        s = self.spec
        ok = ((not s.severity or alert.severity in s.severity) and (not s.zones or alert.zone in s.zones)
              and (not s.rules or alert.rule in s.rules))
        if ok:
            self._passed.add(alert.alert_id)
        return ok

    def handle_alerts(self, update: Update) -> None:
        """Keep the update's alerts in the outbox, then try to send them at once."""
        messages = []
        for alert in update.alerts:
            events = self._changes.classify(alert)
            if not self._wanted(alert):
                continue
            for event in events:
                body = _ENC.encode({"type": event, "timestamp": iso(alert.updated_at),
                                    "data": alert_json(alert)}).decode()
                messages.append((f"msg_{ULID()}", event, alert.alert_id, body))
        if messages:
            self.outbox.add(messages, time.time())
            self._pending += len(messages)
            self._deliver()

    def tick(self) -> None:
        if self._pending:
            self._deliver()

    def _post(self, webhook_id: str, body: str) -> httpx.Response:
        assert self._http is not None
        now = dt.datetime.now(dt.UTC)
        headers = {"content-type": "application/json", "webhook-id": webhook_id,
                   "webhook-timestamp": str(int(now.timestamp())),
                   "webhook-signature": self.signer.sign(webhook_id, now, body)}
        return self._http.post(self.spec.url, content=body.encode(), headers=headers)

    def _deliver(self) -> None:
        """Send what is due, oldest first, until the endpoint fails."""
        retry = self.spec.retry_s
        for row in self.outbox.due(time.time()):
            attempts = row["attempts"] + 1
            down = False
            try:
                response = self._post(row["webhook_id"], row["body"])
                ok = 200 <= response.status_code < 300
                error = "" if ok else f"HTTP {response.status_code}"
                down = response.status_code >= 500 or response.status_code in (408, 429)
            except httpx.HTTPError as err:
                ok, error, down = False, f"{type(err).__name__}: {err}", True
            now = time.time()
            if ok:
                self.outbox.delivered(row["id"], attempts, now)
                self.sent += 1
                self.delivered += 1
                self._pending -= 1
                continue
            self.errors += 1
            self.last_error = error
            next_at = now + retry[attempts - 1] if attempts <= len(retry) else None
            self.outbox.failed(row["id"], attempts, next_at, error)
            if next_at is None:
                self._pending -= 1
                log.warning("webhook %s: %s given up after %d attempts (%s)", self.name, row["webhook_id"],
                            attempts, error)
            if down:
                if next_at is not None:
                    self.outbox.hold(next_at)
                return

    def pending(self) -> int:
        return max(self._pending, 0)

    def shutdown(self) -> None:
        if self._http is not None:
            self._http.close()
