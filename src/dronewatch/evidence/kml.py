"""An incident as KML (simplekml, LGPL-3.0, in the optional ``evidence`` extra): folders for
the zones (polygons coloured by severity), the tracks (timed paths), pilot and home positions,
the sensors, and the alert with its changes and chain hashes as ExtendedData."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dronewatch.api.geojson import site_geojson  # one ring maker for the console and exports
from dronewatch.evidence.incident import Incident
from dronewatch.sinks.jsonl import iso

_SEVERITY_KML = {"info": "7fd9a03b", "warning": "7f0fa5f5", "critical": "7f3535e5"}  # aabbggrr


def _simplekml() -> Any:
    try:
        import simplekml
    except ImportError:  # pragma: no cover - the test extra installs it
        raise RuntimeError("KML export needs simplekml: pip install 'dronewatch[evidence]'") from None
    return simplekml


def write_kml(inc: Incident, path: Path) -> None:
    sk = _simplekml()
    a = inc.alert
    kml = sk.Kml(name=f"dronewatch incident {a.alert_id}")
    if inc.site is not None:
        zones = kml.newfolder(name="Zones")
        shapes = {f["properties"]["name"]: f["geometry"]["coordinates"]
                  for f in site_geojson(inc.site)["zones"]["features"]}
        for z in inc.site.zones:
            rings = shapes[z.name]
            poly = zones.newpolygon(name=z.name, outerboundaryis=[tuple(p) for p in rings[0]],
                                    innerboundaryis=[[tuple(p) for p in hole] for hole in rings[1:]])
            poly.description = f"{z.severity}, {z.floor_m:g}-{z.ceiling_m:g} m above the site"
            poly.style.polystyle.color = _SEVERITY_KML[z.severity]
            poly.style.linestyle.color = "ff" + _SEVERITY_KML[z.severity][2:]
    tracks = kml.newfolder(name="Tracks")
    for t in inc.tracks.values():
        if not t.points:
            continue
        line = tracks.newlinestring(name=f"track {t.track_id}", coords=[(p.lon, p.lat, p.alt_m) for p in t.points])
        line.altitudemode = sk.AltitudeMode.relativetoground
        line.timespan.begin, line.timespan.end = iso(t.points[0].at), iso(t.points[-1].at)
        line.description = (f"identities: {', '.join(t.identities) or 'none'}; classes: {', '.join(t.classes)}; "
                            f"sensors: {', '.join(t.sensors)}; {len(t.points)} positions")
        line.style.linestyle.width = 3
    people = kml.newfolder(name="Pilot and home")
    for kind, fixes in (("pilot", inc.pilots), ("home", inc.homes)):
        for f in fixes:
            pt = people.newpoint(name=f"{kind} of track {f.track_id}", coords=[(f.lon, f.lat)])
            pt.timespan.begin, pt.timespan.end = iso(f.since), iso(f.until)
    if inc.sensors:
        sensors = kml.newfolder(name="Sensors")
        for s in inc.sensors:
            sensors.newpoint(name=s.id, coords=[(s.lon, s.lat)], description=f"{s.kind}, range {s.range_m:g} m")
    alert = kml.newfolder(name=f"Alert {a.alert_id}")
    for v in inc.versions:
        p = v.alert.position
        pt = alert.newpoint(name=f"{a.alert_id} {v.change}", coords=[(p.lon, p.lat, p.alt_m)])
        pt.timestamp.when = iso(v.at)
        pt.description = (f"{iso(v.at)} {v.change} by {v.by}: {v.from_state or '-'} -> {v.to_state}"
                          + (f"; note: {v.note}" if v.note else "") + f"; {v.alert.why}")
        for key, value in (("audit_id", v.id), ("by", v.by), ("note", v.note or ""), ("row_hash", v.row_hash or ""),
                           ("prev_hash", v.prev_hash or ""), ("content_hash", v.content_hash or "")):
            pt.extendeddata.newdata(name=key, value=str(value))
    tips = alert.newpoint(name="chain tips", coords=[(a.position.lon, a.position.lat)])
    tips.description = "; ".join(f"{name}: {h['row_hash']} ({h['rows']} rows)" for name, h in inc.chain_heads.items())
    for name, h in inc.chain_heads.items():
        tips.extendeddata.newdata(name=f"tip_{name}", value=h["row_hash"])
    kml.save(str(path))
