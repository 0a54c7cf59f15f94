"""GET /api/sensors: every sensor with its health, for the console's sensor panel and map.

The site file's sensors, joined by SAC/SIC (ASTERIX) or id to the status the feeds learnt, and
the sensors only the feeds know: SAPIENT edge nodes (placed by their StatusReport location),
radars and SDPSs heard in CAT034 / CAT065 (a radar placed by its I120 position). Also each
feed's connection state. Health words and ages come from ``ingest`` (see
``dronewatch.sources.sensorhealth``); a sensor nothing reports on has health ``null``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from dronewatch.api.deps import Clock, get_clock, get_live, get_site, json_response
from dronewatch.api.live import LiveState
from dronewatch.config import Site

router = APIRouter(prefix="/api/sensors", tags=["sensors"])
_STATUS_KEYS = ("health", "state", "age_s", "category", "last_message", "sapient_node", "name")


def _learnt_place(entry: dict[str, Any]) -> tuple[float | None, float | None]:
    if entry.get("lat") is not None and entry.get("lon") is not None:
        return entry["lat"], entry["lon"]
    pos = entry.get("position")
    if isinstance(pos, dict) and "lat" in pos and "lon" in pos:
        return pos["lat"], pos["lon"]
    return None, None


def sensors_document(site: Site, ingest: dict[str, Any], now: float) -> dict[str, Any]:
    """``{"time", "sensors": [...], "feeds": [...], "geojson": FeatureCollection of placed sensors}``."""
    learnt: list[dict[str, Any]] = list(ingest.get("sensors", []))
    used: set[int] = set()
    sensors: list[dict[str, Any]] = []
    for s in site.sensors:
        entry: dict[str, Any] = {"id": s.id, "kind": s.kind, "source": "site", "lat": s.lat, "lon": s.lon,
                                 "range_m": s.range_m, "health": None}
        for i, h in enumerate(learnt):
            same_code = s.sac is not None and (h.get("sac"), h.get("sic")) == (s.sac, s.sic)
            if i not in used and (same_code or h.get("id") == s.id):
                used.add(i)
                entry |= {k: h[k] for k in _STATUS_KEYS if k in h}
                break
        sensors.append(entry)
    for i, h in enumerate(learnt):
        if i in used:
            continue
        lat, lon = _learnt_place(h)
        source = "sapient" if "sapient_node" in h else "asterix"
        sensors.append({"id": h.get("id") or f"{source}-{i}", "kind": h.get("kind", "radar"), "source": source,
                        "lat": lat, "lon": lon, "range_m": None} | {k: h[k] for k in _STATUS_KEYS if k in h})
    feeds = [{k: f.get(k) for k in ("name", "link", "url", "connected", "health", "age_s", "last_error")}
             for f in ingest.get("inputs", [])]
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                 "properties": {"id": s["id"], "kind": s["kind"], "range_m": s["range_m"], "health": s["health"],
                                "source": s["source"]}}
                for s in sensors if s["lat"] is not None and s["lon"] is not None]
    return {"time": now, "sensors": sensors, "feeds": feeds,
            "geojson": {"type": "FeatureCollection", "features": features}}


@router.get("")
def get_sensors(site: Site = Depends(get_site), live: LiveState = Depends(get_live),
                clock: Clock = Depends(get_clock)) -> Response:
    """Every sensor (site file and learnt from the feeds) with health, state and age; feeds'
    connection states; GeoJSON points of the placed ones."""
    return json_response(sensors_document(site, live.stats(), clock()))
