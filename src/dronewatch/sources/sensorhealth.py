"""One health word per sensor and per feed, for ``/api/health`` and the console: ``ok``,
``degraded``, ``down`` or ``stale`` (nothing heard for ``STALE_S``), beside the age of the last
message. Pure: it reads the status dicts the feeds report.

* ASTERIX CAT034 / CAT065 states (``health.HealthBook``): operational -> ok; degraded (or
  unknown) -> degraded; nogo / SDPS not connected -> down; silent -> stale.
* SAPIENT StatusReport ``system``: OK -> ok; WARNING (or no status yet) -> degraded; ERROR and
  GOODBYE -> down.
* A feed: not connected (or listening failed) -> down; connected but no data for ``STALE_S``
  (or never) -> stale; else ok.
"""

from __future__ import annotations

from typing import Any

STALE_S = 30.0
HEALTH = ("ok", "degraded", "down", "stale")
_BY_STATE = {
    "operational": "ok", "OK": "ok",
    "degraded": "degraded", "unknown": "degraded", "WARNING": "degraded", "UNSPECIFIED": "degraded",
    "nogo": "down", "not currently connected": "down", "ERROR": "down", "GOODBYE": "down",
    "silent": "stale",
}


def sensor_word(entry: dict[str, Any]) -> str:
    """The health word of one sensor status entry (``state``, ``age_s``)."""
    age = entry.get("age_s")
    if age is not None and age > STALE_S:
        return "stale"
    return _BY_STATE.get(str(entry.get("state", "unknown")), "degraded")


def feed_word(status: dict[str, Any], now: float) -> str:
    """The health word of one feed's ``status()`` (``connected``, ``last_data_at``)."""
    if not status.get("connected"):
        return "down"
    last = status.get("last_data_at")
    if last is None or now - last > STALE_S:
        return "stale"
    return "ok"


def with_health(statuses: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """The feeds' statuses, each and each of its ``sensors`` given ``health`` (and a feed its
    ``age_s``); the dicts are copied, not changed."""
    out = []
    for st in statuses:
        last = st.get("last_data_at")
        feed = st | {"health": feed_word(st, now), "age_s": None if last is None else round(now - last, 1)}
        if "sensors" in st:
            feed["sensors"] = [s | {"health": sensor_word(s)} for s in st["sensors"]]
        out.append(feed)
    return out
