"""Local basemap tiles (PMTiles and MBTiles made here) and the replay API over a real Store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
from api_factories import NOW, SITE, make_alert, make_track
from fastapi.testclient import TestClient
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import Site
from dronewatch.store import Store

TILE = b"\x89PNG\r\n\x1a\n-a-tile-"


def pmtiles_file(path: Path) -> None:
    with path.open("wb") as f:
        w = Writer(f)
        for tile_id in sorted(zxy_to_tileid(z, x, y) for z, x, y in ((0, 0, 0), (1, 1, 0), (2, 2, 1))):
            w.write_tile(tile_id, TILE)
        w.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_zoom": 0, "max_zoom": 2,
                    "min_lon_e7": 0, "min_lat_e7": 0, "max_lon_e7": 10_000_000, "max_lat_e7": 10_000_000,
                    "center_zoom": 1, "center_lon_e7": 0, "center_lat_e7": 0}, {})


def mbtiles_file(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("create table metadata (name text, value text)")
        db.execute("create table tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
        db.executemany("insert into metadata values (?, ?)", [("format", "png"), ("bounds", "3.9,51.9,4.1,52.1")])
        db.execute("insert into tiles values (2, 2, 2, ?)", (TILE,))  # TMS row 2 at z2 = XYZ y 1


def client_for(tmp_path: Path, basemap: dict[str, object] | None) -> TestClient:
    site = msgspec.convert(SITE | ({"basemap": basemap} if basemap else {}), Site)
    store = Store(f"sqlite:///{tmp_path / 'api.db'}")
    return TestClient(create_app(site, store, LiveState(site), InProcessBus(), clock=lambda: NOW))


@pytest.mark.parametrize(("name", "make"), [("site.pmtiles", pmtiles_file), ("site.mbtiles", mbtiles_file)])
def test_local_basemap_tiles(tmp_path: Path, name: str, make: object) -> None:
    make(tmp_path / name)  # type: ignore[operator]
    with client_for(tmp_path, {"file": str(tmp_path / name), "attribution": "x"}) as c:
        r = c.get("/api/basemap/2/2/1")
        assert r.status_code == 200 and r.content == TILE and r.headers["content-type"] == "image/png"
        assert c.get("/api/basemap/2/3/3").status_code == 204  # not in the file
        assert c.get("/api/basemap/2/9/1").status_code == 404  # not on the map
        assert c.get("/api/site").json()["basemap"]["file"].endswith(name)


def test_basemap_errors(tmp_path: Path) -> None:
    with client_for(tmp_path, None) as c:
        assert c.get("/api/basemap/0/0/0").status_code == 404
    with pytest.raises(ValueError, match="no such file"):
        client_for(tmp_path, {"file": str(tmp_path / "missing.pmtiles")})
    (tmp_path / "junk.pmtiles").write_bytes(b"not tiles at all" * 20)
    with pytest.raises(ValueError, match="not a readable PMTiles"):
        client_for(tmp_path, {"file": str(tmp_path / "junk.pmtiles")})
    for bad, why in (({"url": "x", "file": "a.pmtiles"}, "exactly one"), ({"file": "a.png"}, ".pmtiles or .mbtiles"),
                     ({"url": "tiles/{z}"}, "full URL")):
        with pytest.raises(msgspec.ValidationError, match=why):
            msgspec.convert(SITE | {"basemap": bad}, Site)


def test_replay_steps_and_alerts(tmp_path: Path) -> None:
    with client_for(tmp_path, None) as c:
        store: Store = c.app.state.store  # type: ignore[attr-defined]
        assert c.get("/api/replay/range").json() == {"from": None, "to": None, "snapshots": 0}
        for k in range(5):
            store.add_tracks([make_track(1, at=NOW + k, e_m=10.0 * k), make_track(2, at=NOW + k)], at=NOW + k)
        store.save_alerts([make_alert(at=NOW + 2)])
        assert c.get("/api/replay/range").json() == {"from": NOW, "to": NOW + 4, "snapshots": 10}
        r = c.get("/api/replay", params={"from": NOW + 1, "to": NOW + 3})
        body = r.json()
        assert [s["at"] for s in body["steps"]] == [NOW + 1, NOW + 2, NOW + 3]
        assert [[t["track_id"] for t in s["tracks"]] for s in body["steps"]] == [[1, 2]] * 3
        assert body["steps"][1]["tracks"][0]["lat"] == make_track(1, at=NOW + 2, e_m=20.0).lat
        assert [a["alert"]["alert_id"] for a in body["alerts"]] == ["zone_entry:7:stadium"]
        assert body["truncated"] is False
        cut = c.get("/api/replay", params={"from": NOW, "to": NOW + 4, "limit": 3}).json()
        assert cut["truncated"] is True and sum(len(s["tracks"]) for s in cut["steps"]) == 3
        assert c.get("/api/replay", params={"from": NOW + 3, "to": NOW + 1}).status_code == 422
        assert c.get("/api/replay", params={"from": NOW, "to": NOW + 7 * 3600}).status_code == 422
