"""`/healthz` and `/readyz`: what a balancer asks each process (docs/operations.md)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
import sqlalchemy as sa

from porch.app import create_app
from porch.config import Config
from porch.services import Services
from tests.ops.conftest import WAIT, admin_url
from tests.support.databases import PG_ADMIN_DSN
from tests.support.live_server import LiveServer


async def test_healthz_and_readyz_answer_ok(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "redis": "not configured", "jobs": "ok"},
    }
    assert ready.headers["cache-control"] == "no-store"
    assert re.fullmatch(r"[0-9a-f]{32}", ready.headers["x-request-id"])


async def test_the_admin_listener_serves_health_and_nothing_of_the_app(
    live_server: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=admin_url(live_server.config)) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/readyz")).status_code == 200
        assert (await http.get("/panel/login")).status_code == 404
        assert (await http.get("/widget/porch.js")).status_code == 404
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await http.get("/panel/login")).status_code == 200


async def test_readyz_names_the_database_while_it_is_unreachable_and_recovers(
    live_server: LiveServer, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file open in the server stays readable: PostgreSQL shows this")
    name = sa.make_url(database_url).database
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        down = await _readyz_until(live_server.url, 503)
        assert down["status"] == "unavailable"
        assert down["failed"] == ["database"], down
        assert down["checks"]["database"].startswith("failed: "), down
        assert down["checks"]["jobs"] == "ok"  # the workers keep trying meanwhile
        health = httpx.get(f"{live_server.url}/healthz", timeout=5)
        assert health.status_code == 200  # the process itself is fine: do not restart it
    finally:
        await admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        await admin.close()
    up = await _readyz_until(live_server.url, 200)
    assert up["failed"] == []


async def test_readyz_fails_without_job_workers_and_names_redis_when_it_does_not_answer(
    tmp_path: Path, config: Config
) -> None:
    """Served without its start-up hooks (no lifespan), the app has no job workers; with a
    Redis that does not answer, readiness names both and still checks the database."""
    if config.database_url.startswith("sqlite"):
        pytest.skip("Redis goes with PostgreSQL only")
    app = create_app(dataclasses.replace(config, redis_url="redis://127.0.0.1:9/0"))
    services = app.porch_shutdown.services  # type: ignore[attr-defined]
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://porch") as http:
            ready = await http.get("/readyz")
    finally:
        await _stop(services)
    assert ready.status_code == 503
    body = ready.json()
    assert body["failed"] == ["redis", "jobs"], body
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("failed: ")
    assert body["checks"]["jobs"] == "failed: job workers are not running"


async def test_readyz_checks_redis_when_configured(tmp_path: Path, config: Config) -> None:
    if config.database_url.startswith("sqlite"):
        pytest.skip("Redis goes with PostgreSQL only")
    config = dataclasses.replace(
        config, redis_url="redis://127.0.0.1:6379/0", redis_prefix=f"porch-ops-{time.time_ns()}:"
    )
    app = create_app(config)
    services = app.porch_shutdown.services  # type: ignore[attr-defined]
    try:
        await services.jobs.start()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://porch") as http:
            ready = await http.get("/readyz")
    finally:
        await _stop(services)
    if ready.status_code == 503 and ready.json()["failed"] == ["redis"]:
        pytest.skip("no Redis at 127.0.0.1:6379")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "jobs": "ok"}


async def _stop(services: Services) -> None:
    """The app's shutdown hooks, as its lifespan would run them (Redis may be down: the
    hooks that need it fail, and that is not what these tests are about)."""
    for stop in reversed(services.on_shutdown):
        with contextlib.suppress(Exception):
            await stop()
    await services.db.dispose()


async def _readyz_until(url: str, status: int) -> dict:
    deadline = time.monotonic() + WAIT
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while True:
            reply = await http.get("/readyz")
            if reply.status_code == status:
                return reply.json()
            assert time.monotonic() < deadline, f"/readyz still {reply.status_code}: {reply.text}"
            await asyncio.sleep(0.1)
