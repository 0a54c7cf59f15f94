"""The site as GeoJSON for the console: zone polygons (circles made polygons, largest first)
and sensor range rings, computed as circles in the site ENU frame."""

from __future__ import annotations

from typing import Any

import numpy as np
from shapely.geometry import Polygon

from dronewatch.config import Site, Zone
from dronewatch.geo import SiteFrame


def _ring(frame: SiteFrame, lat: float, lon: float, radius_m: float, points: int = 72) -> list[list[float]]:
    """A closed [[lon, lat], ...] ring of ``radius_m`` around (lat, lon)."""
    e0, n0, _ = frame.ground_to_enu(lat, lon, 0.0)
    theta = np.linspace(0.0, 2 * np.pi, points + 1)
    la, lo, _ = frame.enu_to_ground(e0 + radius_m * np.sin(theta), n0 + radius_m * np.cos(theta),
                                    np.zeros_like(theta))
    ring = np.column_stack([np.asarray(lo), np.asarray(la)]).round(7).tolist()
    ring[-1] = ring[0]
    return ring


def _closed(points: list[tuple[float, float]]) -> list[list[float]]:
    ring = [[lon, lat] for lat, lon in points]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def _zone_rings(frame: SiteFrame, zone: Zone) -> list[list[list[float]]]:
    """GeoJSON Polygon coordinates: the outer ring, then any holes."""
    if zone.circle is not None:
        return [_ring(frame, zone.circle.lat, zone.circle.lon, zone.circle.radius_m)]
    assert zone.polygon is not None
    return [_closed(zone.polygon), *(_closed(h) for h in zone.holes)]


def site_geojson(site: Site) -> dict[str, Any]:
    """``{"zones": FeatureCollection, "sensors": FeatureCollection, "rings": FeatureCollection,
    "bounds": [[west, south], [east, north]]}``."""
    frame = SiteFrame(site.origin.lat, site.origin.lon, site.origin.alt_m)
    zones = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": _zone_rings(frame, z)},
            "properties": {"name": z.name, "severity": z.severity, "floor_m": z.floor_m,
                           "ceiling_m": z.ceiling_m},
        }
        for z in site.zones
    ]
    # largest first, so smaller zones (drawn later) stay visible on top of the ones around them
    zones.sort(key=lambda f: -Polygon(f["geometry"]["coordinates"][0]).area)  # type: ignore[index]
    sensors = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {"id": s.id, "kind": s.kind, "range_m": s.range_m},
        }
        for s in site.sensors
    ]
    rings = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": _ring(frame, s.lat, s.lon, s.range_m)},
            "properties": {"id": s.id, "kind": s.kind},
        }
        for s in site.sensors
    ]
    points = [c for f in zones for c in f["geometry"]["coordinates"][0]]  # type: ignore[index]
    if not points:
        points = [[site.origin.lon, site.origin.lat]]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return {
        "zones": {"type": "FeatureCollection", "features": zones},
        "sensors": {"type": "FeatureCollection", "features": sensors},
        "rings": {"type": "FeatureCollection", "features": rings},
        "bounds": [[min(lons), min(lats)], [max(lons), max(lats)]],
    }
