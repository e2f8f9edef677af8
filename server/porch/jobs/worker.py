"""The worker loop: claim due jobs, run their handlers, record how each went.

One loop per process claims small batches (one short write: `porch.db.claims`) while it has
free slots, runs each handler in its own task, and records the outcome through group
commit, so that a burst of finished jobs costs one transaction, not one each: done jobs
are deleted, failed ones come back after a backoff, or go dead after their last try. A
job of a kind nobody registered goes dead at once, with that as its error.

Leases: a claimed job is locked until `locked_until`; the loop renews the leases of the
jobs it runs every third of the lease, and every process puts jobs whose lease ran out
(their worker died) back in the queue. Every write about a job names the attempt it
claimed (`attempts`), so a worker that lost its lease cannot touch the job's next claim.

The loop wakes when told (`wake`: an enqueue in this process, a NOTIFY on PostgreSQL, a
slot freed while there is more to do) and otherwise polls every `poll_interval`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.db import claims
from porch.db.engine import Database
from porch.db.group_commit import GroupCommit
from porch.db.metadata import UTCDateTime
from porch.jobs.queue import Clock, Handler, JobObserver, WorkerSettings
from porch.jobs.tables import DEAD, QUEUED, RUNNING, jobs

log = logging.getLogger(__name__)

Write = Callable[[AsyncConnection], Coroutine[Any, Any, Any]]
MAX_ERROR = 4000
LEASE_EXPIRED = "the worker running it stopped before it finished (its lease expired)"


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    """This claim's attempt number: it fences every write about the job."""
    max_attempts: int


# Built once with bound parameters: these run for every job.
_FENCE = sa.and_(
    jobs.c.id == sa.bindparam("job_id"),
    jobs.c.attempts == sa.bindparam("claimed_attempt"),
    jobs.c.status == RUNNING,
)
_ERROR = sa.bindparam("error", type_=sa.Text())
_CHANGED_AT = sa.bindparam("changed_at", type_=UTCDateTime())
_RETRY = (
    jobs.update()
    .where(_FENCE)
    .values(
        status=QUEUED,
        locked_until=None,
        run_at=sa.bindparam("retry_at", type_=UTCDateTime()),
        last_error=_ERROR,
        updated_at=_CHANGED_AT,
    )
)
_DEAD = (
    jobs.update()
    .where(_FENCE)
    .values(status=DEAD, locked_until=None, last_error=_ERROR, updated_at=_CHANGED_AT)
)
_RELEASE = (  # stopping: this try did not happen
    jobs.update()
    .where(_FENCE)
    .values(status=QUEUED, locked_until=None, attempts=jobs.c.attempts - 1, updated_at=_CHANGED_AT)
)
_NOW = sa.bindparam("now", type_=UTCDateTime())
_CLAIM_KEY = (  # one row: no SKIP LOCKED needed, a concurrent claim finds it running
    jobs.update()
    .where(jobs.c.key == sa.bindparam("job_key"), jobs.c.status == QUEUED)
    .values(
        status=RUNNING,
        attempts=jobs.c.attempts + 1,
        locked_until=sa.bindparam("locked_until", type_=UTCDateTime()),
        updated_at=_NOW,
    )
    .returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts, jobs.c.max_attempts)
)
_SWEEP = (
    jobs.update()
    .where(jobs.c.status == RUNNING, jobs.c.locked_until < _NOW)
    .values(
        status=sa.case((jobs.c.attempts >= jobs.c.max_attempts, DEAD), else_=QUEUED),
        run_at=_NOW,
        locked_until=None,
        last_error=LEASE_EXPIRED,
        updated_at=_NOW,
    )
)


