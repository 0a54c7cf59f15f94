"""Edges -> NATS JetStream -> hub -> PostgreSQL/PostGIS, with real servers on 127.0.0.1.

Two sites run their scenarios (fast, each into its own SQLite store); their stores are
published by the edge publisher; a `dronewatch hub` process persists everything. Checked: every
frame, alert and audit row exactly once, per site; the hub's schema (PostGIS geometry, day
partitions); one global identity for a drone crossing from one site to the other (by serial,
and by kinematic continuity without one); the all-sites API; a resend changes nothing; a
malformed message is counted and the rest goes on."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_helpers import pg_query, wait_for
from hub_scenes import write

from dronewatch.config import load_scenario
from dronewatch.edge import EdgePublisher, StoreTail
from dronewatch.runner import run_fast


def _edge_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


async def _publish(url: str, scen_path: Path, db: Path, cursor: Path | None = None) -> dict[str, int]:
    pub = EdgePublisher(url, load_scenario(scen_path).site, StoreTail(db, cursor))
    try:
        assert await pub.drain(60), pub.stats()
        return dict(pub.published)
    finally:
        await pub.close()


def _verify_cli(db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dronewatch.cli", "verify", "--db", db], capture_output=True,
                          text=True, timeout=300)


async def _resend(url: str, db: Path, site: str) -> dict[str, int]:
    """Publish the first rows of each table again under fresh message ids."""
    import nats as nats_client

    from dronewatch.edge.publisher import records
    from dronewatch.jetstream import ENCODER

    nc = await nats_client.connect(url)
    js = nc.jetstream()
    tail = StoreTail(db, db.with_name("resend-cursor.json"))
    sent = {}
    for table in ("frames", "alert_audit", "track_snapshots"):
        rows = tail.read(table, 200)
        for row in rows:
            for subj, mid, env in records(site, table, row):
                await js.publish(subj, ENCODER.encode(env), headers={"Nats-Msg-Id": mid + ":late"})
        sent[table] = len(rows)
    tail.close()
    await nc.close()
    return sent


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Both sites' scenarios run fast into their own stores (once for the module)."""
    tmp = tmp_path_factory.mktemp("sites")
    out = {}
    for name, path in write(tmp).items():
        db = tmp / f"{name}.db"
        run_fast(load_scenario(path), tmp / f"out-{name}", db_url=f"sqlite:///{db}")
        out[name] = (path, db)
    return out


