"""An incident as a GeoJSON FeatureCollection (RFC 7946): the alert and each of its changes
(points), the tracks' paths (LineStrings with times and chain hashes), pilot and home
positions, the zones and the sensors; the chain tips in the foreign member ``dronewatch``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from dronewatch.api.geojson import site_geojson
from dronewatch.evidence.incident import Incident
from dronewatch.sinks.jsonl import iso


def _point(lon: float, lat: float, alt_m: float | None, **properties: Any) -> dict[str, Any]:
    coords = [lon, lat] if alt_m is None else [lon, lat, alt_m]
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": properties}


def incident_geojson(inc: Incident) -> dict[str, Any]:
    a = inc.alert
    features: list[dict[str, Any]] = []
    raised = inc.versions[0].alert.position if inc.versions else a.position
    features.append(_point(
        raised.lon, raised.lat, raised.alt_m, kind="alert", alert_id=a.alert_id, rule=a.rule, zone=a.zone,
        severity=a.severity, state=a.state, raised=iso(a.raised_at), updated=iso(a.updated_at), why=a.why,
        track_ids=list(a.track_ids), identities=inc.identities, acked_by=a.acked_by,
        alert=msgspec.to_builtins(a),
    ))
    for v in inc.versions:
        p = v.alert.position
        features.append(_point(
            p.lon, p.lat, p.alt_m, kind="alert_change", alert_id=a.alert_id, audit_id=v.id, time=iso(v.at),
            change=v.change, by=v.by, from_state=v.from_state, to_state=v.to_state, note=v.note,
            severity=v.alert.severity, zone=v.alert.zone, track_ids=list(v.alert.track_ids),
            content_hash=v.content_hash, prev_hash=v.prev_hash, row_hash=v.row_hash,
        ))
    for path in inc.tracks.values():
        if not path.points:
            continue
        coords = [[p.lon, p.lat, p.alt_m] for p in path.points]
        geometry = {"type": "LineString", "coordinates": coords} if len(coords) > 1 else \
            {"type": "Point", "coordinates": coords[0]}
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "kind": "track", "track_id": path.track_id, "identities": path.identities, "classes": path.classes,
            "sensors": path.sensors, "first_seen": iso(path.points[0].at), "last_seen": iso(path.points[-1].at),
            "times": [iso(p.at) for p in path.points], "row_hashes": [p.row_hash for p in path.points],
        }})
    for kind, fixes in (("pilot", inc.pilots), ("home", inc.homes)):
        for f in fixes:
            features.append(_point(f.lon, f.lat, None, kind=kind, track_id=f.track_id, since=iso(f.since),
                                   until=iso(f.until), alt_wgs84_m=f.alt_m))
    if inc.site is not None:
        for zone in site_geojson(inc.site)["zones"]["features"]:
            features.append({**zone, "properties": {"kind": "zone", **zone["properties"]}})
    for s in inc.sensors:
        features.append(_point(s.lon, s.lat, s.alt_m, kind="sensor", id=s.id, sensor_kind=s.kind, range_m=s.range_m))
    return {
        "type": "FeatureCollection",
        "features": features,
        "dronewatch": {
            "alert_id": a.alert_id,
            "exported": iso(inc.exported_at),
            "window": [iso(inc.window[0]), iso(inc.window[1])],
            "sensors": inc.sensor_ids,
            "chain_heads": inc.chain_heads,
            "verify": "dronewatch verify --db STORE",
        },
    }


def write_geojson(inc: Incident, path: Path) -> None:
    path.write_bytes(msgspec.json.format(msgspec.json.encode(incident_geojson(inc))) + b"\n")
