"""Map tiles from a local file, so a site with no internet still has its streets: PMTiles
(read with the ``pmtiles`` library, memory-mapped) or MBTiles (SQLite, TMS rows).

``TileFile.open(path)`` picks the reader by extension; ``tile(z, x, y)`` returns the tile's
bytes (or None) and ``media_type`` / ``encoding`` say how to send them."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

_PM_MEDIA = {TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp",
             TileType.AVIF: "image/avif", TileType.MVT: "application/vnd.mapbox-vector-tile"}
_MB_MEDIA = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
             "pbf": "application/vnd.mapbox-vector-tile", "mvt": "application/vnd.mapbox-vector-tile"}


class TileFile:
    """One local tile archive, read-only, safe to share between threads."""

    media_type: str
    encoding: str | None  # "gzip" when tiles are stored gzipped (vector tiles usually)
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north

    @staticmethod
    def open(path: str | Path) -> TileFile:
        p = Path(path)
        if not p.is_file():
            raise ValueError(f"basemap file {p}: no such file")
        if p.suffix.lower() == ".pmtiles":
            return PMTilesFile(p)
        if p.suffix.lower() == ".mbtiles":
            return MBTilesFile(p)
        raise ValueError(f"basemap file {p}: expected a .pmtiles or .mbtiles file")

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        kind = "vector" if self.media_type.endswith("vector-tile") else "raster"
        return {"kind": kind, "min_zoom": self.min_zoom, "max_zoom": self.max_zoom, "bounds": self.bounds}


class PMTilesFile(TileFile):
    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        try:
            self._reader = Reader(MmapSource(self._file))
            header = self._reader.header()
        except Exception as err:  # the library raises its own MagicNumberNotFound, ValueError...
            raise ValueError(f"basemap file {path}: not a readable PMTiles v3 archive ({err})") from None
        tile_type = header.get("tile_type")
        if tile_type not in _PM_MEDIA:
            raise ValueError(f"basemap file {path}: tile type {tile_type} is not served")
        self.media_type = _PM_MEDIA[tile_type]
        self.encoding = "gzip" if header.get("tile_compression") == Compression.GZIP else None
        self.min_zoom, self.max_zoom = int(header["min_zoom"]), int(header["max_zoom"])
        self.bounds = (header["min_lon_e7"] / 1e7, header["min_lat_e7"] / 1e7,
                       header["max_lon_e7"] / 1e7, header["max_lat_e7"] / 1e7)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if not self.min_zoom <= z <= self.max_zoom:
            return None
        data = self._reader.get(z, x, y)
        return bytes(data) if data else None


class MBTilesFile(TileFile):
    def __init__(self, path: Path) -> None:
        self._local = threading.local()
        self._uri = f"file:{path}?mode=ro"
        try:
            meta = dict(self._db().execute("select name, value from metadata").fetchall())
        except sqlite3.Error as err:
            raise ValueError(f"basemap file {path}: not an MBTiles database ({err})") from None
        fmt = str(meta.get("format", "png")).lower()
        if fmt not in _MB_MEDIA:
            raise ValueError(f"basemap file {path}: tile format {fmt!r} is not served")
        self.media_type = _MB_MEDIA[fmt]
        self.encoding = "gzip" if fmt in ("pbf", "mvt") else None
        zooms = self._db().execute("select min(zoom_level), max(zoom_level) from tiles").fetchone()
        self.min_zoom, self.max_zoom = int(zooms[0] or 0), int(zooms[1] or 0)
        b = meta.get("bounds")
        self.bounds = tuple(float(v) for v in str(b).split(",")) if b else None  # type: ignore[assignment]

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        return db

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        row = self._db().execute(
            "select tile_data from tiles where zoom_level=? and tile_column=? and tile_row=?",
            (z, x, (1 << z) - 1 - y)).fetchone()  # MBTiles rows count from the south (TMS)
        return bytes(row[0]) if row else None
