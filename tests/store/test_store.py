"""Store: migrations, frame evidence with hashes, track history, alert upsert + audit, ack."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import dpkt
import msgspec
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from dronewatch.model import Frame
from dronewatch.store import Store
from dronewatch.store.store import alembic_config
from dronewatch.store.tables import metadata
from factories import make_alert, make_track

BCN_SHA256 = "86602b63244326adf6e909c140af1aae7d7e729c81ab2e2273302de058765a1f"  # remoteid/MANIFEST.md


def pcap_frames(path: Path) -> list[Frame]:
    with path.open("rb") as f:
        return [
            Frame(sensor_id="wifi-0", received_at=ts, link="radiotap", data=bytes(buf))
            for ts, buf in dpkt.pcap.Reader(f)
        ]


def test_migrations_create_the_tables_the_code_expects(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"frames", "track_snapshots", "alerts", "alert_audit", "alembic_version"} <= names
    with store.engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute(text("select version_num from alembic_version")).scalar() == head
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"tables.py and the migrations disagree: {diff}"


def test_sqlite_runs_in_wal_mode(store: Store, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "dw.db") as raw:
        assert raw.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_frames_keep_bytes_and_hash(store: Store, captures: Path) -> None:
    whole = (captures / "remoteid" / "odid_wifi_bcn_sample.pcap").read_bytes()
    [digest] = store.add_frames([Frame(sensor_id="file", received_at=1.0, link="pcap", data=whole)])
    assert digest == BCN_SHA256
    [row] = store.frames(sha256=BCN_SHA256)
    assert row["data"] == whole and row["link"] == "pcap" and row["sensor_id"] == "file"

    packets = pcap_frames(captures / "remoteid" / "odid_wifi_bcn_sample.pcap")
    assert len(packets) == 21  # MANIFEST.md
    digests = store.add_frames(packets)
    assert digests == [hashlib.sha256(p.data).hexdigest() for p in packets]
    stored = store.frames(limit=100)[1:]
    assert [r["data"] for r in stored] == [p.data for p in packets]
    assert [r["received_at"] for r in stored] == [p.received_at for p in packets]
    assert store.counts()["frames"] == 22


def test_evidence_rows_cannot_be_rewritten(store: Store) -> None:
    store.add_frames([Frame(sensor_id="s", received_at=1.0, link="dw-report", data=b"{}")])
    store.save_alerts([make_alert()])
    for sql in ("update frames set data = x'00'", "delete from frames", "delete from alert_audit"):
        with pytest.raises(DatabaseError, match="insert-only"), store.engine.begin() as conn:
            conn.execute(text(sql))
    assert store.frames()[0]["data"] == b"{}"
    assert len(store.audit()) == 1


def test_track_history_is_newest_n_oldest_first(store: Store) -> None:
    for i in range(10):
        store.add_tracks([make_track(7, at=1000.0 + i, e_m=i, serial="1596F"), make_track(8, at=1000.0 + i)],
                         at=1000.0 + i)
    history = store.track_history(7, limit=4)
    assert [h["at"] for h in history] == [1006.0, 1007.0, 1008.0, 1009.0]
    assert history[-1]["identity"] == "serial:1596F" and history[-1]["cls"] == "drone"
    assert history[-1]["lat"] == pytest.approx(52.0 + 9e-5)
    assert store.track_history(99) == []
    assert store.counts()["track_snapshots"] == 20


def test_alerts_upsert_and_audit_each_change(store: Store) -> None:
    first = make_alert(at=1000.0)
    assert store.save_alerts([first]) == 1
    assert store.save_alerts([first]) == 0  # unchanged: no new audit row
    moved = msgspec.structs.replace(first, updated_at=1005.0, why="still inside")
    resolved = msgspec.structs.replace(moved, updated_at=1020.0, state="resolved")
    assert store.save_alerts([moved]) == 1
    assert store.save_alerts([resolved]) == 1
    assert store.alert(first.alert_id) == resolved
    assert store.alerts() == [resolved]
    assert store.alerts(state="open") == []
    trail = store.audit(limit=10)
    assert [(a["change"], a["from_state"], a["to_state"], a["at"]) for a in trail] == [
        ("updated", "open", "resolved", 1020.0),
        ("updated", "open", "open", 1005.0),
        ("raised", None, "open", 1000.0),
    ]
    assert store.counts()["alerts"] == 1


def test_alerts_newest_first_with_state_filter(store: Store) -> None:
    store.save_alerts([make_alert(f"a{i}", at=1000.0 + i) for i in range(5)])
    assert [a.alert_id for a in store.alerts()] == ["a4", "a3", "a2", "a1", "a0"]
    assert [a.alert_id for a in store.alerts(limit=2)] == ["a4", "a3"]
    store.ack_alert("a1", "ops", 1010.0)
    assert [a.alert_id for a in store.alerts(state="acknowledged")] == ["a1"]


def test_ack_is_audited_and_only_once(store: Store) -> None:
    store.save_alerts([make_alert()])
    acked = store.ack_alert("zone_entry:7:stadium", "Alice Operator", 1003.5)
    assert acked is not None
    assert (acked.state, acked.acked_by, acked.updated_at) == ("acknowledged", "Alice Operator", 1003.5)
    assert store.alert("zone_entry:7:stadium") == acked
    again = store.ack_alert("zone_entry:7:stadium", "Bob", 1004.0)
    assert again == acked  # not open any more: unchanged, no audit row
    [ack, raised] = store.audit(alert_id="zone_entry:7:stadium")
    assert (ack["change"], ack["by"], ack["at"], ack["from_state"], ack["to_state"]) == (
        "ack", "Alice Operator", 1003.5, "open", "acknowledged")
    assert raised["change"] == "raised" and raised["by"] == "system"
    assert store.ack_alert("no-such-alert", "Alice", 1.0) is None
    # the assessor later echoing the acknowledged alert adds nothing
    assert store.save_alerts([acked]) == 0


def test_reopen_keeps_data(db_url: str) -> None:
    with Store(db_url) as s:
        s.add_frames([Frame(sensor_id="s", received_at=1.0, link="dw-report", data=b"abc")])
        s.save_alerts([make_alert()])
        s.add_tracks([make_track()], at=1000.0)
    with Store(db_url) as again:  # migrations are idempotent
        assert again.counts() == {"frames": 1, "track_snapshots": 1, "alerts": 1, "alert_audit": 1}
        assert again.frames()[0]["sha256"] == hashlib.sha256(b"abc").hexdigest()
        assert again.alert("zone_entry:7:stadium") == make_alert()


def test_threads_write_and_read_concurrently(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(sensor: str) -> None:
        try:
            for i in range(20):
                frame = Frame(sensor_id=sensor, received_at=float(i), link="x", data=b"%d" % i)
                store.add_frames([frame] * 5)
                store.counts()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(f"s{k}",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.counts()["frames"] == 4 * 20 * 5
