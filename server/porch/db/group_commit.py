"""Group commit: many small write transactions share one, written by one task at a time.

Every message used to be its own transaction on its own pooled connection. SQLite has one
writer at a time, so concurrent senders queued on its lock (busy waits, "database is
locked"), and with aiosqlite each connection is a thread, each statement a thread hop.
Here writes queue up; one drain task takes up to `MAX_BATCH` of them, runs them in order
in a single transaction and commits once, then hands each caller its own result. On
SQLite the batch runs in the writer thread (`porch.db.sqlite_writer`), one thread hop for
all of it, so a job may await nothing but its connection.

A job that fails must not take the others with it, and must not leave half its writes
behind: when any job in a batch raises, the batch is rolled back and every job runs again
alone, in its own transaction (exactly as without batching). Jobs must therefore be safe
to run twice when the first run was rolled back; they are, since nothing of it was kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.db.engine import Database
from porch.db.sqlite_writer import Job

T = TypeVar("T")
MAX_BATCH = 64


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[Job, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def run(self, job: Callable[[AsyncConnection], Coroutine[Any, Any, T]]) -> T:
        """`await job(conn)` inside a committed transaction (shared with other jobs)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((job, future))
        drainer = self._drainer
        if drainer is None or drainer.done() or drainer.get_loop() is not loop:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            try:
                await self._commit(batch)
            except BaseException as exc:  # cancelled at shutdown: nobody is left waiting
                for _job, future in batch + self._pending:
                    if not future.done():
                        future.set_exception(exc)
                raise

    async def _commit(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        try:
            results = await self._transaction([job for job, _future in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exception=exc)
                return
            for item in batch:  # find the job that failed; keep the others' writes
                await self._commit([item])
            return
        for (_job, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)

    async def _transaction(self, jobs: Sequence[Job]) -> list[Any]:
        if self.db.writer is not None:
            return await self.db.writer.run(jobs)
        async with self.db.begin() as conn:
            return [await job(conn) for job in jobs]


def _settle(
    future: asyncio.Future[Any], result: Any = None, exception: BaseException | None = None
) -> None:
    if future.done():  # the caller gave up waiting; the write stands
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)
