"""Background jobs per second, enqueued and done, and pickup latency, on SQLite and PostgreSQL.

In process, as a server runs jobs: a `JobQueue` with its workers started, and a handler that
notes when it starts. Pickup latency is from an enqueue's commit to its handler's start.
Each backend runs these phases, each bounded by its count (and --seconds, DRAIN_SECONDS):

- idle: --idle-jobs jobs, each enqueued in its own transaction (`db.begin()`) then
  `JobQueue.notify()`, the next one 10 ms after the previous has started (a quiet server);
- other process: --remote-jobs jobs committed through a second engine that tells nobody,
  as another process would: LISTEN/NOTIFY wakes the worker on PostgreSQL, its 1 s poll on
  SQLite;
- throughput: --producers tasks each enqueue one job per transaction through group commit
  (as the message path writes) and notify, until --jobs are enqueued or --seconds pass,
  while the workers run them; jobs/s counts from the first enqueue until the last job is
  done (its row deleted). Producers outrun workers here, so its latencies are queueing;
- backlog: --backlog jobs inserted in one transaction, then run: the workers alone;
- under message load (--load-seconds, 0 skips): a real `porch serve` process kept busy by
  bench.messages' load generator (--load-connections visitors, saturation then paced),
  while this process queues probe jobs that the server's workers run; the figure is the
  round trip from the commit until this process sees the job done. SQLite servers find
  other processes' jobs by polling, so there it shows the poll interval.

PostgreSQL uses a fresh database on 127.0.0.1:5432 (`PORCH_TEST_PG` to point elsewhere)
and is reported as skipped when unreachable.

    .venv/bin/python -m bench.jobs --jobs 20000 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.support.databases import (
    drop_postgres_database,
    postgres_database,
    postgres_unavailable_reason,
)
from tests.support.live_server import free_port

from bench import messages
from bench.harness import emit_result, note, percentile, porch_server, rounded
from bench.seed import bench_config, seed
from porch.config import sqlite_url
from porch.db.engine import Database
from porch.db.group_commit import GroupCommit
from porch.db.migrate import upgrade
from porch.jobs.builtin import round_trip
from porch.jobs.queue import JobQueue, WorkerSettings, enqueue
from porch.jobs.tables import jobs

KIND = "bench.record"
DRAIN_SECONDS = 30.0
"""After the producers stop, how long the workers get to finish what was enqueued."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20000, help="throughput phase, at most")
    parser.add_argument("--seconds", type=float, default=20, help="throughput phase, at most")
    parser.add_argument("--producers", type=int, default=16, help="concurrent enqueuers")
    parser.add_argument("--idle-jobs", type=int, default=300, help="idle phase, one at a time")
    parser.add_argument("--remote-jobs", type=int, default=20, help="other-process phase")
    parser.add_argument("--backlog", type=int, default=20000, help="backlog phase, jobs")
    parser.add_argument(
        "--load-seconds", type=float, default=10, help="message load phases (0: skip)"
    )
    parser.add_argument("--load-connections", type=int, default=200, help="message load")
    parser.add_argument("--load-probes", type=int, default=300, help="under load, at most")
    parser.add_argument("--concurrency", type=int, default=32, help="handlers at once")
    return parser.parse_args()


