"""The evidence hash chain: `dronewatch verify --db FILE` passes an untouched store and names the
first bad row of an edited, deleted or inserted one; concurrent writers keep one chain; an
existing store is chained by its migration."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import dpkt
import msgspec
import pytest
from alembic import command
from sqlalchemy import create_engine, insert, text
from typer.testing import CliRunner

from dronewatch.cli import app
from dronewatch.model import Frame
from dronewatch.store import Store
from dronewatch.store.chain import GENESIS, content_hash, link
from dronewatch.store.store import alembic_config, alert_row
from dronewatch.store.tables import alerts
from dronewatch.store.verify import open_readonly, verify
from factories import make_alert, make_track


def _capture_frames(captures: Path) -> list[Frame]:
    with (captures / "remoteid" / "odid_wifi_bcn_sample.pcap").open("rb") as f:
        return [Frame(sensor_id="wifi-0", received_at=ts, link="radiotap", data=bytes(buf))
                for ts, buf in dpkt.pcap.Reader(f)]


@pytest.fixture
def db(tmp_path: Path, captures: Path) -> Path:
    """A store with real frames, track snapshots, alerts changing and an operator's action."""
    path = tmp_path / "evidence.db"
    with Store(f"sqlite:///{path}") as s:
        s.save_site("Test", '{"name": "Test"}', 999.0)
        s.add_frames(_capture_frames(captures))
        for i in range(5):
            s.add_tracks([make_track(7, at=1000.0 + i, e_m=i), make_track(8, at=1000.0 + i)], at=1000.0 + i)
        alert = make_alert(at=1000.0)
        s.save_alerts([alert, msgspec.structs.replace(alert, updated_at=1001.0, track_ids=(7, 8), change="members")])
        s.act(alert.alert_id, "ack", "Alice", "seen", 1002.0)
        s.save_alerts([make_alert("A2", at=1003.0)])
    return path


def _verify(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", "--db", str(path)])
    return result.exit_code, result.output


def _tamper(path: Path, *sql: str) -> None:
    """What someone with the file does: lift the insert-only triggers and the unique index."""
    with sqlite3.connect(path) as raw:
        for table in ("frames", "track_snapshots", "alert_audit", "sites"):
            raw.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            raw.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            raw.execute(f"DROP INDEX IF EXISTS ux_{table}_prev_hash")
        for statement in sql:
            raw.execute(statement)


def test_untouched_store_verifies(db: Path) -> None:
    code, output = _verify(db)
    assert code == 0, output
    assert "frames: 21 rows, tip " in output and "alert_audit: 4 rows" in output
    assert "track_snapshots: 10 rows" in output and "sites: 1 rows" in output
    assert "OK, every evidence chain holds" in output


def test_the_triggers_refuse_edits_first(db: Path) -> None:
    with sqlite3.connect(db) as raw, pytest.raises(sqlite3.DatabaseError, match="insert-only"):
        raw.execute("UPDATE track_snapshots SET lat = 0 WHERE id = 2")


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        (["UPDATE alert_audit SET note = 'nothing seen' WHERE id = 3"],
         "alert_audit id=3: content altered"),
        (["UPDATE frames SET data = x'00' || data WHERE id = 4"], "frames id=4: frame bytes altered"),
        (["UPDATE frames SET received_at = received_at + 1 WHERE id = 4"], "frames id=4: content altered"),
        (["UPDATE track_snapshots SET row_hash = content_hash WHERE id = 5"], "track_snapshots id=5: row_hash altered"),
        (["UPDATE alerts SET state = 'resolved' WHERE alert_id = 'A2'"],
         "alerts alert A2: differs from the version its last audit row recorded"),
    ],
)
def test_an_edited_row_is_named(db: Path, sql: list[str], says: str) -> None:
    _tamper(db, *sql)
    code, output = _verify(db)
    assert code == 1 and f"BAD {says}" in output, output


def test_an_edited_row_with_its_hashes_redone_is_caught_at_the_next(db: Path) -> None:
    with sqlite3.connect(db) as raw:
        row = dict(zip(("track_id", "at", "lat", "lon", "alt_m", "cls", "identity", "status", "json", "prev_hash"),
                       raw.execute("SELECT track_id, at, lat, lon, alt_m, cls, identity, status, json, prev_hash "
                                   "FROM track_snapshots WHERE id = 4").fetchone(), strict=True))
    row["lat"] = 51.0
    content = content_hash("track_snapshots", row)
    _tamper(db, f"UPDATE track_snapshots SET lat = 51.0, content_hash = '{content}', "
                f"row_hash = '{link(row['prev_hash'], content)}' WHERE id = 4")
    code, output = _verify(db)
    assert code == 1 and "BAD track_snapshots id=5: does not link to the row before it (id=4)" in output, output


def test_a_deleted_row_is_named(db: Path) -> None:
    _tamper(db, "DELETE FROM frames WHERE id = 7")
    code, output = _verify(db)
    assert code == 1 and "BAD frames id=8: does not link to the row before it (id=6)" in output, output


def test_a_deleted_last_row_is_seen(db: Path) -> None:
    _tamper(db, "DELETE FROM alert_audit WHERE id = (SELECT max(id) FROM alert_audit)")
    code, output = _verify(db)
    assert code == 1 and "BAD alert_audit head: the chain head keeps id=4 (4 rows)" in output, output
    assert "rows at the end were deleted" in output
    # and the alert whose only audit row went is caught too
    assert "BAD alerts alert A2: has no audit row" in output