def test_two_sites_into_postgis_exactly_once_with_handoff(two_sites, nats, hub_db, hub_factory, tmp_path) -> None:
    hub = hub_factory(nats.url, hub_db).start()
    for name in ("alpha", "bravo"):  # alpha first: the drones fly west to east
        scen, db = two_sites[name]
        asyncio.run(_publish(nats.url, scen, db))

    expect = {name: {"frames": _edge_rows(db, "SELECT count(*) FROM frames")[0][0],
                     "audit": _edge_rows(db, "SELECT count(*) FROM alert_audit")[0][0],
                     "tracks": _edge_rows(db, "SELECT count(*) FROM track_snapshots")[0][0],
                     "alerts": {r[0] for r in _edge_rows(db, "SELECT alert_id FROM alerts")}}
              for name, (_, db) in two_sites.items()}
    assert all(e["frames"] > 1000 and e["alerts"] for e in expect.values()), expect

    def landed() -> bool:
        rows = pg_query(hub_db, "SELECT site, count(*) FROM frames GROUP BY site")
        audit = pg_query(hub_db, "SELECT site, count(*) FROM alert_audit GROUP BY site")
        snaps = pg_query(hub_db, "SELECT site, count(*) FROM track_snapshots GROUP BY site")
        return ({r[0]: r[1] for r in rows} == {n: e["frames"] for n, e in expect.items()}
                and {r[0]: r[1] for r in audit} == {n: e["audit"] for n, e in expect.items()}
                and {r[0]: r[1] for r in snaps} == {n: e["tracks"] for n, e in expect.items()})
    # each class has its own lane at the hub: wait for all of them, tracks too
    wait_for(landed, 90, "every frame, audit row and track snapshot at the hub")

    for name, e in expect.items():
        alerts = {r[0] for r in pg_query(hub_db, "SELECT alert_id FROM alerts WHERE site = $1", name)}
        assert alerts == e["alerts"], name  # the edge's alert ids, unchanged
        # sha256 of the raw bytes as the edge stored it
        edge_sha = sorted(r[0] for r in _edge_rows(two_sites[name][1], "SELECT sha256 FROM frames"))
        hub_sha = sorted(r[0] for r in pg_query(hub_db, "SELECT sha256 FROM frames WHERE site = $1", name))
        assert hub_sha == edge_sha
    assert {r[0] for r in pg_query(hub_db, "SELECT site FROM sites")} == {"alpha", "bravo"}

    # schema: day partitions hold the rows, geometry is PostGIS with spatial indexes
    parts = {r[0]: r[1] for r in pg_query(
        hub_db, "SELECT c.relname, c.reltuples FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'frames'")}
    assert "frames_20260301" in parts and "frames_default" in parts
    assert pg_query(hub_db, "SELECT count(*) FROM frames_default")[0][0] == 0
    near_a = pg_query(hub_db, "SELECT count(*) FROM track_snapshots WHERE site = 'alpha' AND ST_DWithin("
                              "geom::geography, ST_SetSRID(ST_MakePoint(-0.1, 51.5), 4326)::geography, 1300)")
    assert near_a[0][0] > 100
    gist = pg_query(hub_db, "SELECT indexname FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'")
    assert {"ix_track_snapshots_geom", "ix_alerts_geom"} <= {r[0] for r in gist}

    # hand-off: each crossing drone is one global track seen at both sites
    links = pg_query(hub_db, "SELECT l.site, l.how, g.global_id, g.identity, g.sites FROM track_links l "
                             "JOIN global_tracks g USING (global_id)")
    rid = [r for r in links if r["identity"] == "serial:1596HANDOFF00001"]
    assert {r["site"] for r in rid} == {"alpha", "bravo"} and len({r["global_id"] for r in rid}) == 1
    assert any(r["how"] == "identity" and r["site"] == "bravo" for r in rid)
    kinematic = [r for r in links if r["how"] == "kinematic"]
    assert kinematic, links
    dark = kinematic[0]["global_id"]
    assert set(next(r["sites"] for r in links if r["global_id"] == dark)) == {"alpha", "bravo"}
    # the hovering drones stay at their own site: not linked across
    global_sites = {r["global_id"]: set(r["sites"]) for r in links}
    assert sum(1 for s in global_sites.values() if s == {"alpha", "bravo"}) == 2

    # the all-sites API
    tracks = httpx.get(f"{hub.url}/api/tracks", timeout=10).json()
    assert {t["site"] for t in tracks} == {"alpha", "bravo"}
    only_a = httpx.get(f"{hub.url}/api/tracks", params={"site": "alpha"}, timeout=10).json()
    assert only_a and {t["site"] for t in only_a} == {"alpha"}
    health = httpx.get(f"{hub.url}/api/health", timeout=10).json()
    assert health["counts"]["frames"] == sum(e["frames"] for e in expect.values())
    site_doc = httpx.get(f"{hub.url}/api/site", timeout=10).json()
    names = {f["properties"]["name"] for f in site_doc["geojson"]["zones"]["features"]}
    assert names == {"alpha: Core", "bravo: Core"}
    some = next(iter(expect["alpha"]["alerts"]))
    one = httpx.get(f"{hub.url}/api/alerts/alpha/{some}", timeout=10).json()
    assert one["alert"]["alert_id"] == some and one["audit"]

    # A resend after JetStream's duplicate window (new message ids, same records, e.g. an edge
    # restored from a backup) reaches the hub and changes nothing.
    before = pg_query(hub_db, "SELECT (SELECT count(*) FROM frames), (SELECT count(*) FROM alert_audit), "
                              "(SELECT count(*) FROM track_snapshots), (SELECT count(*) FROM alerts)")[0]
    written = httpx.get(f"{hub.url}/api/health", timeout=10).json()["ingest"]["written"]
    sent = asyncio.run(_resend(nats.url, two_sites["alpha"][1], "alpha"))
    assert sent["frames"] >= 100 and sent["alert_audit"] >= 1

    def received() -> bool:
        now = httpx.get(f"{hub.url}/api/health", timeout=10).json()["ingest"]["written"]
        return (now.get("frame", 0) - written.get("frame", 0) == sent["frames"]
                and now.get("audit", 0) - written.get("audit", 0) == sent["alert_audit"])
    wait_for(received, 60, "the resent records at the hub")
    after = pg_query(hub_db, "SELECT (SELECT count(*) FROM frames), (SELECT count(*) FROM alert_audit), "
                             "(SELECT count(*) FROM track_snapshots), (SELECT count(*) FROM alerts)")[0]
    assert tuple(after) == tuple(before)

    # The edges' evidence hash chains hold at the hub, and an edit, a deletion or an insertion
    # made in PostgreSQL is named by `dronewatch verify --db postgresql://...`.
    ok = _verify_cli(hub_db)
    assert ok.returncode == 0, ok.stderr
    for name in ("alpha", "bravo"):
        for table in ("frames", "track_snapshots", "alert_audit"):
            assert f"{name} {table}: " in ok.stdout
    assert "0 unchained" in ok.stdout and "OK" in ok.stdout
    pg_query(hub_db, "UPDATE frames SET link = 'odid-pack' WHERE site = 'alpha' AND edge_id = 10")
    pg_query(hub_db, "DELETE FROM alert_audit WHERE site = 'bravo' AND edge_id = "
                     "(SELECT min(edge_id) + 1 FROM alert_audit WHERE site = 'bravo')")
    pg_query(hub_db, "UPDATE track_snapshots SET edge_row = jsonb_set(edge_row, '{lat}', '51.2') "
                     "WHERE site = 'bravo' AND edge_id = 7")
    bad = _verify_cli(hub_db)
    assert bad.returncode == 1
    assert "alpha frames edge id=10: content altered" in bad.stderr
    assert "bravo track_snapshots edge id=7: content altered" in bad.stderr
    assert "bravo alert_audit edge id=" in bad.stderr and "deleted" in bad.stderr


