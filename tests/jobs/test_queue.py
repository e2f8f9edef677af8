"""Enqueueing in the caller's transaction, prompt pickup, keys, retries, dead jobs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from porch.jobs.queue import JobQueue, enqueue
from porch.jobs.tables import DEAD, QUEUED
from tests.jobs.conftest import WAIT, MakeQueue, MovableClock, eventually, rows

NEVER = 3600.0
"""A poll interval no test outlives: whatever runs, ran because a worker was woken."""


class Boom(Exception):
    pass


async def test_a_rolled_back_transaction_leaves_no_job(queue: JobQueue) -> None:
    ran: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        ran.append(payload)

    queue.register("test.record", handler)
    with pytest.raises(Boom):
        async with queue.db.begin() as conn:
            await enqueue(conn, "test.record", {"n": 1})
            raise Boom
    assert await rows(queue.db) == []
    assert await queue.run_due() == 0
    assert ran == []


async def test_a_committed_job_wakes_the_local_worker_at_once(make_queue: MakeQueue) -> None:
    queue = make_queue(poll_interval=NEVER)
    started = asyncio.Event()
    seen: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)
        started.set()

    queue.register("test.record", handler)
    await queue.start()
    async with queue.db.begin() as conn:
        await enqueue(conn, "test.record", {"order": 7})
    queue.notify()
    await asyncio.wait_for(started.wait(), WAIT)
    assert seen == [{"order": 7}]
    await eventually(lambda: _empty(queue), "the done job is deleted")


async def test_postgresql_wakes_workers_in_other_processes(
    make_queue: MakeQueue, database_url: str
) -> None:
    """An enqueue committed elsewhere reaches an idle worker through LISTEN/NOTIFY."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no NOTIFY: other processes' jobs are found by polling")
    worker, producer = make_queue(poll_interval=NEVER), make_queue()
    started = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        started.set()

    worker.register("test.record", handler)
    await worker.start()
    async with producer.db.begin() as conn:  # another engine; nobody calls worker.notify()
        await enqueue(conn, "test.record", {})
    await asyncio.wait_for(started.wait(), WAIT)


async def test_a_worker_finds_jobs_committed_elsewhere(
    make_queue: MakeQueue, database_url: str
) -> None:
    worker, producer = make_queue(poll_interval=0.05), make_queue()
    started = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        started.set()

    worker.register("test.record", handler)
    await worker.start()
    async with producer.db.begin() as conn:
        await enqueue(conn, "test.record", {})
    await asyncio.wait_for(started.wait(), WAIT)


async def test_a_key_keeps_one_job_until_it_has_run(queue: JobQueue) -> None:
    ran: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        ran.append(payload)

    queue.register("sla.check", handler)
    for version in (1, 2):
        async with queue.db.begin() as conn:
            await enqueue(conn, "sla.check", {"v": version}, key="ticket:42")
    assert [row.payload for row in await rows(queue.db)] == [{"v": 1}]
    assert await queue.run_due() == 1
    assert ran == [{"v": 1}]
    async with queue.db.begin() as conn:  # done jobs are deleted: the key is free again
        await enqueue(conn, "sla.check", {"v": 3}, key="ticket:42")
    assert await queue.run_due() == 1
    assert ran == [{"v": 1}, {"v": 3}]


async def test_run_at_waits_for_its_time(queue: JobQueue, clock: MovableClock) -> None:
    ran: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        ran.append(payload)

    queue.register("flow.delay", handler)
    async with queue.db.begin() as conn:
        await enqueue(conn, "flow.delay", {}, run_at=clock() + timedelta(minutes=10))
    assert await queue.run_due() == 0
    stats = await queue.stats()
    assert (stats.due, stats.scheduled) == (0, 1)
    clock.advance(timedelta(minutes=10, seconds=1))
    assert await queue.depth() == 1
    assert await queue.run_due() == 1
    assert ran == [{}]


async def test_failures_back_off_exponentially_then_the_job_is_dead(
    queue: JobQueue, clock: MovableClock
) -> None:
    tries = 0

    async def flaky(payload: dict[str, Any]) -> None:
        nonlocal tries
        tries += 1
        raise ConnectionError(f"smtp refused (try {tries})")

    queue.register("email.send", flaky)
    async with queue.db.begin() as conn:
        await enqueue(conn, "email.send", {"to": "a@b.example"}, max_attempts=4)
    base = queue.settings.backoff.base
    for attempt in (1, 2, 3):
        before = clock()
        assert await queue.run_due() == 1
        (job,) = await queue.list()
        assert (job.status, job.attempts) == (QUEUED, attempt)
        assert job.last_error and job.last_error.startswith(
            f"ConnectionError: smtp refused (try {attempt})"
        )
        wait = job.run_at - before
        full = timedelta(seconds=base * 2**attempt)
        assert full * 0.5 <= wait <= full + timedelta(seconds=1), (attempt, wait)
        assert await queue.run_due() == 0  # not before its time
        clock.advance(wait + timedelta(seconds=1))
    assert await queue.run_due() == 1
    (job,) = await queue.list(failed_only=True)
    assert (job.status, job.attempts, tries) == (DEAD, 4, 4)
    clock.advance(timedelta(days=1))
    assert await queue.run_due() == 0  # dead stays dead


async def test_a_kind_without_a_handler_is_dead_at_once_and_says_why(queue: JobQueue) -> None:
    async with queue.db.begin() as conn:
        await enqueue(conn, "bot.reply", {"conversation": 1})
    assert await queue.run_due() == 1
    (job,) = await queue.list(failed_only=True)
    assert job.status == DEAD
    assert job.last_error == "no handler is registered for job kind 'bot.reply'"


async def test_retry_runs_a_dead_job_again(queue: JobQueue) -> None:
    fixed = False
    ran = 0

    async def handler(payload: dict[str, Any]) -> None:
        nonlocal ran
        ran += 1
        if not fixed:
            raise RuntimeError("webhook endpoint answered 500")

    queue.register("webhook.deliver", handler)
    async with queue.db.begin() as conn:
        await enqueue(conn, "webhook.deliver", {}, max_attempts=1)
    await queue.run_due()
    (dead,) = await queue.list(failed_only=True)
    assert dead.status == DEAD
    fixed = True
    assert await queue.retry(dead.id)
    assert not await queue.retry(dead.id + 1000)
    assert await queue.run_due() == 1
    assert ran == 2
    assert await queue.list() == []


async def test_a_payload_that_is_not_json_fails_the_causing_transaction(queue: JobQueue) -> None:
    with pytest.raises(sa.exc.StatementError, match="not JSON serializable"):
        async with queue.db.begin() as conn:
            await enqueue(conn, "test.record", {"when": object()})
    assert await rows(queue.db) == []


async def _empty(queue: JobQueue) -> bool:
    return not await rows(queue.db)
