"""Two real `porch serve` processes, A and B, on one PostgreSQL database and one Redis
prefix, with no balancer: each client picks its process. What one process does, the
other's clients see; limits and sign-out hold across both. And SQLite refuses a second
process. (The load-balanced cluster is tests/scale/test_balancer.py.)"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from porch.app import build_services
from porch.config import Config
from porch.db.single_process import ONE_PROCESS
from porch.panel.sessions import COOKIE_NAME
from porch.realtime.redis_presence import offline_after
from porch.services import Services
from tests.support import databases
from tests.support.chat_clients import PAGE, Client
from tests.support.live_server import free_port
from tests.support.panel import csrf_from
from tests.support.processes import REPO, running

REDIS_URL = os.environ.get("PORCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "two-processes-secret-key-not-for-production"
ORIGIN = "https://shop.example"
START_TIMEOUT = 60.0
WAIT = 10.0


@dataclass
class Process:
    name: str
    url: str
    proc: subprocess.Popen[str]
    log: Path


@dataclass
class Pair:
    a: Process
    b: Process
    config: Config
    site_key: str
    operator_email: str = "olivia@shop.example"
    password: str = "pw-123456"


def _redis_unreachable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis not reachable at {REDIS_URL} ({exc})"
    return None


def _wait_until_up(process: Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert process.proc.poll() is None, f"{process.name} exited: {process.log.read_text()}"
        try:
            with urllib.request.urlopen(process.url + "/panel/login", timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, f"{process.name}: {process.log.read_text()}"
            time.sleep(0.1)


async def _seed(config: Config) -> str:
    services: Services = build_services(config)
    try:
        site = await services.sites.create("Shop", [ORIGIN])
        await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
        return site.key
    finally:
        await services.db.dispose()


@pytest.fixture
def pair(tmp_path: Path, postgres_template: str | None) -> Iterator[Pair]:
    required = os.environ.get("PORCH_REQUIRE_POSTGRES") == "1"
    for reason in (postgres_template, _redis_unreachable()):
        if reason is not None and required:
            pytest.fail(reason)
        if reason is not None:
            pytest.skip(reason)
    url, name = databases.postgres_database()
    prefix = f"porch-test:{uuid.uuid4().hex[:10]}:"
    config = Config(data_dir=tmp_path, database_url=url, secret_key=SECRET)
    site_key = asyncio.run(_seed(config))
    env = {"PORCH_SECRET_KEY": SECRET}
    try:
        with ExitStack() as stack:
            started = []
            for label in ("A", "B"):
                port, data = free_port(), tmp_path / label
                args = ["serve", "--data", str(data), "--database-url", url, "--no-migrate"]
                args += ["--host", "127.0.0.1", "--port", str(port)]
                args += ["--redis-url", REDIS_URL, "--redis-prefix", prefix]
                log = tmp_path / f"{label}.log"
                proc = stack.enter_context(running(args, env, REPO, log))
                started.append(Process(label, f"http://127.0.0.1:{port}", proc, log))
            for process in started:
                _wait_until_up(process)
            yield Pair(started[0], started[1], config, site_key)
    finally:
        databases.drop_postgres_database(name)
        _delete_keys(prefix)


def _delete_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


async def _visitor_token(process: Process, site_key: str) -> str:
    async with httpx.AsyncClient(base_url=process.url) as http:
        reply = await http.post(
            "/widget/v1/session",
            json={"site_key": site_key, "visitor_token": None, "page": PAGE},
            headers={"Origin": ORIGIN},
        )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["visitor_token"]
    return token


async def _signed_in(process: Process, pair: Pair) -> httpx.AsyncClient:
    """An HTTP client signed in to the panel through this process (its session cookie)."""
    http = httpx.AsyncClient(base_url=process.url)
    page = await http.get("/panel/login")
    form = {
        "csrf_token": csrf_from(page.text),
        "email": pair.operator_email,
        "password": pair.password,
    }
    reply = await http.post("/panel/login", data=form)
    assert reply.status_code == 303 and COOKIE_NAME in http.cookies, reply.text
    return http


@pytest.fixture
async def chat(pair: Pair) -> AsyncIterator[tuple[Pair, httpx.AsyncClient, Client, Client]]:
    """The operator signed in through A and connected to B; the visitor connected to A."""
    http = await _signed_in(pair.a, pair)
    cookie = f"{COOKIE_NAME}={http.cookies[COOKIE_NAME]}"
    panel = await Client("/operator").connect(pair.b.url, headers={"Cookie": cookie})
    token = await _visitor_token(pair.a, pair.site_key)
    widget = await Client("/visitor").connect(pair.a.url, auth={"token": token})
    await widget.next("hello")
    yield pair, http, widget, panel
    await widget.close()
    await panel.close()
    await http.aclose()


async def test_a_visitor_on_a_and_an_operator_on_b_chat_both_ways(
    chat: tuple[Pair, httpx.AsyncClient, Client, Client],
) -> None:
    _pair, _http, widget, panel = chat
    seen = await panel.until("visitor.updated", lambda v: v["online"])  # A's socket, B's screen
    visitor_id = seen["id"]
    listed = await panel.call("visitors.list")
    assert [v["online"] for v in listed["visitors"] if v["id"] == visitor_id] == [True]

    sent = await widget.call("message.send", {"client_id": "c-1", "body": "Hi from A"})
    assert sent["ok"], sent
    conversation_id = sent["message"]["conversation_id"]
    line = await panel.until("conversation.updated", lambda c: c["id"] == conversation_id)
    assert line["id"] == conversation_id
    watched = await panel.call("conversation.watch", {"conversation_id": conversation_id})
    assert watched["visitor"]["online"] and watched["messages"][-1]["body"] == "Hi from A"

    await widget.emit("typing", {"draft": "my order num"})  # typing preview, A to B
    typing = await panel.until("visitor.typing", lambda t: t["draft"] == "my order num")
    assert typing["conversation_id"] == conversation_id
    rewatched = await panel.call("conversation.watch", {"conversation_id": conversation_id})
    assert rewatched["draft"] == "my order num"  # the draft lives in Redis, not in A

    await panel.emit("typing", {"conversation_id": conversation_id, "typing": True})
    assert (await widget.until("operator.typing", lambda t: t["typing"]))["name"] == "Olivia"
    reply = {"conversation_id": conversation_id, "client_id": "o-1", "body": "Hello from B"}
    assert (await panel.call("message.send", reply))["ok"]
    message = await widget.until("message", lambda m: m["body"] == "Hello from B")
    assert message["conversation_id"] == conversation_id


async def test_one_rate_limit_across_both_processes(
    chat: tuple[Pair, httpx.AsyncClient, Client, Client],
) -> None:
    """The visitor's budget (`message`: a burst of 10, then 1 a second) is one budget,
    wherever the messages come in: through both processes at once it still lets through
    no more than one process alone would."""
    pair, _http, _widget_a, _panel = chat
    token = await _visitor_token(pair.a, pair.site_key)  # another visitor, on both processes
    on_a = await Client("/visitor").connect(pair.a.url, auth={"token": token})
    on_b = await Client("/visitor").connect(pair.b.url, auth={"token": token})
    started = time.monotonic()
    replies: list[Any] = []
    for n in range(30):
        client = on_a if n % 2 else on_b
        replies.append(await client.call("message.send", {"client_id": f"m-{n}", "body": "x"}))
    elapsed = time.monotonic() - started
    accepted = sum(1 for r in replies if r["ok"])
    refused = [r["error"]["code"] for r in replies if not r["ok"]]
    assert set(refused) == {"rate_limited"}
    assert 10 <= accepted <= 10 + int(elapsed) + 1, (accepted, elapsed)
    await on_a.close()
    await on_b.close()


async def test_signing_out_on_a_disconnects_the_sessions_socket_on_b(
    chat: tuple[Pair, httpx.AsyncClient, Client, Client],
) -> None:
    _pair, http, _widget, panel = chat
    assert (await panel.call("inbox.list", {"status": "open"}))["ok"]
    inbox = await http.get("/panel")
    reply = await http.post("/panel/logout", data={"csrf_token": csrf_from(inbox.text)})
    assert reply.status_code == 303
    await asyncio.wait_for(panel.disconnected.wait(), WAIT)


def test_sqlite_serves_one_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ["serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(free_port())]
    log = tmp_path / "first.log"
    with running(first, {}, REPO, log) as proc:
        _wait_until_up(Process("first", f"http://127.0.0.1:{first[-1]}", proc, log))
        for second in (
            ["serve", "--data", str(data), "--port", str(free_port())],
            ["worker", "--data", str(data)],
        ):
            refused = subprocess.run(
                [sys.executable, "-m", "porch", *second],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=REPO,
            )
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert ONE_PROCESS in refused.stderr
            assert f"pid {proc.pid}" in refused.stderr
        proc.kill()  # kill -9: the kernel drops the lock with the process
        proc.wait()
    again = ["serve", "--data", str(data), "--port", str(free_port())]
    log2 = tmp_path / "again.log"
    with running(again, {}, REPO, log2) as proc2:
        _wait_until_up(Process("again", f"http://127.0.0.1:{again[-1]}", proc2, log2))


def test_redis_is_refused_on_sqlite(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "porch", "serve", "--data", str(tmp_path), "--redis-url", REDIS_URL],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert refused.returncode == 1
    assert "--redis-url needs PostgreSQL" in refused.stderr and ONE_PROCESS in refused.stderr


async def test_a_killed_process_visitors_go_offline_on_the_others(
    chat: tuple[Pair, httpx.AsyncClient, Client, Client],
) -> None:
    """A's presence entries outlive it (kill -9: nothing said); B removes them once they
    are past their time (15 s after A's last heartbeat, seen by B's next one, 5 s)."""
    pair, _http, _widget, panel = chat
    visitor_id = (await panel.until("visitor.updated", lambda v: v["online"]))["id"]
    pair.a.proc.kill()
    killed = time.monotonic()
    bound = offline_after() + 5  # and some slack for a busy machine
    updates = panel.events["visitor.updated"]
    while True:
        left = bound - (time.monotonic() - killed)
        assert left > 0, f"visitor {visitor_id} still online {bound:.0f} s after the kill"
        update = await asyncio.wait_for(updates.get(), left)
        if update["id"] == visitor_id and not update["online"]:
            break
    listed = await panel.call("visitors.list")
    assert [v["online"] for v in listed["visitors"] if v["id"] == visitor_id] == [False]