class Worker:
    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        now: Clock,
        settings: WorkerSettings,
        observers: Sequence[JobObserver] = (),
    ) -> None:
        self.db = db
        self.handlers = handlers
        self.now = now
        self.settings = settings
        self.observers = observers
        self._group = GroupCommit(db)
        self._wake = asyncio.Event()
        self._running: dict[asyncio.Task[None], Claimed] = {}
        self._done: list[tuple[Claimed, asyncio.Future[None]]] = []
        self._deleter: asyncio.Task[None] | None = None
        self._more = False
        """The last claim filled every free slot: there may be more due work."""
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._listener: claims.Listener | None = None
        lease = settings.lease.total_seconds()
        self._sweep_every = min(5.0, lease / 2)
        self._renew_every = lease / 3
        self._refill = max(1, settings.concurrency // 4)

    def wake(self) -> None:
        self._wake.set()

    @property
    def alive(self) -> bool:
        """Started, not stopping, and the claim loop has not died."""
        return self._loop is not None and not self._loop.done() and not self._stopping

    async def start(self) -> None:
        await self._listen()
        self._loop = asyncio.create_task(self._run(), name="porch-jobs-worker")
        self._heartbeat = asyncio.create_task(self._renew_leases(), name="porch-jobs-leases")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            await self._loop
        running = dict(self._running)
        if running:
            _done, late = await asyncio.wait(running, timeout=self.settings.stop_timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                log.warning("stopping: %d running jobs put back in the queue", len(late))
                await self._record(self._release(running[task]) for task in late)
                for task in late:
                    self._observe(running[task].kind, "returned", 0.0)
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._listener is not None:
            await self._listener.close()

    async def run_due(self) -> int:
        """Reclaim expired leases, then claim and run due jobs until none is left."""
        await self._sweep()
        ran = 0
        while claimed := await self._claim(self.settings.concurrency):
            await asyncio.gather(*(self._execute(job) for job in claimed))
            ran += len(claimed)
        return ran

    async def run_key(self, key: str) -> bool:
        """Claim the queued job with this key (due or not) and run it in this task; False
        when there is none (a worker took it, or it ran). Its lease is not renewed: for
        short jobs a caller waits on, like a flow's next step."""
        now = self.now()
        params = {"job_key": key, "now": now, "locked_until": now + self.settings.lease}

        async def claim(conn: AsyncConnection) -> list[Claimed]:
            return [Claimed(*row) for row in await conn.execute(_CLAIM_KEY, params)]

        claimed = await self._group.run(claim)
        for job in claimed:
            await self._execute(job)
        return bool(claimed)

    async def _run(self) -> None:
        next_sweep = 0.0
        while not self._stopping:
            self._wake.clear()  # a wake from here on means: look again
            try:
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self._sweep_every
                    await self._sweep()
                    await self._listen()
                free = self.settings.concurrency - len(self._running)
                if free > 0:
                    claimed = await self._claim(free)
                    self._more = len(claimed) == free
                    for job in claimed:
                        self._spawn(job)
            except Exception:
                log.exception(
                    "claiming jobs failed; trying again in %ss", self.settings.poll_interval
                )
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval)

    async def _listen(self) -> None:
        """On PostgreSQL, (re)open the LISTEN connection; polling covers while it is down."""
        if self.db.dialect != "postgresql" or (self._listener and self._listener.alive):
            return
        try:
            self._listener = await claims.Listener.open(self.db.url, self.wake)
        except Exception as exc:
            log.warning("cannot listen for new jobs (%s); polling instead", exc)
            self._listener = None

    async def _claim(self, limit: int) -> list[Claimed]:
        now = self.now()
        statement = claims.claim_statement(self.db.dialect, jobs)
        params = {"now": now, "locked_until": now + self.settings.lease, "limit": limit}

        async def claim(conn: AsyncConnection) -> list[Claimed]:
            return [Claimed(*row) for row in await conn.execute(statement, params)]

        return await self._group.run(claim)

    def _spawn(self, job: Claimed) -> None:
        task = asyncio.create_task(self._execute(job), name=f"porch-job-{job.id}")
        self._running[task] = job
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        if self._more and self.settings.concurrency - len(self._running) >= self._refill:
            self._wake.set()

    async def _execute(self, job: Claimed) -> None:
        outcome = await self._call(job)
        try:
            await (self._delete(job) if outcome is None else self._group.run(outcome))
        except Exception:
            log.exception("recording job %s failed; it runs again when its lease expires", job.id)

    async def _delete(self, job: Claimed) -> None:
        """Delete a done job, in one statement with the others done meanwhile."""
        future = asyncio.get_running_loop().create_future()
        self._done.append((job, future))
        if self._deleter is None or self._deleter.done():
            self._deleter = asyncio.create_task(self._delete_done())
        await future

    async def _delete_done(self) -> None:
        while self._done:
            batch, self._done = self._done, []
            statement = jobs.delete().where(_claimed([job for job, _ in batch]))

            async def delete(conn: AsyncConnection, statement: sa.Executable = statement) -> None:
                await conn.execute(statement)

            try:
                await self._group.run(delete)
            except Exception as exc:
                for _job, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _job, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def _call(self, job: Claimed) -> Write | None:
        """Run the job's handler; the write that records how it went (None: done)."""
        handler = self.handlers.get(job.kind)
        if handler is None:
            log.error("job %s: no handler for kind %r; marked dead", job.id, job.kind)
            self._observe(job.kind, "dead", 0.0)
            return self._dead(job, f"no handler is registered for job kind {job.kind!r}")
        started = time.monotonic()
        try:
            await handler(job.payload)
        except Exception as exc:
            last = job.attempts >= job.max_attempts
            self._observe(job.kind, "dead" if last else "retry", time.monotonic() - started)
            log.warning(
                "job %s (%s) failed on try %d of %d%s",
                job.id,
                job.kind,
                job.attempts,
                job.max_attempts,
                "; marked dead" if last else "",
                exc_info=True,
            )
            return self._dead(job, _describe(exc)) if last else self._retry(job, _describe(exc))
        self._observe(job.kind, "done", time.monotonic() - started)
        return None

    def _observe(self, kind: str, outcome: str, seconds: float) -> None:
        for observer in self.observers:
            try:
                observer(kind, outcome, seconds)
            except Exception:
                log.exception("job observer %r failed", observer)

    def _retry(self, job: Claimed, error: str) -> Write:
        now = self.now()
        delay = self.settings.backoff.delay(job.attempts, self.settings.jitter())
        return self._write(_RETRY, job, retry_at=now + delay, error=error, changed_at=now)

    def _dead(self, job: Claimed, error: str) -> Write:
        return self._write(_DEAD, job, error=error, changed_at=self.now())

    def _release(self, job: Claimed) -> Write:
        return self._write(_RELEASE, job, changed_at=self.now())

    @staticmethod
    def _write(statement: sa.Executable, job: Claimed, **values: Any) -> Write:
        params = {"job_id": job.id, "claimed_attempt": job.attempts, **values}

        async def write(conn: AsyncConnection) -> None:
            await conn.execute(statement, params)

        return write

    async def _record(self, writes: Iterable[Write]) -> None:
        results = await asyncio.gather(
            *(self._group.run(write) for write in writes), return_exceptions=True
        )
        for result in results:
            if isinstance(result, Exception):
                log.error("recording a job failed: %s", result)

    async def _sweep(self) -> None:
        """Put jobs whose worker died back in the queue (dead if that was their last try)."""
        params = {"now": self.now()}

        async def sweep(conn: AsyncConnection) -> int:
            return (await conn.execute(_SWEEP, params)).rowcount

        reclaimed = await self._group.run(sweep)
        if reclaimed:
            log.warning("%d jobs whose worker stopped are queued again", reclaimed)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self._renew_every)
            running = list(self._running.values())
            if not running:
                continue
            statement = (
                jobs.update()
                .where(_claimed(running))
                .values(locked_until=self.now() + self.settings.lease)
            )

            async def renew(conn: AsyncConnection, statement: sa.Executable = statement) -> None:
                await conn.execute(statement)

            try:
                await self._group.run(renew)
            except Exception:
                log.exception("renewing the leases of running jobs failed")


def _claimed(taken: list[Claimed]) -> sa.ColumnElement[bool]:
    """These jobs, still as they were claimed (the fence of `_FENCE`, for many at once)."""
    pairs = [(job.id, job.attempts) for job in taken]
    return sa.and_(sa.tuple_(jobs.c.id, jobs.c.attempts).in_(pairs), jobs.c.status == RUNNING)


def _describe(exc: BaseException) -> str:
    """The error as the panel and `porch jobs list` show it: a summary line, then the
    traceback (cut to its last part)."""
    summary = f"{type(exc).__name__}: {exc}"
    trace = "".join(traceback.format_exception(exc))
    return (summary + "\n\n" + trace[-(MAX_ERROR - len(summary) - 2) :])[:MAX_ERROR]
