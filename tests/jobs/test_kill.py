"""A real `porch worker` killed with SIGKILL mid-batch loses no job: after a restart, every
job is done and none is left queued, running or dead."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from porch.db.engine import Database
from porch.jobs.builtin import PROBE
from porch.jobs.queue import enqueue
from porch.jobs.tables import jobs
from tests.jobs.conftest import WAIT
from tests.support.processes import REPO

JOBS = 300
PAUSE_MS = 20
"""Each probe job pauses this long, so the batch lasts long enough to be cut short."""


def start_worker(data: Path, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    args = ["worker", "--data", str(data), "--database-url", database_url]
    args += ["--concurrency", "8", "--lease", "1"]
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "porch", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )


async def counts(db: Database) -> dict[str, int]:
    """This test's probe jobs by status (the server's own daily jobs wait for tomorrow)."""
    async with db.connect() as conn:
        query = sa.select(jobs.c.status, sa.func.count()).where(jobs.c.kind == PROBE)
        rows = await conn.execute(query.group_by(jobs.c.status))
        return dict(rows.all())


async def wait_for(
    db: Database, proc: subprocess.Popen[bytes], log: Path, done: int, running: bool = False
) -> dict[str, int]:
    """Poll until at least `done` jobs are done (rows gone), and with `running` until some
    are running too; the counts by status then."""
    deadline = time.monotonic() + WAIT
    while True:
        now = await counts(db)
        if JOBS - sum(now.values()) >= done and (not running or now.get("running")):
            return now
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"stuck at {now}: {log.read_text()}"
        await asyncio.sleep(0.01)


async def kill_mid_batch(
    db: Database, data: Path, database_url: str, log: Path, tries: int = 5
) -> dict[str, int]:
    """SIGKILL a worker while it holds running jobs; the counts by status after the kill.

    A batch can finish between the poll that saw it running and the kill, so a kill that
    stranded nothing is tried again (a few more jobs done each time), up to `tries` times.
    """
    left: dict[str, int] = {}
    for attempt in range(1, tries + 1):
        worker = start_worker(data, database_url, log)
        try:
            await wait_for(db, worker, log, done=attempt * JOBS // 10, running=True)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        left = await counts(db)
        if left.get("running"):
            break
    return left


async def test_killed_worker_loses_no_job(tmp_path: Path, database_url: str) -> None:
    db = Database(database_url)
    log = tmp_path / "worker.log"
    try:
        async with db.begin() as conn:
            for _ in range(JOBS):
                await enqueue(conn, PROBE, {"pause_ms": PAUSE_MS})
        left = await kill_mid_batch(db, tmp_path, database_url, log)
        assert left.get("running", 0) > 0, left  # killed mid-batch: jobs stranded
        assert sum(left.values()) < JOBS, left

        worker = start_worker(tmp_path, database_url, log)
        try:
            await wait_for(db, worker, log, done=JOBS)
        finally:
            worker.terminate()
            assert worker.wait(timeout=WAIT) == 0, log.read_text()
        assert await counts(db) == {}  # none queued, running or dead: all done
        assert "queued again" in log.read_text()  # the stranded ones, after their lease
    finally:
        await db.dispose()
