"""Graceful shutdown of a real `porch serve` on SIGTERM: readiness goes down first, every
Socket.IO client is disconnected (and reconnects to the next process), running jobs
finish or go back to the queue, and the process exits 0 within the timeout."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import socketio
import sqlalchemy as sa

from porch.jobs.builtin import PROBE
from porch.jobs.queue import enqueue
from porch.jobs.tables import jobs
from porch.services import Services
from porch.sites.models import Site
from tests.ops.conftest import WAIT, Served, porch_serve, with_services
from tests.support.chat_clients import Client

SHUTDOWN_TIMEOUT = 3.0


async def add_site(served: Served) -> Site:
    return await with_services(
        served.config, lambda s: s.sites.create("Shop", ["https://shop.example"])
    )


async def visitor_token(url: str, site_key: str) -> str:
    async with httpx.AsyncClient(base_url=url) as http:
        reply = await http.post(
            "/widget/v1/session",
            json={
                "site_key": site_key,
                "visitor_token": None,
                "page": {"url": "https://shop.example/"},
            },
            headers={"Origin": "https://shop.example"},
        )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["visitor_token"]
    return token


async def job_rows(served: Served) -> dict[str, Any]:
    async def read(services: Services) -> dict[str, Any]:
        async with services.db.connect() as conn:
            query = sa.select(jobs.c.key, jobs.c.status, jobs.c.attempts)
            # This test's probes only: the server also queues its daily jobs for tomorrow.
            rows = await conn.execute(query.where(jobs.c.kind == PROBE))
            return {key: (status, attempts) for key, status, attempts in rows}

    return await with_services(served.config, read)


async def exit_code(served: Served, timeout: float) -> int:
    return await asyncio.to_thread(served.proc.wait, timeout)


async def test_sigterm_disconnects_clients_returns_cut_jobs_and_exits_zero(
    tmp_path: Path, database_url: str
) -> None:
    args = ("--log-format", "json", "--shutdown-timeout", str(SHUTDOWN_TIMEOUT))
    with porch_serve(tmp_path, database_url, *args) as served:
        site = await add_site(served)
        widget = await Client("/visitor").connect(
            served.url, auth={"token": await visitor_token(served.url, site.key)}
        )
        await widget.next("hello")

        async def add_jobs(services: Services) -> None:
            async with services.db.begin() as conn:  # one finishes in time, one cannot
                await enqueue(conn, PROBE, {"pause_ms": 1000}, key="short")
                await enqueue(conn, PROBE, {"pause_ms": 5000}, key="long")

        await with_services(served.config, add_jobs)
        deadline = time.monotonic() + WAIT
        while await job_rows(served) != {"short": ("running", 1), "long": ("running", 1)}:
            assert time.monotonic() < deadline, await job_rows(served)
            await asyncio.sleep(0.02)

        sent = served.sigterm()
        await asyncio.wait_for(widget.disconnected.wait(), SHUTDOWN_TIMEOUT)
        disconnected_after = time.monotonic() - sent
        code = await exit_code(served, SHUTDOWN_TIMEOUT + WAIT)
        exited_after = time.monotonic() - sent

    assert code == 0, served.output()
    assert disconnected_after < 1.5, disconnected_after  # at once, not after the jobs
    assert exited_after < SHUTDOWN_TIMEOUT + 3, exited_after
    # The short job finished (done jobs are deleted); the long one is back in the queue
    # with that try not counted, for another process.
    assert await job_rows(served) == {"long": ("queued", 0)}
    messages = [line["message"] for line in served.log_lines()]
    assert "told 1 Socket.IO clients to reconnect elsewhere" in messages
    assert "stopping: 1 running jobs put back in the queue" in messages


async def test_readiness_goes_down_first_during_the_drain_delay(
    tmp_path: Path, sqlite_url: str
) -> None:
    args = ("--drain-delay", "2", "--shutdown-timeout", "2", "--log-format", "json")
    with porch_serve(tmp_path, sqlite_url, *args) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=5) as http:
            assert (await http.get("/readyz")).status_code == 200
            sent = served.sigterm()
            while (ready := await http.get("/readyz")).status_code == 200:
                assert time.monotonic() - sent < 1, "readiness did not go down at once"
                await asyncio.sleep(0.02)
            assert ready.status_code == 503
            assert ready.json() == {"status": "draining", "failed": ["shutdown"]}
            # Still serving everything else while the balancer moves traffic away, but
            # closing kept-alive connections, and refusing new Socket.IO sessions.
            assert (await http.get("/healthz")).status_code == 200
            script = await http.get("/widget/porch.js")
            assert script.status_code == 200 and script.headers["connection"] == "close"
            handshake = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
            assert handshake.status_code == 503
            assert time.monotonic() - sent < 2
        code = await exit_code(served, WAIT)
        assert code == 0, served.output()
        assert 2 <= time.monotonic() - sent < 2 + 2 + 3


async def test_a_disconnected_client_reconnects_to_the_next_process(
    tmp_path: Path, sqlite_url: str
) -> None:
    """What a balancer does (send the reconnect to another process), one process after
    the other on the same address: the client's reconnection brings it back."""
    from tests.support.live_server import free_port

    port, data = free_port(), tmp_path / "data"  # same data dir: same signing key
    connects: asyncio.Queue[float] = asyncio.Queue()
    disconnects: asyncio.Queue[Any] = asyncio.Queue()
    sio = socketio.AsyncClient(reconnection_delay=0.2, reconnection_delay_max=0.5)
    sio.on("connect", lambda: connects.put_nowait(time.monotonic()), namespace="/visitor")
    sio.on("disconnect", lambda *reason: disconnects.put_nowait(reason), namespace="/visitor")
    try:
        with porch_serve(tmp_path, sqlite_url, port=port, data=data) as first:
            site = await add_site(first)
            token = await visitor_token(first.url, site.key)
            await sio.connect(
                first.url, namespaces=["/visitor"], transports=["websocket"], auth={"token": token}
            )
            await asyncio.wait_for(connects.get(), WAIT)
            first.sigterm()
            await asyncio.wait_for(disconnects.get(), WAIT)
            assert await exit_code(first, WAIT) == 0, first.output()
        with porch_serve(tmp_path, sqlite_url, port=port, data=data):
            await asyncio.wait_for(connects.get(), WAIT)  # the same client, on its own
            deadline = time.monotonic() + WAIT
            while not sio.connected:  # set just after the connect event
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
    finally:
        await sio.disconnect()