class Recorder:
    """The handler: when each job (payload `n`) started, and a wake-up for whoever waits."""

    def __init__(self) -> None:
        self.committed: dict[int, float] = {}
        self.started: dict[int, float] = {}
        self.changed = asyncio.Event()

    async def handle(self, payload: dict[str, Any]) -> None:
        self.started.setdefault(payload["n"], time.perf_counter())
        self.changed.set()

    async def wait_for(self, numbers: range, timeout: float) -> bool:
        """Until every job in `numbers` has started; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        waiting = iter(numbers)
        n = next(waiting, None)
        while n is not None:
            if n in self.started:  # jobs start about in order: look at each number once
                n = next(waiting, None)
                continue
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return False
        return True

    def latencies_ms(self, numbers: range) -> list[float]:
        # A handler can start before its producer resumes after the commit: that is 0.
        return [
            max(0.0, self.started[n] - self.committed[n]) * 1000
            for n in numbers
            if n in self.started and n in self.committed
        ]


def latency_figures(latencies: list[float], sent: int) -> dict[str, Any]:
    return {
        "jobs": sent,
        "picked_up": len(latencies),
        "p50_ms": rounded(percentile(latencies, 0.50)),
        "p99_ms": rounded(percentile(latencies, 0.99)),
        "max_ms": rounded(max(latencies, default=None)) if latencies else None,
    }


async def idle(queue: JobQueue, recorder: Recorder, first: int, count: int) -> dict[str, Any]:
    for n in range(first, first + count):
        async with queue.db.begin() as conn:
            await enqueue(conn, KIND, {"n": n})
        recorder.committed[n] = time.perf_counter()
        queue.notify()
        if not await recorder.wait_for(range(n, n + 1), timeout=10):
            break
        await asyncio.sleep(0.01)  # the worker records the job done and goes idle
    return latency_figures(recorder.latencies_ms(range(first, first + count)), count)


async def remote(url: str, recorder: Recorder, first: int, count: int) -> dict[str, Any]:
    other = Database(url)  # another engine, and no notify(): as another process enqueues
    try:
        for n in range(first, first + count):
            async with other.begin() as conn:
                await enqueue(conn, KIND, {"n": n})
            recorder.committed[n] = time.perf_counter()
            if not await recorder.wait_for(range(n, n + 1), timeout=10):
                break
    finally:
        await other.dispose()
    return latency_figures(recorder.latencies_ms(range(first, first + count)), count)


async def throughput(
    queue: JobQueue, recorder: Recorder, first: int, args: argparse.Namespace
) -> dict[str, Any]:
    group = GroupCommit(queue.db)
    budget = [args.jobs]
    next_n = [first]
    deadline = time.monotonic() + args.seconds

    async def producer() -> None:
        while budget[0] > 0 and time.monotonic() < deadline:
            budget[0] -= 1
            n = next_n[0]
            next_n[0] += 1

            async def write(conn: Any, n: int = n) -> None:
                await enqueue(conn, KIND, {"n": n})

            await group.run(write)
            recorder.committed[n] = time.perf_counter()
            queue.notify()

    started = time.perf_counter()
    await asyncio.gather(*(producer() for _ in range(args.producers)))
    enqueued_s = time.perf_counter() - started
    sent = next_n[0] - first
    await recorder.wait_for(range(first, first + sent), DRAIN_SECONDS)
    drained = await wait_until_empty(queue.db, DRAIN_SECONDS)
    elapsed = time.perf_counter() - started
    done = _started_in(recorder, first)
    return {
        **latency_figures(recorder.latencies_ms(range(first, first + sent)), sent),
        "enqueued_per_s": round(sent / enqueued_s, 1),
        "done": done,
        "all_done": drained and done == sent,
        "seconds": round(elapsed, 2),
        "jobs_per_s": round(done / elapsed, 1),
    }


async def backlog(queue: JobQueue, recorder: Recorder, first: int, count: int) -> dict[str, Any]:
    """`count` jobs committed in one bulk insert, then run: what the workers alone manage."""
    now = datetime.now(UTC)
    row = {"kind": KIND, "status": "queued", "attempts": 0, "max_attempts": 8}
    row |= {"run_at": now, "created_at": now, "updated_at": now}
    async with queue.db.begin() as conn:
        await conn.execute(
            jobs.insert(), [{**row, "payload": {"n": n}} for n in range(first, first + count)]
        )
    started = time.perf_counter()
    queue.notify()
    await recorder.wait_for(range(first, first + count), DRAIN_SECONDS)
    drained = await wait_until_empty(queue.db, DRAIN_SECONDS)
    elapsed = time.perf_counter() - started
    done = _started_in(recorder, first)
    return {
        "jobs": count,
        "done": done,
        "all_done": drained and done == count,
        "seconds": round(elapsed, 2),
        "jobs_per_s": round(done / elapsed, 1),
    }


def _started_in(recorder: Recorder, first: int) -> int:
    return sum(1 for n in recorder.started if n >= first)


async def wait_until_empty(db: Database, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.connect() as conn:
            if not await conn.scalar(sa.select(sa.func.count()).select_from(jobs)):
                return True
        await asyncio.sleep(0.005)
    return False


async def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, url)
    queue = JobQueue(Database(url), settings=WorkerSettings(concurrency=args.concurrency))
    recorder = Recorder()
    queue.register(KIND, recorder.handle)
    await queue.start()
    try:
        note(f"{queue.db.dialect}: idle pickup, {args.idle_jobs} jobs")
        quiet = await idle(queue, recorder, 0, args.idle_jobs)
        note(f"{queue.db.dialect}: pickup from another process, {args.remote_jobs} jobs")
        other = await remote(url, recorder, args.idle_jobs, args.remote_jobs)
        note(f"{queue.db.dialect}: throughput, {args.producers} producers, {args.jobs} jobs")
        first = args.idle_jobs + args.remote_jobs
        busy = await throughput(queue, recorder, first, args)
        note(f"{queue.db.dialect}: running a backlog of {args.backlog} jobs")
        behind = await backlog(queue, recorder, first + args.jobs, args.backlog)
    finally:
        await queue.stop()
        await queue.db.dispose()
    return {"idle": quiet, "other_process": other, "throughput": busy, "backlog": behind}


def under_load(url: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Probe jobs queued from here and run by a `porch serve` process, while bench.messages'
    load generator keeps that server busy: round trip from the commit until this process
    sees the job done (polled every millisecond). From another process: NOTIFY wakes the
    server's workers on PostgreSQL, their poll on SQLite."""
    config = bench_config(data, url)
    seeded = asyncio.run(seed(config, args.load_connections, operators=1, conversations=True))
    load_args = argparse.Namespace(
        connections=args.load_connections,
        rate=args.load_connections,  # one message a second each: their rate limit's pace
        seconds=args.load_seconds,
        client_procs=1,
    )
    specs = messages.worker_specs("", seeded, load_args)
    with porch_server(data, config.database_url, free_port()) as server:
        for spec in specs:
            spec.url = server.url
        loaded: list[dict[str, Any]] = []
        driver = threading.Thread(target=lambda: loaded.append(messages.drive(server, specs)))
        driver.start()
        trips = asyncio.run(probe_while(config.database_url, driver, args.load_probes))
        driver.join()
    saturation = messages.figures(loaded[0]["saturation"], args.load_seconds) if loaded else {}
    return {
        "probes": len(trips),
        "lost": sum(1 for trip in trips if trip is None),
        "p50_ms": rounded(percentile([t for t in trips if t is not None], 0.50)),
        "p99_ms": rounded(percentile([t for t in trips if t is not None], 0.99)),
        "messages_delivered_per_s": saturation.get("delivered_per_s"),
    }


