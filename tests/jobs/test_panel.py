"""The panel's Jobs page over HTTP: operators see failed jobs and retry them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from porch.config import Config
from porch.db.engine import Database
from porch.jobs.queue import JobQueue, enqueue
from porch.jobs.tables import DEAD, QUEUED
from porch.operators.service import OperatorService
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

BASE = "http://panel.test"


@pytest.fixture
async def dead_job(config: Config) -> AsyncIterator[int]:
    """An operator, and a job that died: its kind has no handler."""
    db = Database(config.database_url)
    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    async with db.begin() as conn:
        await enqueue(conn, "webhook.deliver", {"url": "https://hooks.example/x"})
    queue = JobQueue(db)
    await queue.run_due()
    (job,) = await queue.list(failed_only=True)
    await db.dispose()
    yield job.id


@pytest.fixture
async def client(config: Config) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(config, BASE) as c:
        yield c


async def status_of(config: Config, job_id: int) -> str | None:
    db = Database(config.database_url)
    try:
        job = await JobQueue(db).get(job_id)
    finally:
        await db.dispose()
    return job.status if job else None


async def test_an_operator_sees_a_dead_job_and_retry_queues_it(
    client: httpx.AsyncClient, config: Config, dead_job: int
) -> None:
    await login(client)
    page = await client.get("/panel/jobs")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert f'data-job-id="{dead_job}" data-status="dead"' in page.text
    assert "webhook.deliver" in page.text
    assert "no handler is registered for job kind &#39;webhook.deliver&#39;" in page.text
    assert 'data-testid="nav-jobs" aria-current="page"' in page.text

    retried = await client.post(
        f"/panel/jobs/{dead_job}/retry", data={"csrf_token": csrf_from(page.text)}
    )
    assert retried.status_code == 303
    assert await status_of(config, dead_job) == QUEUED
    after = await client.get(retried.headers["location"])
    assert f"Job {dead_job} is queued to run again." in after.text
    assert f'data-job-id="{dead_job}" data-status="queued"' in after.text


async def test_signed_out_visitors_and_forged_forms_cannot_retry(
    client: httpx.AsyncClient, config: Config, dead_job: int
) -> None:
    signed_out = await client.get("/panel/jobs")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/panel/login")
    assert (await client.post(f"/panel/jobs/{dead_job}/retry")).status_code == 303

    await login(client)
    forged = await client.post(f"/panel/jobs/{dead_job}/retry", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert await status_of(config, dead_job) == DEAD
