"""One thread with a plain `sqlite3` connection, for batches of writes on SQLite.

Through aiosqlite every statement is several hops between the event loop and aiosqlite's
thread (cursor, execute, fetch, close), each a future resolved across threads. On the
message path that cost more than SQLite itself (docs/performance.md). Here a whole batch
crosses once: the loop hands the batch to this thread, which runs every statement and
the commit on its own connection and hands back the results.

The batch's jobs are the same coroutines that run on an `AsyncConnection` elsewhere. In
this thread they get a `BlockingConnection`, whose methods never suspend, so each job
runs to completion in one `send()`; a job that awaits anything else is a programming
error and fails loudly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")
Job = Callable[[AsyncConnection], Coroutine[Any, Any, Any]]
"""A write: a coroutine function given the connection of the transaction it runs in."""


class BlockingConnection:
    """The part of `AsyncConnection` the write jobs use, on a synchronous connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> sa.Dialect:
        return self._conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> sa.CursorResult[Any]:
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.scalar(statement, parameters)

    async def scalars(self, statement: Any, parameters: Any = None) -> sa.ScalarResult[Any]:
        return self._conn.scalars(statement, parameters)


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never suspends (see the module docstring)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise RuntimeError("a write job awaited something other than its connection")


class SqliteWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="porch-sqlite-writer")

    async def run(self, jobs: Sequence[Job]) -> list[Any]:
        """Run `jobs` in order in one transaction in the writer thread; their results.
        Any job raising rolls the whole transaction back and raises here."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._in_transaction, jobs)

    def _in_transaction(self, jobs: Sequence[Job]) -> list[Any]:
        with self.engine.begin() as conn:
            blocking = cast(AsyncConnection, BlockingConnection(conn))
            return [run_to_completion(job(blocking)) for job in jobs]

    def close(self) -> None:
        # sqlite3 connections belong to the thread that opened them: close them there.
        self._thread.submit(self.engine.dispose).result()
        self._thread.shutdown(wait=True)
