"""REST API and webhook figures on SQLite (see docs/performance.md, "REST API").

Seeds one site with --rows contacts, each with a conversation and a message, then runs a
real `porch serve` process and measures from this one:

- list latency: p50/p95 of a page of 50 for /contacts, /conversations and
  /conversations?status=open, first pages and pages deep in the list (cursors);
- throughput: --clients concurrent clients listing contacts for --seconds; requests/s and
  requests per server CPU-second (the server's own CPU time, from /proc);
- webhooks: an endpoint pointing at a receiver in this process; --events bot messages
  posted through the API; deliveries/s and the time from each post's reply to its
  delivery's arrival (p50/p99).

    .venv/bin/python -m bench.api --rows 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from porch.api.keys import KeyService
from porch.app import build_services
from porch.clock import SystemClock
from porch.config import Config
from porch.conversations.tables import conversations, messages
from porch.db.migrate import upgrade
from porch.visitors.tables import visitors

CHUNK = 5000


async def seed(config: Config, rows: int) -> tuple[int, str]:
    services = build_services(config, SystemClock())
    site = await services.sites.create("Bench", ["https://bench.example"])
    now = datetime.now(UTC)
    async with services.db.begin() as conn:
        for start in range(0, rows, CHUNK):
            count = min(CHUNK, rows - start)
            await conn.execute(
                visitors.insert(),
                [
                    {
                        "site_id": site.id,
                        "name": f"Person {start + i}",
                        "email": f"p{start + i}@bench.example",
                        "attributes": {"n": start + i},
                        "first_seen_at": now,
                        "last_seen_at": now,
                    }
                    for i in range(count)
                ],
            )
        ids = list(await conn.scalars(sa.select(visitors.c.id).order_by(visitors.c.id)))
        for start in range(0, rows, CHUNK):
            await conn.execute(
                conversations.insert(),
                [
                    {
                        "site_id": site.id,
                        "visitor_id": vid,
                        "status": "open" if vid % 3 else "closed",
                        "created_at": now,
                        "last_activity_at": now,
                    }
                    for vid in ids[start : start + CHUNK]
                ],
            )
        cids = list(await conn.scalars(sa.select(conversations.c.id).order_by(conversations.c.id)))
        for start in range(0, rows, CHUNK):
            await conn.execute(
                messages.insert(),
                [
                    {
                        "conversation_id": cid,
                        "client_id": "seed",
                        "author": "visitor",
                        "body": "Hello there",
                        "internal": False,
                        "created_at": now,
                    }
                    for cid in cids[start : start + CHUNK]
                ],
            )
    token = (await KeyService(services.db, services.clock).create(site.id, "bench", "write")).token
    await services.db.dispose()
    return cids[-1], token


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def latencies(client: httpx.AsyncClient, path: str, n: int, deep: bool) -> list[float]:
    first = (await client.get(path, params={"limit": 50})).json()
    cursor = first["meta"]["next_cursor"]
    if deep:  # jump half-way: a cursor for an id in the middle
        import base64

        middle = int(base64.urlsafe_b64decode(cursor + "==").decode().split(":")[1]) // 2
        cursor = base64.urlsafe_b64encode(f"id:{middle}".encode()).decode().rstrip("=")
    took = []
    for _ in range(n):
        params: dict[str, Any] = {"limit": 50, **({"cursor": cursor} if deep else {})}
        started = time.perf_counter()
        reply = await client.get(path, params=params)
        took.append(time.perf_counter() - started)
        assert reply.status_code == 200, reply.text
        assert len(reply.json()["data"]) == 50
    return took


async def throughput(url: str, token: str, clients: int, seconds: float, pid: int) -> str:
    done = 0
    stop = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal done
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}
        ) as c:
            while time.perf_counter() < stop:
                assert (await c.get("/api/v1/contacts", params={"limit": 50})).status_code == 200
                done += 1

    cpu, wall = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    cpu, wall = cpu_seconds(pid) - cpu, time.perf_counter() - wall
    return (
        f"{clients} clients, {done} pages of 50 in {wall:.1f} s: {done / wall:.0f} req/s,"
        f" {done / cpu:.0f} req per server CPU-second"
    )


async def webhooks(url: str, token: str, conversation_id: int, events: int) -> str:
    from tests.support.live_server import serve_in_thread

    arrived: dict[str, float] = {}

    async def hook(request: Request) -> Response:
        payload = json.loads(await request.body())
        if payload["type"] == "message.created":
            arrived[payload["data"]["message"]["client_id"]] = time.perf_counter()
        return Response(status_code=204)

    receiver = serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    sent: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
        made = await c.post(
            "/api/v1/webhooks", json={"url": receiver.url + "/hook", "events": ["message.created"]}
        )
        assert made.status_code == 201, made.text
        started = time.perf_counter()
        for n in range(events):
            client_id = f"bench-{n}"
            reply = await c.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"author": "bot", "body": f"Event {n}", "client_id": client_id},
            )
            assert reply.status_code == 201, reply.text
            sent[client_id] = time.perf_counter()
        deadline = time.perf_counter() + 60
        while len(arrived) < events and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    receiver.stop()
    delays = [arrived[k] - sent[k] for k in sent if k in arrived]
    wall = max(arrived.values()) - started
    return (
        f"{len(arrived)}/{events} delivered, {len(arrived) / wall:.0f} deliveries/s "
        f"(posting one at a time), event to delivery p50 {pct(delays, 50):.0f} ms, "
        f"p99 {pct(delays, 99):.0f} ms"
    )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        url_db = f"sqlite+aiosqlite:///{data / 'porch.db'}"
        await asyncio.to_thread(upgrade, url_db)
        config = Config(data_dir=data, database_url=url_db, secret_key="bench")
        seeded = time.perf_counter()
        last_conversation, token = await seed(config, args.rows)
        print(
            f"seeded {args.rows} contacts, conversations and messages"
            f" in {time.perf_counter() - seeded:.0f} s"
        )
        port = 18765
        env = {
            **os.environ,
            "PORCH_DATA": str(data),
            "PORCH_API_RATE_LIMIT": "1000000",
            "PORCH_ALLOW_PRIVATE_TARGETS": "1",
            "PORCH_LOG_LEVEL": "warning",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "porch", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(
                base_url=url, headers={"Authorization": f"Bearer {token}"}
            ) as c:
                for _ in range(100):
                    try:
                        if (await c.get("/readyz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.2)
                for path in (
                    "/api/v1/contacts",
                    "/api/v1/conversations",
                    "/api/v1/conversations?status=open",
                ):
                    for deep in (False, True):
                        took = await latencies(c, path, args.requests, deep)
                        where = "deep page" if deep else "first page"
                        print(
                            f"GET {path} ({where}, 50 rows): p50 {pct(took, 50):.1f} ms,"
                            f" p95 {pct(took, 95):.1f} ms"
                        )
            print(await throughput(url, token, args.clients, args.seconds, server.pid))
            print(await webhooks(url, token, last_conversation, args.events))
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--events", type=int, default=300)
    asyncio.run(main(parser.parse_args()))
