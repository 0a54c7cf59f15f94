"""Webhooks to a real HTTP receiver on 127.0.0.1 that verifies every Standard Webhooks signature:
down for the first 10 s, it still gets every alert exactly once (by webhook-id); the outbox in
the store keeps what is not delivered across a restart; per-endpoint filters."""

from __future__ import annotations

import base64
import time
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from dronewatch.config import WebhookOutput as WebhookSpec
from dronewatch.model import Update
from dronewatch.sinks.manager import Outputs
from dronewatch.store import Store
from dronewatch.store.outbox import Outbox
from factories import make_alert
from sinks.conftest import site_with
from sinks.receivers import WebhookReceiver

T0 = 1_767_225_600.0
SECRET = "whsec_" + base64.b64encode(b"dronewatch-test-secret-0123456789").decode()


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DW_TEST_HOOK", SECRET)
    return SECRET


def _alert_updates() -> list[Update]:
    a1 = make_alert("A00001", T0, severity="critical", zone="Pitch", rule="zone_entry")
    a2 = make_alert("A00002", T0 + 1, severity="warning", zone="Approach", rule="loiter", track_id=8, track_ids=(8,))
    a1_ack = msgspec.structs.replace(a1, state="acknowledged", acked_by="ops", updated_at=T0 + 2)
    a2_end = msgspec.structs.replace(a2, state="resolved", updated_at=T0 + 3)
    a1_end = msgspec.structs.replace(a1_ack, state="resolved", updated_at=T0 + 4)
    return [Update(at=T0, tracks=[], alerts=[a1]), Update(at=T0 + 1, tracks=[], alerts=[a2]),
            Update(at=T0 + 2, tracks=[], alerts=[a1_ack]), Update(at=T0 + 3, tracks=[], alerts=[a2_end]),
            Update(at=T0 + 4, tracks=[], alerts=[a1_end])]


A1_MESSAGES = [("A00001", "alert.raised"), ("A00001", "alert.updated"), ("A00001", "alert.resolved")]


def _got(receiver: WebhookReceiver) -> list[tuple[str, str]]:
    """(alert id, event type) of every message the receiver took, in order."""
    return [(b["data"]["id"], b["type"]) for _, b, _ in receiver.received]


def test_receiver_down_for_10_s_gets_every_alert_once(tmp_path: Path, secret: str) -> None:
    receiver = WebhookReceiver(secret, up_at=time.monotonic() + 10.0)
    critical_only = WebhookReceiver(secret)
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        site = site_with(WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK"),
                         WebhookSpec(url=critical_only.url, secret_env="DW_TEST_HOOK", severity=["critical"]))
        outputs = Outputs.for_site(site, store).start()
        started = time.time()
        for u in _alert_updates():
            outputs.offer(u)
        assert outputs.drain(40), outputs.stats()
        outputs.close()

        assert receiver.bad_signatures == 0 and critical_only.bad_signatures == 0
        assert receiver.refused >= 2, "the receiver was down and refused the first attempts"
        ids = Counter(h["webhook-id"] for h, _, _ in receiver.received)
        assert len(ids) == 5 and set(ids.values()) == {1}, ids
        assert _got(receiver) == [("A00001", "alert.raised"), ("A00002", "alert.raised"), ("A00001", "alert.updated"),
                                  ("A00002", "alert.resolved"), ("A00001", "alert.resolved")], "in order"
        first = receiver.received[0][1]
        assert first["timestamp"] == "2026-01-01T00:00:00.000Z", "the picture's time in the body"
        assert first["data"]["severity"] == "critical" and first["data"]["state"] == "open"
        for headers, _, _ in receiver.received:  # the header is wall clock, as the scheme requires
            assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
        rows = Outbox(store, outputs.outputs[0].name).rows()
        assert [r["status"] for r in rows] == ["delivered"] * 5
        assert {r["webhook_id"] for r in rows} == set(ids), "the same webhook-id on every retry"
        assert rows[0]["attempts"] >= 3
        assert rows[0]["delivered_at"] - started >= 10.0
        # filters: only the critical alert's three messages
        assert _got(critical_only) == A1_MESSAGES
    finally:
        receiver.stop()
        critical_only.stop()
        store.close()


def test_first_retry_within_5_s_and_outbox_survives_a_restart(tmp_path: Path, secret: str) -> None:
    receiver = WebhookReceiver(secret, up_at=float("inf"))  # down until we say
    db = f"sqlite:///{tmp_path / 'w.db'}"
    spec = WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK", name="ops-hook")
    try:
        store = Store(db)
        outputs = Outputs.for_site(site_with(spec), store).start()
        outputs.offer(_alert_updates()[0])
        deadline = time.monotonic() + 8
        while receiver.refused < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.refused >= 2, "a first retry within about 5 s"
        assert not outputs.drain(0.5)
        assert outputs.stats()[0]["pending"] == 1
        outputs.close(drain_timeout=0)  # the process stops with the message undelivered
        store.close()

        receiver.up_at = 0.0
        store = Store(db)
        outputs = Outputs.for_site(site_with(spec), store).start()  # a new process, same outbox
        assert outputs.drain(15)
        outputs.close()
        rows = Outbox(store, "ops-hook").rows()
        assert len(rows) == 1 and rows[0]["status"] == "delivered"
        assert [h["webhook-id"] for h, _, _ in receiver.received] == [rows[0]["webhook_id"]]
        store.close()
    finally:
        receiver.stop()


