"""Workers: several never run one job at once, leases survive long handlers and expire
for dead workers, and stopping finishes or puts back what is running."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from porch.jobs.queue import JobQueue, enqueue
from porch.jobs.tables import DEAD, QUEUED, RUNNING, jobs
from porch.jobs.worker import LEASE_EXPIRED
from tests.jobs.conftest import WAIT, MakeQueue, MovableClock, eventually, rows

JOBS = 200


async def test_two_workers_run_each_job_exactly_once_never_together(
    make_queue: MakeQueue,
) -> None:
    first, second = make_queue(concurrency=8), make_queue(concurrency=8)
    runs: Counter[int] = Counter()
    running: set[int] = set()
    overlaps: list[int] = []

    async def record(payload: dict[str, Any]) -> None:
        n = payload["n"]
        if n in running:
            overlaps.append(n)
        running.add(n)
        await asyncio.sleep(0.001)  # let the other worker's claims interleave
        running.discard(n)
        runs[n] += 1

    for queue in (first, second):
        queue.register("test.record", record)
        await queue.start()
    for chunk in range(0, JOBS, 50):  # four producer transactions
        async with first.db.begin() as conn:
            for n in range(chunk, chunk + 50):
                await enqueue(conn, "test.record", {"n": n})
        first.notify()
        second.notify()
    await eventually(lambda: _all_done(first), "every job is done")
    assert overlaps == []
    assert runs == Counter(range(JOBS))


async def test_a_dead_workers_jobs_are_reclaimed_when_the_lease_expires(
    queue: JobQueue, clock: MovableClock
) -> None:
    ran: list[int] = []

    async def record(payload: dict[str, Any]) -> None:
        ran.append(payload["n"])

    queue.register("test.record", record)
    now = clock()
    async with queue.db.begin() as conn:  # as a killed worker leaves them
        for n, attempts in ((1, 1), (2, 8)):
            await conn.execute(
                jobs.insert().values(
                    kind="test.record",
                    payload={"n": n},
                    status=RUNNING,
                    attempts=attempts,
                    max_attempts=8,
                    run_at=now,
                    locked_until=now + queue.settings.lease,
                    created_at=now,
                    updated_at=now,
                )
            )
    assert await queue.run_due() == 0  # leased: someone may still be on it
    clock.advance(queue.settings.lease + timedelta(seconds=1))
    assert await queue.run_due() == 1
    assert ran == [1]
    (dead,) = await queue.list()
    assert (dead.payload, dead.status, dead.last_error) == ({"n": 2}, DEAD, LEASE_EXPIRED)


async def test_a_long_handler_keeps_its_lease(make_queue: MakeQueue, clock: MovableClock) -> None:
    """The running worker renews the lease; another worker's sweep leaves the job alone."""
    worker = make_queue(lease=timedelta(seconds=1.5))  # renewed every 0.5 s
    other = make_queue()
    started, finish = asyncio.Event(), asyncio.Event()

    async def slow(payload: dict[str, Any]) -> None:
        started.set()
        await finish.wait()

    worker.register("bot.reply", slow)
    other.register("bot.reply", slow)
    await worker.start()
    async with worker.db.begin() as conn:
        await enqueue(conn, "bot.reply", {})
    worker.notify()
    await asyncio.wait_for(started.wait(), WAIT)
    clock.advance(timedelta(hours=1))
    later = clock()
    await eventually(lambda: _leased_past(worker, later), "the lease is renewed")
    assert await asyncio.wait_for(other.run_due(), WAIT) == 0  # not reclaimed
    finish.set()
    await eventually(lambda: _all_done(worker), "the job is done")


async def test_stopping_waits_for_a_running_job_to_finish(make_queue: MakeQueue) -> None:
    queue = make_queue(stop_timeout=WAIT)
    started, finish = asyncio.Event(), asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        started.set()
        await finish.wait()

    queue.register("test.record", handler)
    await queue.start()
    async with queue.db.begin() as conn:
        await enqueue(conn, "test.record", {})
    queue.notify()
    await asyncio.wait_for(started.wait(), WAIT)
    stopping = asyncio.create_task(queue.stop())
    await asyncio.sleep(0)  # stop has begun: no more claims, the job still running
    assert not stopping.done()
    finish.set()
    await asyncio.wait_for(stopping, WAIT)
    assert await rows(queue.db) == []  # done, not put back


async def test_stopping_puts_a_job_that_runs_too_long_back_in_the_queue(
    make_queue: MakeQueue,
) -> None:
    queue = make_queue(stop_timeout=0.1)
    started, never = asyncio.Event(), asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        started.set()
        await never.wait()

    queue.register("test.record", handler)
    await queue.start()
    async with queue.db.begin() as conn:
        await enqueue(conn, "test.record", {"n": 1})
    queue.notify()
    await asyncio.wait_for(started.wait(), WAIT)
    await queue.stop()
    (left,) = await rows(queue.db)
    assert (left.payload, left.status, left.attempts, left.locked_until) == (
        {"n": 1},
        QUEUED,
        0,  # the interrupted try does not count
        None,
    )


async def test_stats_count_the_queue(queue: JobQueue, clock: MovableClock) -> None:
    async with queue.db.begin() as conn:
        await enqueue(conn, "a", {}, run_at=clock() - timedelta(minutes=5))
        await enqueue(conn, "a", {})
        await enqueue(conn, "a", {}, run_at=clock() + timedelta(hours=1))
    stats = await queue.stats()
    assert (stats.due, stats.scheduled, stats.running, stats.dead) == (2, 1, 0, 0)
    assert stats.oldest_due_age is not None
    assert stats.oldest_due_age >= timedelta(minutes=5)
    assert await queue.depth() == 2


async def _all_done(queue: JobQueue) -> bool:
    return not await rows(queue.db)


async def _leased_past(queue: JobQueue, moment: Any) -> bool:
    async with queue.db.connect() as conn:
        until = await conn.scalar(sa.select(jobs.c.locked_until))
    return until is not None and until > moment
