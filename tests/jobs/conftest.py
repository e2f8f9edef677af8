"""Fixtures for the jobs tests: a database on each backend, a clock tests can move, and
job queues (each with its own engine, as separate processes have) stopped afterwards."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest

from porch.db.engine import Database
from porch.jobs.queue import JobQueue, WorkerSettings
from porch.jobs.tables import jobs

WAIT = 30.0
"""Longest a test waits for something that should happen much sooner (a hang guard)."""


class MovableClock:
    """Real time plus an offset that tests move forward, instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class MakeQueue(Protocol):
    def __call__(self, clock: Callable[[], datetime] = ..., **settings: Any) -> JobQueue: ...


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def make_queue(database_url: str, clock: MovableClock) -> AsyncIterator[MakeQueue]:
    """`make_queue(**settings)`: a JobQueue on its own engine; stopped and disposed after."""
    queues: list[JobQueue] = []

    def make(clock: Callable[[], datetime] = clock, **settings: Any) -> JobQueue:
        queue = JobQueue(Database(database_url), now=clock, settings=WorkerSettings(**settings))
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        await queue.stop()
        await queue.db.dispose()


@pytest.fixture
def queue(make_queue: MakeQueue) -> JobQueue:
    return make_queue()


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `check` until it holds; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.01)


async def rows(db: Database) -> list[Any]:
    async with db.connect() as conn:
        return list(await conn.execute(jobs.select().order_by(jobs.c.id)))
