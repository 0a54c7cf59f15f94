"""``Outbox``: the durable queue of one webhook endpoint, in the store's ``webhook_outbox``.

A message is written (``add``) before any attempt to send it, so a receiver that is down, or a
process that stops, loses nothing: the next process with the same endpoint sends what is still
``pending``. Each message keeps its ``webhook_id`` through every retry. Times are wall clock.
``add`` gives the new rows' ids, so a sender can post what it just wrote from memory and mark
it ``delivered`` later, several in one transaction (``delivered_many``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from dronewatch.store.store import Store
from dronewatch.store.tables import webhook_outbox as wo


class Outbox:
    def __init__(self, store: Store, endpoint: str) -> None:
        self.engine = store.engine
        self.endpoint = endpoint

    def add(self, messages: Sequence[tuple[str, str, str | None, str]], now: float) -> list[int]:
        """Keep ``(webhook_id, event_type, alert_id, body)`` messages, due now; their row ids, in order."""
        if not messages:
            return []
        rows = [{"endpoint": self.endpoint, "webhook_id": wid, "event_type": typ, "alert_id": aid, "body": body,
                 "created_at": now, "status": "pending", "attempts": 0, "next_at": now}
                for wid, typ, aid, body in messages]
        with self.engine.begin() as conn:
            got = conn.execute(insert(wo).returning(wo.c.id, sort_by_parameter_order=True), rows)
            return [int(r[0]) for r in got]

    def due(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        """Pending messages whose time has come, oldest first."""
        q = (select(wo.c.id, wo.c.webhook_id, wo.c.event_type, wo.c.body, wo.c.attempts)
             .where(wo.c.endpoint == self.endpoint, wo.c.status == "pending", wo.c.next_at <= now)
             .order_by(wo.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def delivered_many(self, marks: Sequence[tuple[int, int, float]]) -> None:
        """``(row id, attempts, delivered at)`` for several messages, in one transaction."""
        if not marks:
            return
        stmt = (update(wo).where(wo.c.id == bindparam("row_id"))
                .values(status="delivered", attempts=bindparam("n"), delivered_at=bindparam("at"), last_error=None))
        with self.engine.begin() as conn:
            conn.execute(stmt, [{"row_id": i, "n": n, "at": at} for i, n, at in marks])

    def failed(self, row_id: int, attempts: int, next_at: float | None, error: str) -> None:
        """A failed attempt: try again at ``next_at``, or give up (status ``failed``) if None."""
        values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000]}
        values |= {"next_at": next_at} if next_at is not None else {"status": "failed"}
        with self.engine.begin() as conn:
            conn.execute(update(wo).where(wo.c.id == row_id).values(values))

    def hold(self, until: float) -> None:
        """Nothing pending goes before ``until`` (the endpoint is down)."""
        with self.engine.begin() as conn:
            conn.execute(update(wo).where(wo.c.endpoint == self.endpoint, wo.c.status == "pending",
                                          wo.c.next_at < until).values(next_at=until))

    def counts(self) -> dict[str, int]:
        """Messages of this endpoint by status."""
        q = select(wo.c.status, func.count()).where(wo.c.endpoint == self.endpoint).group_by(wo.c.status)
        with self.engine.connect() as conn:
            return {str(status): int(n) for status, n in conn.execute(q)}

    def rows(self) -> list[dict[str, Any]]:
        """Every message of this endpoint, oldest first (for inspection and tests)."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(wo).where(wo.c.endpoint == self.endpoint).order_by(wo.c.id))]
