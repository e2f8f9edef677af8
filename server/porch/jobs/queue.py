"""Enqueueing jobs in the caller's transaction, and the queue a process's workers serve.

A feature writes its change and its job in one transaction, then wakes the local workers:

    async with services.db.begin() as conn:
        await conn.execute(...)                                # the change
        await enqueue(conn, "email.send", {"message_id": 42})  # the job, same transaction
    services.jobs.notify()                                     # after the commit

If the transaction rolls back there is no job; once it commits, the job runs at least once.
Handlers must be idempotent: a worker killed after a handler's side effect but before the
job was marked done runs it again (docs/jobs.md).
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.db import claims
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.db.upsert import insert_ignore
from porch.jobs.tables import DEAD, QUEUED, RUNNING, jobs

Handler = Callable[[dict[str, Any]], Awaitable[None]]
"""Runs one job from its payload; raising means "try again later" (until the last try)."""
Clock = Callable[[], datetime]
JobObserver = Callable[[str, str, float], None]
"""Told of every handler run in this process: (kind, outcome, seconds), where outcome is
`done`, `retry` (failed, tried again later), `dead` (failed for good) or `returned` (cut
short by a stop: back in the queue, the try not counted). For metrics; must not raise."""

MAX_KIND = 100
MAX_KEY = 200
DEFAULT_MAX_ATTEMPTS = 8


async def enqueue(
    conn: AsyncConnection,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: datetime | None = None,
    key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> None:
    """Add a job in the transaction of `conn` (an `AsyncConnection`, or the SQLite writer's
    connection inside a group-commit job). `payload` must be JSON; `run_at` (aware) delays
    it, for timers. While a job with the same `key` exists (queued, running or dead), this
    adds nothing. Call `JobQueue.notify()` after the commit so local workers start at once.
    """
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"a job kind is 1 to {MAX_KIND} characters: {kind!r}")
    if key is not None and not 0 < len(key) <= MAX_KEY:
        raise ValueError(f"a job key is 1 to {MAX_KEY} characters")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    now = utcnow()
    values = {
        "kind": kind,
        "payload": payload,
        "status": QUEUED,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_at": run_at or now,
        "key": key,
        "created_at": now,
        "updated_at": now,
    }
    await insert_ignore(conn, jobs, values, ["key"])
    await claims.notify(conn)


@dataclass(frozen=True)
class Job:
    """A row of the jobs table, as `porch jobs list` and the panel show it."""

    id: int
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    run_at: datetime
    locked_until: datetime | None
    last_error: str | None
    key: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def failed(self) -> bool:
        """Dead, or waiting to be tried again after an error."""
        return self.status == DEAD or self.last_error is not None


@dataclass(frozen=True)
class QueueStats:
    """For metrics: how much work is waiting and how late it is."""

    due: int
    """Queued jobs whose `run_at` has come: the queue's depth."""
    scheduled: int
    """Queued jobs waiting for a later `run_at` (timers, retries)."""
    running: int
    dead: int
    oldest_due_age: timedelta | None
    """How long the longest-waiting due job has been due (None when none is)."""


@dataclass(frozen=True)
class Backoff:
    """Seconds before try n+1 after try n failed: min(cap, base * 2**n) * jitter, jitter
    uniform in [0.5, 1) so that jobs failing together do not all come back together."""

    base: float = 5.0
    cap: float = 3600.0

    def delay(self, attempts: int, jitter: float) -> timedelta:
        return timedelta(seconds=min(self.cap, self.base * 2.0**attempts) * jitter)


def default_jitter() -> float:
    return random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 32
    """Handlers running at once in this process."""
    lease: timedelta = timedelta(seconds=30)
    """How long a claimed job stays locked; running jobs' leases are renewed every third of
    it, so it only matters when a worker dies: its jobs are retried after this long."""
    poll_interval: float = 1.0
    """Seconds between looks for work that nothing announced (other processes on SQLite,
    timers coming due)."""
    stop_timeout: float = 10.0
    """On stop, how long running handlers may take before they are cancelled and their jobs
    put back in the queue."""
    backoff: Backoff = Backoff()
    jitter: Callable[[], float] = default_jitter


