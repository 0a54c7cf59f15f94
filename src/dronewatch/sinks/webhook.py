"""``WebhookOutput``: alerts as signed JSON POSTs (Standard Webhooks) from a durable outbox.

Body: ``{"type": "alert.raised" | "alert.updated" | "alert.resolved", "timestamp": <the
picture's time, ISO-8601>, "data": {"id": ..., ...the alert}}``. Headers ``webhook-id`` (the
same on every retry), ``webhook-timestamp`` (wall clock at each attempt, as the scheme
requires) and ``webhook-signature`` (``standardwebhooks``, secret from the environment
variable ``secret_env``; ``https://`` with ``ca`` trusts that private CA only). Every message
is in the store's outbox before the first attempt; failures are retried after ``retry_s``
(1, 2, 3, 5, 10, 30 s, ... by default); a receiver that
is down (no connection, 5xx, 429) holds the whole endpoint until the next retry, so messages
keep their order. Per-endpoint filters: ``severity``, ``zones``, ``rules`` (an alert that
passed keeps being sent through its end).

The fast path: when nothing older is pending, a new alert's messages are posted straight from
memory once the outbox has them (no read back), over a kept-alive connection (httpx's pool);
the messages of different alerts of one update go side by side over up to ``parallel``
connections (each alert's own in order; a backlog or a retry goes one by one, oldest first);
a kept-alive connection that the receiver closed under a request (no answer) is tried once
more at once on a new one, same webhook-id. The ``delivered`` marks are written together when
no alert is waiting (and always before the outbox is read for what is due), so they do not
sit between one alert and the next.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

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
_Outcome = tuple[dict[str, Any], bool, str, bool, float]  # row, delivered, error, receiver down, when


class WebhookOutput(Output):
    kind = "webhook"
    wants_tracks = False
    parallel = 4  # connections at once for one update's alerts

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
        self._marks: list[tuple[int, int, float]] = []  # delivered, not yet marked: (row id, attempts, at)
        self.delivered = 0
        self.resent = 0  # requests tried again at once after the receiver dropped a kept-alive connection
        self._count_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None  # sends a new update's alerts side by side

    def open(self) -> None:
        # `ca`: trust the receiver's private CA (only it); else the system's CAs
        verify = ssl.create_default_context(cafile=self.spec.ca) if self.spec.ca else True
        self._http = httpx.Client(timeout=self.spec.timeout_s, follow_redirects=False, verify=verify,
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
        if not messages:
            return
        backlog = self._pending > 0  # older messages first, from the outbox
        ids = self.outbox.add(messages, time.time())
        self._pending += len(messages)
        if backlog:
            self._deliver()
        else:
            self._send([{"id": i, "webhook_id": wid, "alert_id": aid, "body": body, "attempts": 0}
                        for i, (wid, _, aid, body) in zip(ids, messages, strict=True)], side_by_side=True)

    def tick(self) -> None:
        self._mark()
        if self._pending:
            self._deliver()

    def _post(self, webhook_id: str, body: str) -> httpx.Response:
        assert self._http is not None
        for again in (False, True):
            now = dt.datetime.now(dt.UTC)
            headers = {"content-type": "application/json", "webhook-id": webhook_id,
                       "webhook-timestamp": str(int(now.timestamp())),
                       "webhook-signature": self.signer.sign(webhook_id, now, body)}
            try:
                return self._http.post(self.spec.url, content=body.encode(), headers=headers)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                if again:  # a new connection failed too: the receiver is down
                    raise
                with self._count_lock:
                    self.resent += 1  # (the pool has let the dead connection go)
        raise AssertionError("unreachable")

    def _mark(self) -> None:
        """Write the delivered marks kept so far."""
        if self._marks:
            marks, self._marks = self._marks, []
            self.outbox.delivered_many(marks)

    def _deliver(self) -> None:
        """Send what is due in the outbox."""
        self._mark()  # (a delivered message must not look due)
        self._send(self.outbox.due(time.time()))

    def _attempt(self, row: dict[str, Any]) -> _Outcome:
        try:
            response = self._post(row["webhook_id"], row["body"])
        except httpx.HTTPError as err:
            return row, False, f"{type(err).__name__}: {err}", True, time.time()
        ok = 200 <= response.status_code < 300
        down = response.status_code >= 500 or response.status_code in (408, 429)
        return row, ok, "" if ok else f"HTTP {response.status_code}", down, time.time()

    def _chain(self, rows: list[dict[str, Any]]) -> list[_Outcome]:
        """Send ``rows`` one after the other until one fails."""
        outcomes = []
        for row in rows:
            outcomes.append(self._attempt(row))
            if not outcomes[-1][1]:
                break
        return outcomes

    def _send(self, rows: list[dict[str, Any]], side_by_side: bool = False) -> None:
        """Send ``rows`` (id, webhook_id, body, attempts; alert_id if ``side_by_side``), oldest
        first, until the endpoint fails. ``side_by_side``: the messages of different alerts go
        over up to ``parallel`` connections at once (each alert's own stay in order)."""
        chains: list[list[dict[str, Any]]] = [rows]
        if side_by_side and self.parallel > 1:
            by_alert: dict[Any, list[dict[str, Any]]] = {}
            for row in rows:
                by_alert.setdefault(row["alert_id"], []).append(row)
            chains = list(by_alert.values())
        if len(chains) == 1:
            results = [self._chain(chains[0])]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.parallel, thread_name_prefix=f"webhook-{self.name}")
            results = list(self._pool.map(self._chain, chains))
        retry = self.spec.retry_s
        hold = 0.0
        for row, ok, error, down, now in (o for chain in results for o in chain):
            attempts = row["attempts"] + 1
            if ok:
                self._marks.append((row["id"], attempts, now))
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
            elif down:
                hold = max(hold, next_at)
        if hold:
            self.outbox.hold(hold)
        if not self._wait_alerts:  # (a racy look: a waiting alert goes first, the next call marks)
            self._mark()

    def pending(self) -> int:
        return max(self._pending, 0)

    def shutdown(self) -> None:
        self._mark()
        if self._pool is not None:
            self._pool.shutdown()
        if self._http is not None:
            self._http.close()
