"""GET /api/site: the site as configured (origin, zones, sensors, tile_url) plus ready-made
GeoJSON for the map (zones, sensor points, range rings, bounds)."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, Request, Response

from dronewatch.api.deps import json_response
from dronewatch.api.geojson import site_geojson
from dronewatch.config import Site

router = APIRouter(prefix="/api/site", tags=["site"])


def site_document(site: Site) -> dict[str, Any]:
    doc: dict[str, Any] = msgspec.to_builtins(site)
    doc["geojson"] = site_geojson(site)
    return doc


@router.get("")
def get_site(request: Request) -> Response:
    """The site document (computed once when the app is made)."""
    return json_response(request.app.state.site_document)
