"""The alert lifecycle through the API: every step (ack, escalate, resolve, false-alarm) with
who, when and a note, each an audit row on GET /api/alerts/{id}/audit; 404, 409 and 422."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from api_factories import NOW, make_alert, make_track
from fastapi.testclient import TestClient

from dronewatch.api import LiveState
from dronewatch.config import Site
from dronewatch.model import Alert, Update
from dronewatch.pipeline import Pipeline
from dronewatch.store import Store


def _trail(client: TestClient, alert_id: str) -> list[tuple[Any, ...]]:
    r = client.get(f"/api/alerts/{alert_id}/audit")
    assert r.status_code == 200
    return [(a["change"], a["by"], a["from_state"], a["to_state"], a["note"], a["at"]) for a in r.json()]


def test_every_step_is_audited(client: TestClient, store: Store, live: LiveState) -> None:
    alert = make_alert(at=NOW - 30)
    store.save_alerts([alert])
    live.apply(Update(at=NOW - 2, tracks=[make_track(7)], alerts=[alert]))
    steps = [
        ("ack", "Alice", "on it", "acknowledged"),
        ("escalate", "Alice", "heading for the stands", "escalated"),
        ("resolve", "Bob (supervisor)", "police unit took over", "resolved"),
        ("false-alarm", "Bob (supervisor)", "it was the club's own drone", "false_alarm"),
    ]
    expected = [("raised", "system", None, "open", None, NOW - 30)]
    before = "open"
    for path, by, note, state in steps:
        r = client.post(f"/api/alerts/{alert.alert_id}/{path}", json={"by": by, "note": note})
        assert r.status_code == 200, r.text
        now = r.json()
        assert (now["state"], now["by"], now["note"], now["updated_at"]) == (state, by, note, NOW - 2)
        assert store.alert(alert.alert_id) == msgspec.convert(now, Alert)
        live_alert = live.alert(alert.alert_id)
        assert live_alert is not None and live_alert.state == state
        expected.append((path.replace("-", "_"), by, before, state, note, NOW - 2))
        assert _trail(client, alert.alert_id) == expected
        before = state
    assert store.alert(alert.alert_id).acked_by == "Alice"  # type: ignore[union-attr]
    # false_alarm is final: a 409 naming the state, nothing written
    r = client.post(f"/api/alerts/{alert.alert_id}/escalate", json={"by": "Carol"})
    assert r.status_code == 409 and r.json()["detail"] == f"alert {alert.alert_id} is false_alarm: cannot escalate"
    # the same action again changes nothing (two operators pressing the same button)
    r = client.post(f"/api/alerts/{alert.alert_id}/false-alarm", json={"by": "Carol"})
    assert r.status_code == 200 and r.json()["by"] == "Bob (supervisor)"
    assert len(_trail(client, alert.alert_id)) == 5
    # GET /api/alerts/{id} still gives the trail, newest first
    assert [a["change"] for a in client.get(f"/api/alerts/{alert.alert_id}").json()["audit"]] == [
        "false_alarm", "resolve", "escalate", "ack", "raised"]


@pytest.mark.parametrize("path", ["ack", "escalate", "resolve", "false-alarm"])
def test_unknown_alert_is_404(client: TestClient, path: str) -> None:
    r = client.post(f"/api/alerts/nope/{path}", json={"by": "Alice"})
    assert r.status_code == 404 and r.json()["detail"] == "no alert nope"


def test_audit_of_unknown_alert_is_404(client: TestClient) -> None:
    assert client.get("/api/alerts/nope/audit").status_code == 404


def test_bad_body_is_422(client: TestClient, store: Store) -> None:
    alert = make_alert(at=NOW)
    store.save_alerts([alert])
    for body, says in (({"by": "a", "note": 5}, "Expected `str | null`, got `int`"),
                       ({"by": "a", "note": "x" * 2001}, "length <= 2000"),
                       ({"note": "x"}, "missing required field `by`")):
        r = client.post(f"/api/alerts/{alert.alert_id}/resolve", json=body)
        assert r.status_code == 422 and says in r.json()["detail"], r.json()
    assert store.alert(alert.alert_id).state == "open"  # type: ignore[union-attr]


def test_actions_go_through_the_pipeline(client: TestClient, site: Site, store: Store, live: LiveState) -> None:
    """With the pipeline's handler set (as `serve` does), assess, store and live all learn."""
    pipeline = Pipeline(site, store=store)
    # a radar-classified drone inside the test site's critical "stadium" circle
    track = msgspec.structs.replace(make_track(7, at=NOW), class_votes={"drone": 3.0})
    _, raised = pipeline.assessor.assess([track], NOW)
    store.save_alerts(raised)
    [alert] = [a for a in raised if a.rule == "zone_entry"]
    live.set_action_handler(lambda alert_id, action, by, note: pipeline.act(alert_id, action, by, note, NOW + 5))
    r = client.post(f"/api/alerts/{alert.alert_id}/escalate", json={"by": "Dana", "note": "calling police"})
    assert r.status_code == 200
    [held] = [a for a in pipeline.assessor.alerts() if a.alert_id == alert.alert_id]
    assert (held.state, held.by, held.note, held.updated_at) == ("escalated", "Dana", "calling police", NOW + 5)
    assert _trail(client, alert.alert_id)[-1] == ("escalate", "Dana", "open", "escalated", "calling police", NOW + 5)
    live_alert = live.alert(alert.alert_id)
    assert live_alert is not None and live_alert.state == "escalated"
    r = client.post(f"/api/alerts/{alert.alert_id}/ack", json={"by": "Eve"})
    assert r.status_code == 200 and (r.json()["state"], r.json()["acked_by"]) == ("escalated", "Eve")
    r = client.post(f"/api/alerts/{alert.alert_id}/resolve", json={"by": "Eve"})
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    r = client.post(f"/api/alerts/{alert.alert_id}/escalate", json={"by": "Eve"})
    assert r.status_code == 409 and "is resolved: cannot escalate" in r.json()["detail"]
    assert [row[0] for row in _trail(client, alert.alert_id)] == ["raised", "escalate", "ack", "resolve"]
