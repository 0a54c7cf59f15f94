"""An incident as one CSV table, a row per record: ``alert`` (each change of the alert),
``track_point`` (each stored position of its tracks), ``pilot``, ``home``, ``zone``, ``sensor``
and ``chain_tip``. Times are ISO-8601 UTC; ``row_hash`` is the row's link in the store's
evidence chain."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from dronewatch.evidence.incident import Incident
from dronewatch.sinks.jsonl import iso

COLUMNS = ("record", "time", "alert_id", "track_id", "lat", "lon", "alt_m", "change", "by", "state", "note",
           "detail", "row_hash")


def rows(inc: Incident) -> list[dict[str, Any]]:
    a = inc.alert
    out: list[dict[str, Any]] = []
    for v in inc.versions:
        where = v.alert.position
        out.append({"record": "alert", "time": iso(v.at), "alert_id": a.alert_id, "track_id": v.alert.track_id,
                    "lat": where.lat, "lon": where.lon, "alt_m": where.alt_m, "change": v.change, "by": v.by,
                    "state": v.to_state, "note": v.note or "",
                    "detail": f"{v.alert.rule} {v.alert.zone or ''} {v.alert.severity} tracks "
                              f"{' '.join(map(str, v.alert.track_ids))}: {v.alert.why}",
                    "row_hash": v.row_hash or ""})
    for path in inc.tracks.values():
        for p in path.points:
            out.append({"record": "track_point", "time": iso(p.at), "alert_id": a.alert_id,
                        "track_id": path.track_id, "lat": p.lat, "lon": p.lon, "alt_m": p.alt_m,
                        "state": p.status, "detail": f"{p.cls} {p.identity or ''}".strip(),
                        "row_hash": p.row_hash or ""})
    for kind, fixes in (("pilot", inc.pilots), ("home", inc.homes)):
        for f in fixes:
            out.append({"record": kind, "time": iso(f.since), "alert_id": a.alert_id, "track_id": f.track_id,
                        "lat": f.lat, "lon": f.lon, "alt_m": "" if f.alt_m is None else f.alt_m,
                        "detail": f"until {iso(f.until)}; height above WGS84"})
    if inc.site is not None:
        for z in inc.site.zones:
            centre = z.circle if z.circle is not None else None
            lat = centre.lat if centre else sum(p[0] for p in z.polygon or []) / max(len(z.polygon or []), 1)
            lon = centre.lon if centre else sum(p[1] for p in z.polygon or []) / max(len(z.polygon or []), 1)
            shape = f"circle r {centre.radius_m:g} m" if centre else f"polygon of {len(z.polygon or [])} points"
            out.append({"record": "zone", "alert_id": a.alert_id, "lat": lat, "lon": lon, "state": z.severity,
                        "detail": f"{z.name}: {shape}, {z.floor_m:g}-{z.ceiling_m:g} m"})
    for s in inc.sensors:
        out.append({"record": "sensor", "alert_id": a.alert_id, "lat": s.lat, "lon": s.lon, "alt_m": s.alt_m,
                    "detail": f"{s.id} {s.kind} range {s.range_m:g} m"})
    for name, head in inc.chain_heads.items():
        out.append({"record": "chain_tip", "alert_id": a.alert_id, "time": iso(inc.exported_at),
                    "detail": f"{name}: {head['rows']} rows, last id {head['last_id']}", "row_hash": head["row_hash"]})
    return out


def write_csv(inc: Incident, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows(inc))
