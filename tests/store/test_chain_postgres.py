"""The evidence chain on a real PostgreSQL: writers in several threads (each call its own
transaction on a pooled connection) take turns on each chain's head row, so the chain never
forks and `verify` passes; an edit is named there too."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from dronewatch.model import Frame
from dronewatch.store import Store
from dronewatch.store.verify import verify
from factories import make_alert, make_track
from realparts import PostgresCluster


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    cluster = PostgresCluster().init().start()
    try:
        yield cluster.create_db("chain").replace("postgresql://", "postgresql+psycopg://")
    finally:
        cluster.remove()


def test_concurrent_writers_on_postgresql_keep_one_chain(pg_url: str) -> None:
    store = Store(pg_url)
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(10):
                store.add_frames([Frame(sensor_id=f"s{k}", received_at=float(i), link="x", data=b"%d" % i)] * 2)
                store.add_tracks([make_track(k, at=1000.0 + i)], at=1000.0 + i)
                store.save_alerts([make_alert(f"A{k}-{i}", at=1000.0 + i)])
                store.act(f"A{k}-{i}", "ack", f"op{k}", "seen", 1000.5 + i)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    heads = store.chain_heads()
    store.close()
    engine = create_engine(pg_url)
    report = verify(engine)
    assert report.ok, report.problems
    assert report.rows == {"frames": 80, "track_snapshots": 40, "alert_audit": 80, "sites": 0}
    assert {name: h["row_hash"] for name, h in heads.items()} == report.heads
    with engine.begin() as conn:
        conn.execute(text("UPDATE alert_audit SET by = 'someone else' WHERE id = 17"))
    [problem] = verify(engine).problems
    assert str(problem) == "alert_audit id=17: content altered: it no longer hashes to the row's content_hash"
    engine.dispose()