async def probe_while(url: str, driver: threading.Thread, limit: int) -> list[float | None]:
    db = Database(url)
    trips: list[float | None] = []
    try:
        while driver.is_alive() and len(trips) < limit:
            took = await round_trip(db, timeout=5, poll=0.001)
            trips.append(None if took is None else took * 1000)
            await asyncio.sleep(0.02)
    finally:
        await db.dispose()
    return trips


def backend(url: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    figures = asyncio.run(measure(url, args))
    if args.load_seconds > 0:
        note(f"{url.split(':', 1)[0]}: probes under message load")
        figures["under_message_load"] = under_load(url, data, args)
    return figures


def postgresql(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    reason = postgres_unavailable_reason()
    if reason:
        return {"skipped": reason}
    url, name = postgres_database(migrated=False)
    try:
        return backend(url, data, args)
    finally:
        drop_postgres_database(name)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        Path(tmp, "sqlite").mkdir()
        sqlite = backend(sqlite_url(Path(tmp, "sqlite")), Path(tmp, "sqlite"), args)
        pg = postgresql(Path(tmp, "postgresql"), args)
    emit_result(
        {
            "benchmark": "jobs",
            "concurrency": args.concurrency,
            "producers": args.producers,
            "sqlite_jobs_per_s": sqlite["throughput"]["jobs_per_s"],
            "sqlite_idle_p99_ms": sqlite["idle"]["p99_ms"],
            "postgresql_jobs_per_s": pg.get("throughput", {}).get("jobs_per_s"),
            "postgresql_idle_p99_ms": pg.get("idle", {}).get("p99_ms"),
            "sqlite_backlog_jobs_per_s": sqlite["backlog"]["jobs_per_s"],
            "postgresql_backlog_jobs_per_s": pg.get("backlog", {}).get("jobs_per_s"),
            "sqlite": sqlite,
            "postgresql": pg,
        }
    )


if __name__ == "__main__":
    main()
