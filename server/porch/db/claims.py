"""Claiming queued rows for workers, and waking workers: the dialect-specific part of jobs.

A claim is one short write: mark up to `limit` due rows as taken and return them. On
PostgreSQL several processes claim at once, so the inner SELECT takes its rows with
`FOR UPDATE SKIP LOCKED` (rows another claim holds are passed over, not waited for). On
SQLite there is one writer at a time, so the same UPDATE … RETURNING is atomic as it is.

PostgreSQL also wakes workers in every process: `notify` in a transaction is delivered
when (and only if) it commits, to each process that `listen`s on its own connection.
SQLite has no such thing; there workers poll, and wake at once for their own process's
work (`JobQueue.notify`).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from functools import cache
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.db.metadata import UTCDateTime

log = logging.getLogger(__name__)

CHANNEL = "porch_jobs"


@cache
def claim_statement(dialect: str, table: sa.Table) -> sa.Update:
    """Take up to `:limit` rows with `status = 'queued'` and `run_at <= :now`, oldest due
    first: they become `running`, leased until `:locked_until`, with one more attempt.
    Returns id, kind, payload, attempts, max_attempts of each."""
    now = sa.bindparam("now", type_=UTCDateTime())
    due = (
        sa.select(table.c.id)
        .where(table.c.status == "queued", table.c.run_at <= now)
        .order_by(table.c.run_at, table.c.id)
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return (
        table.update()
        .where(table.c.id.in_(due.scalar_subquery()))
        .values(
            status="running",
            attempts=table.c.attempts + 1,
            locked_until=sa.bindparam("locked_until", type_=UTCDateTime()),
            updated_at=now,
        )
        .returning(
            table.c.id, table.c.kind, table.c.payload, table.c.attempts, table.c.max_attempts
        )
    )


_NOTIFY = sa.text(f"SELECT pg_notify('{CHANNEL}', '')")


_notified: weakref.WeakSet[Any] = weakref.WeakSet()
"""Transactions (or savepoints) that already notify when they commit."""


async def notify(conn: AsyncConnection) -> None:
    """Wake the listening workers of every process when this transaction commits
    (PostgreSQL; nothing on SQLite). Once per transaction: NOTIFY costs a round trip, and
    PostgreSQL delivers one notification per transaction and channel anyway."""
    if conn.dialect.name != "postgresql":
        return
    sync = conn.sync_connection
    transaction = sync and (sync.get_nested_transaction() or sync.get_transaction())
    if transaction is not None and transaction in _notified:
        return
    await conn.execute(_NOTIFY)
    if transaction is not None:
        _notified.add(transaction)


class Listener:
    """LISTEN on a dedicated asyncpg connection (PostgreSQL only): `on_notify()` for each
    notification. A pooled connection would be taken from the pool for good."""

    def __init__(self, connection: asyncpg.Connection, on_notify: Callable[[], None]) -> None:
        self._connection = connection
        self._on_notify = on_notify

    @classmethod
    async def open(cls, database_url: str, on_notify: Callable[[], None]) -> Listener:
        url = sa.make_url(database_url)
        connection = await asyncpg.connect(
            **url.translate_connect_args(username="user", database="database")
        )
        listener = cls(connection, on_notify)
        await connection.add_listener(CHANNEL, listener._received)
        return listener

    def _received(self, *_args: Any) -> None:
        self._on_notify()

    @property
    def alive(self) -> bool:
        return not self._connection.is_closed()

    async def close(self) -> None:
        try:
            await self._connection.close(timeout=5)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            log.debug("closing the jobs listener failed", exc_info=True)
            self._connection.terminate()