def test_kept_alive_connection_dropped_under_a_request_is_sent_again_at_once(tmp_path: Path, secret: str) -> None:
    receiver = WebhookReceiver(secret, drop_reused=1)  # the second request finds its connection closed
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        outputs = Outputs.for_site(site_with(WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK")), store).start()
        for u in _alert_updates():
            outputs.offer(u)
            deadline = time.monotonic() + 10
            while outputs.stats()[0]["pending"] or not outputs.outputs[0].idle():
                assert time.monotonic() < deadline, outputs.stats()
                time.sleep(0.01)
        assert outputs.drain(10)
        hook = outputs.outputs[0]
        outputs.close()

        ids = Counter(h["webhook-id"] for h, _, _ in receiver.received)
        assert len(ids) == 5 and set(ids.values()) == {1}, ids
        rows = Outbox(store, hook.name).rows()
        assert [r["status"] for r in rows] == ["delivered"] * 5
        assert [r["attempts"] for r in rows] == [1] * 5, "sent again at once, not after a retry's wait"
        assert {r["webhook_id"] for r in rows} == set(ids)
        assert receiver.dropped == 1 and hook.resent == 1  # type: ignore[attr-defined]
        assert receiver.connections == 2, "one kept-alive connection, then one more after the drop"
    finally:
        receiver.stop()
        store.close()


def test_alerts_of_one_update_go_side_by_side_to_a_slow_receiver(tmp_path: Path, secret: str) -> None:
    receiver = WebhookReceiver(secret, slow_s=0.3)
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    raised = [make_alert(f"B0000{i}", T0, track_id=i, track_ids=(i,)) for i in range(1, 5)]
    ended = [msgspec.structs.replace(a, state="resolved", updated_at=T0 + 1) for a in raised]
    try:
        outputs = Outputs.for_site(site_with(WebhookSpec(url=receiver.url, secret_env="DW_TEST_HOOK")), store).start()
        outputs.offer(Update(at=T0, tracks=[], alerts=raised))
        outputs.offer(Update(at=T0 + 1, tracks=[], alerts=ended))
        assert outputs.drain(20), outputs.stats()
        outputs.close()

        assert receiver.most_at_once >= 2, "the four raised alerts were not sent side by side"
        ids = Counter(h["webhook-id"] for h, _, _ in receiver.received)
        assert len(ids) == 8 and set(ids.values()) == {1}, ids
        got = [(b["data"]["id"], b["type"]) for _, b, _ in receiver.received]
        assert {t for _, t in got[:4]} == {"alert.raised"}, "an update's messages go after the one before"
        for a in raised:
            assert [t for i, t in got if i == a.alert_id] == ["alert.raised", "alert.resolved"]
        assert [r["status"] for r in Outbox(store, outputs.outputs[0].name).rows()] == ["delivered"] * 8
    finally:
        receiver.stop()
        store.close()


def test_outbox_on_postgresql_gives_ids_in_order_and_marks_together() -> None:
    from realparts import PostgresCluster

    cluster = PostgresCluster().init().start()
    try:
        store = Store(cluster.create_db("outbox").replace("postgresql://", "postgresql+psycopg://"))
        box = Outbox(store, "ops-hook")
        ids = box.add([(f"msg_{i}", "alert.raised", f"A{i}", "{}") for i in range(5)], T0)
        rows = box.rows()
        assert ids == [r["id"] for r in rows] and [r["webhook_id"] for r in rows] == [f"msg_{i}" for i in range(5)]
        box.delivered_many([(ids[1], 1, T0 + 1), (ids[3], 2, T0 + 2)])
        assert [(r["status"], r["attempts"]) for r in box.rows()] == [
            ("pending", 0), ("delivered", 1), ("pending", 0), ("delivered", 2), ("pending", 0)]
        assert [r["webhook_id"] for r in box.due(T0)] == ["msg_0", "msg_2", "msg_4"]
        store.close()
    finally:
        cluster.remove()


def test_missing_secret_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DW_NO_SUCH_SECRET", raising=False)
    with Store(f"sqlite:///{tmp_path / 'w.db'}") as store, pytest.raises(ValueError, match="DW_NO_SUCH_SECRET"):
        Outputs.for_site(site_with(WebhookSpec(url="http://127.0.0.1:9/x", secret_env="DW_NO_SUCH_SECRET")), store)


def test_zone_and_rule_filters(tmp_path: Path, secret: str) -> None:
    by_zone, by_rule = WebhookReceiver(secret), WebhookReceiver(secret)
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        site = site_with(WebhookSpec(url=by_zone.url, secret_env="DW_TEST_HOOK", zones=["Approach"]),
                         WebhookSpec(url=by_rule.url, secret_env="DW_TEST_HOOK", rules=["zone_entry"]))
        outputs = Outputs.for_site(site, store).start()
        for u in _alert_updates():
            outputs.offer(u)
        assert outputs.drain(10), outputs.stats()
        outputs.close()
        assert _got(by_zone) == [("A00002", "alert.raised"), ("A00002", "alert.resolved")]
        assert _got(by_rule) == A1_MESSAGES
    finally:
        by_zone.stop()
        by_rule.stop()
        store.close()
