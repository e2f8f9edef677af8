"""Engine creation: the only place that knows about dialect quirks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from porch.db.sqlite_writer import SqliteWriter


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_writer(url: str) -> SqliteWriter | None:
    """The same SQLite file through plain (blocking) sqlite3, for the writer thread; None
    for other databases, and for an in-memory one (a second connection is another one)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    engine = sa.create_engine(parsed.set(drivername="sqlite"), pool_size=1)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return SqliteWriter(engine)


class Database:
    """A thin handle on the engine: `async with db.begin() as conn` for one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.writer = _sqlite_writer(url)
        """SQLite only: batches of writes in one thread hop (see `porch.db.sqlite_writer`)."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        if self.writer is not None:
            await asyncio.to_thread(self.writer.close)
        await self.engine.dispose()
