"""`porch jobs list|retry|probe` and `porch worker`, run as an operator runs them."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from porch.db.engine import Database
from porch.jobs.queue import Backoff, JobQueue, WorkerSettings, enqueue
from tests.jobs.conftest import WAIT
from tests.support.processes import porch, running


@pytest.fixture
async def queue(database_url: str) -> AsyncIterator[JobQueue]:
    # A long backoff: the waiting job must not come due while the CLI runs (seconds each
    # on a busy machine), whatever the jitter.
    queue = JobQueue(Database(database_url), settings=WorkerSettings(backoff=Backoff(base=600)))
    yield queue
    await queue.db.dispose()


async def run_porch(*args: str, storage: list[str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(porch, *args, *storage)


def storage(tmp_path: Path, database_url: str) -> list[str]:
    return ["--data", str(tmp_path), "--database-url", database_url]


async def test_list_failed_shows_a_dead_job_and_retry_runs_it_again(
    queue: JobQueue, tmp_path: Path, database_url: str
) -> None:
    fixed = False

    async def export(payload: dict[str, Any]) -> None:
        if not fixed:
            raise OSError("disk full")

    queue.register("report.export", export)
    async with queue.db.begin() as conn:
        await enqueue(conn, "report.export", {"report": 3}, max_attempts=1)
        await enqueue(conn, "report.export", {"report": 4})
    await queue.run_due()
    dead, waiting = sorted(await queue.list(failed_only=True), key=lambda job: job.status)
    args = storage(tmp_path, database_url)

    listed = await run_porch("jobs", "list", "--failed", storage=args)
    assert listed.returncode == 0, listed.stderr
    assert f"{dead.id}  report.export  dead  tries 1/1" in listed.stdout
    assert f"{waiting.id}  report.export  queued  tries 1/8  next " in listed.stdout
    assert listed.stdout.count("OSError: disk full") == 2

    retried = await run_porch("jobs", "retry", str(dead.id), storage=args)
    assert retried.returncode == 0, retried.stderr
    assert f"Job {dead.id} is queued to run again." in retried.stdout
    missing = await run_porch("jobs", "retry", str(dead.id + 1000), storage=args)
    assert missing.returncode == 1
    assert f"no job {dead.id + 1000} to retry" in missing.stderr

    fixed = True  # the retried job runs again now (the waiting one is not due yet)
    assert await queue.run_due() == 1
    assert [job.id for job in await queue.list()] == [waiting.id]
    assert (await run_porch("jobs", "list", storage=args)).stdout.count("report.export") == 1


async def test_probe_finds_a_running_worker_and_says_when_there_is_none(
    tmp_path: Path, database_url: str
) -> None:
    args = storage(tmp_path, database_url)
    alone = await run_porch("jobs", "probe", "--timeout", "0.3", storage=args)
    assert alone.returncode == 1
    assert "no worker ran the probe job" in alone.stderr

    with running(["worker", *args], env={}, cwd=tmp_path) as worker:
        probed = await run_porch("jobs", "probe", "--timeout", str(WAIT), storage=args)
        assert probed.returncode == 0, probed.stderr
        assert "A worker ran the probe job" in probed.stdout
        worker.terminate()
        output = worker.communicate(timeout=WAIT)[0]
        assert worker.returncode == 0, output
    assert "Porch worker is running" in output
