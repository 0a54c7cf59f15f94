"""GET /api/basemap/{z}/{x}/{y} and /api/basemap/style.json: tiles of the site's local basemap file (``basemap.file``),
served by dronewatch itself; 404 for a tile the file does not have (or with no file)."""

from __future__ import annotations

from pathlib import Path as FilePath

from fastapi import APIRouter, HTTPException, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from dronewatch.api.basemap import TileFile

router = APIRouter(prefix="/api/basemap", tags=["basemap"])


@router.get("/{z}/{x}/{y}", responses={404: {"description": "no such tile"}})
async def tile(request: Request, z: int = Path(ge=0, le=24), x: int = Path(ge=0), y: int = Path(ge=0)) -> Response:
    tiles: TileFile | None = request.app.state.basemap
    if tiles is None:
        raise HTTPException(404, "this site has no local basemap file")
    if x >= 1 << z or y >= 1 << z:
        raise HTTPException(404, f"no tile {z}/{x}/{y}")
    data = await run_in_threadpool(tiles.tile, z, x, y)
    if data is None:
        return Response(status_code=204)  # outside the file: MapLibre draws nothing, quietly
    headers = {"cache-control": "private, max-age=3600"}
    if tiles.encoding:
        headers["content-encoding"] = tiles.encoding
    return Response(data, media_type=tiles.media_type, headers=headers)


@router.get("/style.json", responses={404: {"description": "no local style file"}})
def style(request: Request) -> Response:
    """The site's local MapLibre style file (``basemap.style``), for vector basemaps."""
    basemap = request.app.state.site.basemap
    if basemap is None or not basemap.style or "://" in basemap.style:
        raise HTTPException(404, "this site has no local basemap style file")
    try:
        text = FilePath(basemap.style).read_text()
    except OSError as err:
        raise HTTPException(404, f"basemap style {basemap.style}: {err.strerror}") from None
    return Response(text, media_type="application/json")
