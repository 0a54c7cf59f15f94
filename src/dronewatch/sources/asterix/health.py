"""Sensor health from ASTERIX status messages: CAT034 (monoradar service: north marker, sector
crossing, system configuration and status) and CAT065 (SDPS service status). Pure state kept
per SAC/SIC; ``snapshot()`` is what ``/api/health`` shows under ``ingest.sensors``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dronewatch.sources.asterix.fields import Record

CAT034_TYPES = {1: "north marker", 2: "sector crossing", 3: "geographical filtering", 4: "jamming strobe",
                5: "solar storm", 6: "SSR jamming strobe", 7: "Mode S jamming strobe"}
CAT065_TYPES = {1: "SDPS status", 2: "end of batch", 3: "service status report"}
SDPS_NOGO = {0: "operational", 1: "degraded", 2: "not currently connected", 3: "unknown"}


@dataclass
class SensorHealth:
    sac: int
    sic: int
    category: int
    last_at: float = 0.0
    last_message: str = ""
    messages: int = 0
    state: str = "unknown"
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, now: float, stale_s: float) -> dict[str, Any]:
        age = now - self.last_at
        place = self.detail.get("position") or {}
        ident = f"asterix-{self.sac}-{self.sic}" if self.category == 34 else f"sdps-{self.sac}-{self.sic}"
        return {"id": ident, "kind": "radar" if self.category == 34 else "sdps", "lat": place.get("lat"),
                "lon": place.get("lon"), "sac": self.sac, "sic": self.sic, "category": f"CAT{self.category:03d}",
                "state": "silent" if age > stale_s else self.state, "last_message": self.last_message,
                "last_at": self.last_at, "age_s": round(age, 1), "messages": self.messages, **self.detail}


class HealthBook:
    """Latest status per SAC/SIC from CAT034 / CAT065 records."""

    def __init__(self, stale_s: float = 30.0) -> None:
        self.stale_s = stale_s
        self.sensors: dict[tuple[int, int, int], SensorHealth] = {}

    def update(self, rec: Record, received_at: float) -> None:
        cat = rec.get("cat")
        if cat not in (34, 65) or "sac" not in rec:
            return
        key = (cat, rec["sac"], rec["sic"])
        h = self.sensors.get(key)
        if h is None:
            h = self.sensors[key] = SensorHealth(rec["sac"], rec["sic"], cat)
        h.last_at = received_at
        h.messages += 1
        if cat == 34:
            h.last_message = CAT034_TYPES.get(rec.get("msg_type", 0), f"type {rec.get('msg_type')}")
            if "rotation_s" in rec:
                h.detail["rotation_s"] = rec["rotation_s"]
            if "lat" in rec:
                h.detail["position"] = {"lat": rec["lat"], "lon": rec["lon"], "height_m": rec["height_m"]}
            if "com" in rec:
                com = rec["com"]
                h.detail["com"] = com
                h.state = "nogo" if com["nogo"] else "degraded" if (com["ovl_rdp"] or com["ovl_xmt"] or com["msc"]
                                                                     or com["tsv"]) else "operational"
            elif h.state == "unknown":
                h.state = "operational"
            for part in ("psr", "ssr", "mds"):
                if part in rec:
                    h.detail[part] = rec[part]
        else:
            h.last_message = CAT065_TYPES.get(rec.get("msg_type", 0), f"type {rec.get('msg_type')}")
            if "batch" in rec:
                h.detail["batch"] = rec["batch"]
            if "sdps" in rec:
                h.state = SDPS_NOGO.get(rec["sdps"]["nogo"], "unknown")
                h.detail["sdps"] = rec["sdps"]
            elif h.state == "unknown":
                h.state = "operational"

    def snapshot(self, now: float) -> list[dict[str, Any]]:
        return [h.as_dict(now, self.stale_s) for _, h in sorted(self.sensors.items())]