class JobQueue:
    """The handlers this process knows, its workers, and the queue's admin operations."""

    def __init__(
        self, db: Database, now: Clock = utcnow, settings: WorkerSettings | None = None
    ) -> None:
        self.db = db
        self.now = now
        """The clock for due times, leases and backoff; tests move it instead of sleeping."""
        self.settings = settings or WorkerSettings()
        self.handlers: dict[str, Handler] = {}
        self.observers: builtins.list[JobObserver] = []
        """Told how each job run ended (metrics); add before `start`."""
        self._worker: Any = None  # porch.jobs.worker.Worker once started

    def register(self, kind: str, handler: Handler) -> None:
        """Run `handler(payload)` for jobs of `kind` (one handler per kind)."""
        if kind in self.handlers:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        self.handlers[kind] = handler

    @property
    def running(self) -> bool:
        """This process's workers are started and their loop is alive (readiness)."""
        return self._worker is not None and bool(self._worker.alive)

    def notify(self) -> None:
        """Wake this process's workers now: call it after committing an enqueue."""
        if self._worker is not None:
            self._worker.wake()

    async def start(self) -> None:
        """Start this process's workers (an app start-up hook; `porch worker`)."""
        from porch.jobs.worker import Worker

        if self._worker is None:
            self._worker = Worker(self.db, self.handlers, self.now, self.settings, self.observers)
            await self._worker.start()

    async def stop(self) -> None:
        """Let running handlers finish (up to `stop_timeout`), put the rest back, stop."""
        worker, self._worker = self._worker, None
        if worker is not None:
            await worker.stop()

    async def run_due(self) -> int:
        """Run every job due now in this task, without workers (tests, one-off commands);
        how many ran. Expired leases are reclaimed first."""
        from porch.jobs.worker import Worker

        worker = Worker(self.db, self.handlers, self.now, self.settings, self.observers)
        return await worker.run_due()

    async def run_now(self, key: str) -> bool:
        """Run the queued job with this `key` now, in this task, even if it is due later:
        for a caller that waits for its outcome (a flow's first messages, shown at once).
        False when there is none queued (a worker has it, or it is done)."""
        from porch.jobs.worker import Worker

        worker = self._worker or Worker(
            self.db, self.handlers, self.now, self.settings, self.observers
        )
        ran: bool = await worker.run_key(key)
        return ran

    async def get(self, job_id: int) -> Job | None:
        async with self.db.connect() as conn:
            row = (await conn.execute(jobs.select().where(jobs.c.id == job_id))).first()
        return _job(row) if row else None

    async def list(self, failed_only: bool = False, limit: int = 200) -> builtins.list[Job]:
        """Jobs in the table (done ones are gone), newest change first; `failed_only`: the
        dead ones and those waiting to retry after an error."""
        query = jobs.select().order_by(jobs.c.updated_at.desc(), jobs.c.id.desc()).limit(limit)
        if failed_only:
            query = query.where(sa.or_(jobs.c.status == DEAD, jobs.c.last_error.is_not(None)))
        async with self.db.connect() as conn:
            return [_job(row) for row in await conn.execute(query)]

    async def retry(self, job_id: int) -> bool:
        """Queue a dead (or waiting) job to run now, with its tries counted afresh; False
        when there is no such job or it is running."""
        now = self.now()
        async with self.db.begin() as conn:
            changed = await conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.status.in_([DEAD, QUEUED]))
                .values(status=QUEUED, attempts=0, run_at=now, locked_until=None, updated_at=now)
            )
            if changed.rowcount:
                await claims.notify(conn)
        self.notify()
        return bool(changed.rowcount)

    async def stats(self) -> QueueStats:
        now = self.now()
        due = sa.and_(jobs.c.status == QUEUED, jobs.c.run_at <= now)
        query = sa.select(
            _count(due),
            _count(sa.and_(jobs.c.status == QUEUED, jobs.c.run_at > now)),
            _count(jobs.c.status == RUNNING),
            _count(jobs.c.status == DEAD),
            sa.func.min(sa.case((due, jobs.c.run_at))),
        )
        async with self.db.connect() as conn:
            due_count, scheduled, running, dead, oldest = (await conn.execute(query)).one()
        return QueueStats(
            due=due_count,
            scheduled=scheduled,
            running=running,
            dead=dead,
            oldest_due_age=now - oldest if oldest else None,
        )

    async def depth(self) -> int:
        """Jobs due and not yet started."""
        return (await self.stats()).due

    async def oldest_age(self) -> timedelta | None:
        """How long the longest-waiting due job has been due."""
        return (await self.stats()).oldest_due_age


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _job(row: sa.Row[Any]) -> Job:
    return Job(**row._mapping)