def test_a_deleted_alert_is_named(db: Path) -> None:
    _tamper(db, "DELETE FROM alerts WHERE alert_id = 'A2'")
    code, output = _verify(db)
    assert code == 1 and "BAD alerts alert A2: audited but its row is gone" in output, output


def test_an_inserted_row_is_named(db: Path) -> None:
    _tamper(db, "INSERT INTO frames (sensor_id, received_at, link, sha256, data) "
                "VALUES ('wifi-0', 5.0, 'radiotap', 'ab', x'00')")
    code, output = _verify(db)
    assert code == 1 and "BAD frames id=22: no chain hashes" in output, output


def test_an_inserted_row_with_forged_hashes_is_named(db: Path) -> None:
    with sqlite3.connect(db) as raw:
        tip = raw.execute("SELECT row_hash FROM track_snapshots ORDER BY id DESC LIMIT 1").fetchone()[0]
        third = raw.execute("SELECT row_hash FROM track_snapshots WHERE id = 3").fetchone()[0]
    row = {"track_id": 9, "at": 1004.5, "lat": 52.0, "lon": 4.0, "alt_m": 50.0, "cls": "bird", "identity": None,
           "status": "confirmed", "json": "{}"}
    content = content_hash("track_snapshots", row)
    insert = ("INSERT INTO track_snapshots (id, track_id, at, lat, lon, alt_m, cls, identity, status, json, "
              "content_hash, prev_hash, row_hash) VALUES ({id}, 9, 1004.5, 52.0, 4.0, 50.0, 'bird', NULL, "
              "'confirmed', '{{}}', '{c}', '{p}', '{r}')")
    # at the end, linked to the tip: the chain head tells
    _tamper(db, insert.format(id=11, c=content, p=tip, r=link(tip, content)))
    code, output = _verify(db)
    assert code == 1 and "BAD track_snapshots id=11: inserted: after id=10" in output, output
    # linked to an earlier row (a fork)
    _tamper(db, "DELETE FROM track_snapshots WHERE id = 11",
            insert.format(id=11, c=content, p=third, r=link(third, content)))
    code, output = _verify(db)
    assert code == 1 and "BAD track_snapshots id=11: links to id=3, not to the row before it (id=10)" in output


def test_a_writer_cannot_fork_the_chain(db: Path) -> None:
    with sqlite3.connect(db) as raw, pytest.raises(sqlite3.IntegrityError, match="prev_hash"):
        raw.execute("INSERT INTO sites (name, at, json, content_hash, prev_hash, row_hash) "
                    f"VALUES ('x', 1.0, '{{}}', 'c', '{GENESIS}', 'r')")


def test_concurrent_writers_keep_one_chain(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'busy.db'}")
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                store.add_frames([Frame(sensor_id=f"s{k}", received_at=float(i), link="x", data=b"%d" % i)] * 3)
                store.add_tracks([make_track(k, at=1000.0 + i)], at=1000.0 + i)
                store.save_alerts([make_alert(f"A{k}-{i}", at=1000.0 + i)])
                if i % 5 == 0:
                    store.act(f"A{k}-{i}", "resolve", f"op{k}", None, 1000.5 + i)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.counts() == {"frames": 180, "track_snapshots": 60, "alerts": 60, "alert_audit": 72}
    store.close()
    report = verify(open_readonly(str(tmp_path / "busy.db")))
    assert report.ok, report.problems
    assert report.rows == {"frames": 180, "track_snapshots": 60, "alert_audit": 72, "sites": 0}


def test_migration_chains_an_existing_store(tmp_path: Path) -> None:
    """A store made before the chain (revision 0003), with rows, is chained on upgrade."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    alert = make_alert("A1", at=2.0)
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
        conn.execute(text("INSERT INTO frames (sensor_id, received_at, link, sha256, data) VALUES "
                          "('s', 1.0, 'x', '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', x'00')"))
        conn.execute(text("INSERT INTO alert_audit (alert_id, at, by, change, from_state, to_state, json, note) "
                          "VALUES ('A1', 2.0, 'system', 'raised', NULL, 'open', :json, NULL)"), alert_row(alert))
        conn.execute(insert(alerts), [alert_row(alert)])
    engine.dispose()
    old = verify(open_readonly(str(tmp_path / "old.db")))
    assert not old.ok and "no hash chain (schema revision 0003)" in str(old.problems[0])
    with Store(url) as store:  # migrates to head: backfills the chain
        store.add_frames([Frame(sensor_id="s", received_at=3.0, link="x", data=b"new")])
    report = verify(open_readonly(str(tmp_path / "old.db")))
    assert report.ok, report.problems
    assert report.rows["frames"] == 2 and report.rows["alert_audit"] == 1
    with sqlite3.connect(tmp_path / "old.db") as raw, pytest.raises(sqlite3.DatabaseError, match="insert-only"):
        raw.execute("DELETE FROM frames WHERE id = 1")


def test_verify_without_a_store_is_an_error(tmp_path: Path) -> None:
    code, output = _verify(tmp_path / "missing.db")
    assert code == 2 and "no such store file" in output
