"""LiveState: applying Updates, ordering, the alert cap."""

from __future__ import annotations

from api_factories import make_alert, make_track

from dronewatch.api import LiveState
from dronewatch.config import Site
from dronewatch.model import Update


def test_apply_orders_and_caps(site: Site) -> None:
    live = LiveState(site, max_alerts=3)
    assert live.at is None and live.subject == "dw.v1.update.test_stadium"
    live.apply(Update(at=5.0, tracks=[make_track(2), make_track(1)],
                      alerts=[make_alert(f"a{i}", at=float(i)) for i in range(5)]))
    assert [t.track_id for t in live.tracks()] == [1, 2]
    assert [a.alert_id for a in live.alerts()] == ["a4", "a3", "a2"]
    live.apply(Update(at=4.0, tracks=[], alerts=[make_alert("a3", at=3.0, state="resolved")], removed=[2]))
    assert live.at == 5.0  # never goes back
    assert [a.alert_id for a in live.alerts(state="resolved")] == ["a3"]
    assert live.track(2) is None and live.track(1) == make_track(1)