def test_bad_messages_are_counted_by_reason_and_the_rest_lands(nats, hub_db, hub_factory) -> None:
    """Bad input at the hub: not JSON, not an envelope, a class this version does not know, a kind
    its subject does not name. Each is counted by reason in /api/health and acknowledged (nothing
    left pending in any lane); the good message after them lands."""
    import nats as nats_client

    from dronewatch.jetstream import ENCODER, Envelope, ensure_stream, subject_for

    hub = hub_factory(nats.url, hub_db).start()
    zulu = Envelope(site="zulu", kind="site", edge_id=0, row={"name": "zulu", "origin": {"lat": 1, "lon": 2}})

    async def send() -> None:
        nc = await nats_client.connect(nats.url)
        js = nc.jetstream()
        await ensure_stream(js)
        await js.publish("dw.v1.frame.zulu.radar", b"{not json", headers={"Nats-Msg-Id": "bad-1"})
        await js.publish("dw.v1.alert.zulu", b'{"site": "zulu", "kind": "nonsense", "edge_id": 1, "row": {}}',
                         headers={"Nats-Msg-Id": "bad-2"})
        await js.publish("dw.v1.weather.zulu", ENCODER.encode(zulu), headers={"Nats-Msg-Id": "bad-3"})
        await js.publish("dw.v1.v2", b"{}", headers={"Nats-Msg-Id": "bad-4"})
        await js.publish("dw.v1.track.zulu", ENCODER.encode(zulu), headers={"Nats-Msg-Id": "bad-5"})
        await js.publish(subject_for("site", "zulu"), ENCODER.encode(zulu), headers={"Nats-Msg-Id": "ok-1"})
        await nc.close()

    asyncio.run(send())
    wait_for(lambda: bool(pg_query(hub_db, "SELECT 1 FROM sites WHERE site = 'zulu'")), 30, "the good message")

    def ingest() -> dict[str, Any]:
        return dict(httpx.get(f"{hub.url}/api/health", timeout=10).json()["ingest"])
    wait_for(lambda: sum(ingest()["rejected"].values()) >= 5, 30, "every bad message counted")
    assert ingest()["rejected"] == {"malformed message": 2, "unknown class": 2, "kind not its subject's": 1}
    assert json.loads(pg_query(hub_db, "SELECT config FROM sites")[0][0])["name"] == "zulu"
    assert pg_query(hub_db, "SELECT count(*) FROM track_snapshots")[0][0] == 0
    # every lane has taken and acknowledged everything: nothing waits in the stream for ever
    wait_for(lambda: set(ingest()["pending"]) == {"alert", "audit", "site", "bulk"}
             and not any(ingest()["pending"].values()), 30, "no lane with messages pending")
