"""Several `porch serve` processes behind a real nginx (round-robin, no sticky sessions),
sharing PostgreSQL and Redis: chat, typing preview, presence and rate limits work whichever
process holds a socket, and a process killed with SIGKILL loses no acknowledged message.

The cluster (tests/scale/cluster.py) is shared by this module's tests; each test uses its
own site, operator and visitors. Clients use the WebSocket transport, as the widget and
the panel do: Engine.IO long-polling sessions live in one process, so polling clients would
need sticky sessions (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import socketio
import sqlalchemy as sa
from socketio.exceptions import SocketIOError

from porch.conversations.tables import messages
from porch.db.engine import Database
from porch.panel.sessions import COOKIE_NAME, encode_session
from porch.ratelimit import LIMITS
from porch.services import Services
from tests.scale.cluster import SECRET_KEY, Cluster
from tests.support.chat_clients import PAGE, Client
from tests.support.waiting import eventually

ORIGIN = "https://shop.example"
TIMEOUT = 10.0


@dataclass
class Shop:
    site_key: str
    operator_id: int
    cookie: str
    """The `Cookie:` header of a signed-in session of the shop's operator."""


def seed_shop(cluster: Cluster, tag: str) -> Shop:
    """A site of its own and an operator signed in (valid on every process: one key)."""

    async def run(services: Services) -> Shop:
        unique = f"{tag}-{uuid.uuid4().hex[:8]}"
        site = await services.sites.create(f"Shop {unique}", [ORIGIN])
        operator = await services.operators.create(
            f"{unique}@shop.example", f"Olivia {tag}", "pw-123456"
        )
        session = await services.sessions.create(operator, user_agent="tests")
        cookie = f"{COOKIE_NAME}={encode_session(SECRET_KEY, session.token)}"
        return Shop(site.key, operator.id, cookie)

    return cluster.call(run)


async def open_session(base_url: str, site_key: str) -> dict[str, Any]:
    """What the loader does on a page: `POST /widget/v1/session`."""
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as http:
        reply = await http.post(
            "/widget/v1/session",
            json={"site_key": site_key, "visitor_token": None, "page": PAGE},
            headers={"Origin": ORIGIN},
        )
    assert reply.status_code == 200, reply.text
    return reply.json()


async def widget(stack: AsyncExitStack, url: str, token: str) -> Client:
    client = await Client("/visitor").connect(url, auth={"token": token})
    stack.push_async_callback(client.close)
    return client


async def panel(stack: AsyncExitStack, url: str, shop: Shop) -> Client:
    client = await Client("/operator").connect(url, headers={"Cookie": shop.cookie})
    stack.push_async_callback(client.close)
    return client


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as clients:
        yield clients


def about(conversation_id: int) -> Callable[[Any], bool]:
    return lambda data: data.get("conversation_id") == conversation_id


async def test_visitor_on_a_and_operator_on_b_chat_both_ways(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    shop = seed_shop(cluster, "chat")
    session = await open_session(cluster.process_url(0), shop.site_key)
    op = await panel(stack, cluster.process_url(1), shop)  # B
    visitor = await widget(stack, cluster.process_url(0), session["visitor_token"])  # A
    await visitor.next("hello")

    # A first draft opens the conversation: B's operator hears of it, and sees the draft
    # when it opens the conversation (drafts are shared, not kept by process A).
    await visitor.call("typing", {"draft": "Do you ship"})
    opened = await op.until(
        "conversation.updated", lambda c: c["visitor_id"] == session["visitor"]["id"]
    )
    conversation_id = opened["id"]
    watched = await op.call("conversation.watch", {"conversation_id": conversation_id})
    assert watched["ok"], watched
    assert watched["draft"] == "Do you ship"

    # Typing preview A -> B, live.
    await visitor.call("typing", {"draft": "Do you ship to Norway?"})
    typing = await op.until("visitor.typing", about(conversation_id))
    while typing["draft"] != "Do you ship to Norway?":
        typing = await op.until("visitor.typing", about(conversation_id))

    # Visitor -> operator.
    sent = await visitor.call("message.send", {"client_id": "ab-1", "body": "Do you?"})
    assert sent["ok"], sent
    got = await op.until("message", lambda m: m["client_id"] == "ab-1")
    assert got["body"] == "Do you?" and got["author"] == "visitor"

    # Operator typing and reply B -> A.
    await op.call("typing", {"conversation_id": conversation_id, "typing": True})
    assert (await visitor.until("operator.typing", lambda t: t["typing"]))["name"]
    reply = {"conversation_id": conversation_id, "client_id": "ba-1", "body": "We do!"}
    assert (await op.call("message.send", {**reply, "internal": False}))["ok"]
    answer = await visitor.until("message", lambda m: m["client_id"] == "ba-1")
    assert answer["body"] == "We do!" and answer["author"] == "operator"


async def test_operator_sees_the_visitor_online_whichever_process_holds_the_socket(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    shop = seed_shop(cluster, "presence")
    op = await panel(stack, cluster.url, shop)
    session = await open_session(cluster.url, shop.site_key)
    visitor_id = session["visitor"]["id"]
    # The page view alone counts as online (for two minutes, or until a socket closes).
    await op.until("visitor.updated", lambda v: v["id"] == visitor_id and v["online"])

    async def listed_online() -> bool:
        reply = await op.call("visitors.list", {})
        assert reply["ok"], reply
        return any(v["id"] == visitor_id and v["online"] for v in reply["visitors"])

    # Pinned to each process in turn, then through the balancer (round-robin: the next
    # three sockets land on three different processes).
    targets = [cluster.process_url(i) for i in range(cluster.size)] + [cluster.url] * 3
    for target in targets:
        client = await Client("/visitor").connect(target, auth={"token": session["visitor_token"]})
        try:
            await client.next("hello")
            await op.until("visitor.updated", lambda v: v["id"] == visitor_id and v["online"])
            assert await listed_online(), f"not online in visitors.list (socket on {target})"
        finally:
            await client.close()
        await op.until("visitor.updated", lambda v: v["id"] == visitor_id and not v["online"])
        assert not await listed_online(), f"still online after the socket on {target} closed"


async def test_message_rate_limit_holds_across_processes(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    shop = seed_shop(cluster, "limits")
    session = await open_session(cluster.url, shop.site_key)
    token = session["visitor_token"]
    sockets = [await widget(stack, cluster.process_url(i), token) for i in (0, 1)]
    for socket in sockets:
        await socket.next("hello")

    limit = LIMITS["message"]
    sends = 3 * limit.burst  # each process alone would accept `burst` of its half
    started = time.monotonic()
    acks = await asyncio.gather(
        *(
            sockets[n % 2].call("message.send", {"client_id": f"rl-{n}", "body": f"spam {n}"})
            for n in range(sends)
        )
    )
    elapsed = time.monotonic() - started
    accepted = sum(1 for ack in acks if ack["ok"])
    refused = [ack["error"]["code"] for ack in acks if not ack["ok"]]
    budget = limit.burst + math.ceil(elapsed * limit.per_second)
    assert set(refused) == {"rate_limited"}, acks
    assert accepted <= budget, (
        f"{accepted} of {sends} messages accepted in {elapsed:.2f} s across two processes;"
        f" one shared limit allows {budget}"
    )
    assert accepted >= limit.burst, acks  # the visitor's full burst, no less


@dataclass
class Outbox:
    """A visitor as the widget behaves: reconnects by itself (through the balancer), keeps
    every message until acknowledged and sends the unacknowledged ones again after a
    reconnect, with the same client ids."""

    name: str
    sio: socketio.AsyncClient = field(
        default_factory=lambda: socketio.AsyncClient(
            reconnection=True,
            reconnection_attempts=40,
            reconnection_delay=0.1,
            reconnection_delay_max=1.0,
            randomization_factor=0.5,
        )
    )
    pending: dict[str, str] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)
    """client_id -> stored message id, from the server's ok ack."""
    connects: int = 0
    disconnects: int = 0
    conversation_id: int | None = None
    visitor_id: int | None = None
    refused: list[Any] = field(default_factory=list)
    """Acks that were neither ok nor rate_limited (there should be none)."""

    def __post_init__(self) -> None:
        self.sio.on("connect", self._on_connect, namespace="/visitor")
        self.sio.on("disconnect", self._on_disconnect, namespace="/visitor")

    async def connect(self, url: str, token: str, visitor_id: int) -> None:
        self.visitor_id = visitor_id
        await self.sio.connect(
            url,
            namespaces=["/visitor"],
            transports=["websocket"],
            auth={"token": token},
            wait_timeout=TIMEOUT,
        )

    async def _on_connect(self) -> None:
        self.connects += 1
        if self.connects > 1:  # a reconnect: what was never acknowledged goes again
            for client_id in list(self.pending):
                asyncio.get_running_loop().create_task(self._deliver(client_id))

    async def _on_disconnect(self, reason: Any = None) -> None:
        self.disconnects += 1

    def send(self, client_id: str, body: str) -> None:
        self.pending[client_id] = body
        asyncio.get_running_loop().create_task(self._deliver(client_id))

    async def _deliver(self, client_id: str) -> None:
        body = self.pending.get(client_id)
        if body is None:
            return

        async def done(ack: Any) -> None:
            if isinstance(ack, dict) and ack.get("ok"):
                self.acked[client_id] = ack["message"]["id"]
                self.conversation_id = ack["message"]["conversation_id"]
                self.pending.pop(client_id, None)
            elif isinstance(ack, dict) and ack["error"]["code"] == "rate_limited":
                await asyncio.sleep(1.0)  # try again once the bucket refills
                await self._deliver(client_id)
            else:
                self.refused.append((client_id, ack))

        with contextlib.suppress(SocketIOError):  # not connected: the reconnect sends it
            await self.sio.emit(
                "message.send",
                {"client_id": client_id, "body": body},
                namespace="/visitor",
                callback=done,
            )

    async def close(self) -> None:
        await self.sio.disconnect()


async def stored_counts(database_url: str, prefix: str) -> dict[str, int]:
    """How many rows each client id has in the messages table."""
    db = Database(database_url)
    try:
        async with db.connect() as conn:
            rows = await conn.execute(
                sa.select(messages.c.client_id, sa.func.count())
                .where(messages.c.client_id.like(f"{prefix}%"))
                .group_by(messages.c.client_id)
            )
            return {client_id: count for client_id, count in rows.all()}
    finally:
        await db.dispose()


async def test_kill9_visitors_reconnect_through_the_balancer_and_lose_nothing(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    killed, visitors = 1, 6
    shop = seed_shop(cluster, "kill")
    op = await panel(stack, cluster.process_url(0), shop)  # survives the kill
    outboxes = []
    for v in range(visitors):
        session = await open_session(cluster.url, shop.site_key)
        outbox = Outbox(f"visitor {v}")
        await outbox.connect(cluster.url, session["visitor_token"], session["visitor"]["id"])
        stack.push_async_callback(outbox.close)
        outboxes.append(outbox)

    try:
        # Every visitor opens a conversation; the operator watches them all.
        for v, outbox in enumerate(outboxes):
            outbox.send(f"k{v}-0", "hello")
        await eventually(lambda: all(o.conversation_id for o in outboxes), TIMEOUT)
        for outbox in outboxes:
            ack = await op.call("conversation.watch", {"conversation_id": outbox.conversation_id})
            assert ack["ok"], ack
        for n in (1, 2):
            for v, outbox in enumerate(outboxes):
                outbox.send(f"k{v}-{n}", f"message {n}")
            await eventually(lambda: not any(o.pending for o in outboxes), TIMEOUT)

        # Frozen first, then killed: what its visitors send meanwhile is in flight (sent,
        # never acknowledged) when it dies.
        cluster.freeze(killed)
        for v, outbox in enumerate(outboxes):
            outbox.send(f"k{v}-3", "message 3")
        await asyncio.sleep(1.0)  # the others' acks arrive; the frozen process's cannot
        in_flight = {o.name for o in outboxes if o.pending}
        cluster.kill9(killed)
        # More messages while its visitors reconnect: queued, sent once connected.
        for n in (4, 5, 6):
            for v, outbox in enumerate(outboxes):
                outbox.send(f"k{v}-{n}", f"message {n}")
            await asyncio.sleep(0.2)

        await eventually(lambda: any(o.disconnects for o in outboxes), TIMEOUT)
        moved = [o for o in outboxes if o.disconnects]
        assert len(moved) < visitors, "every visitor was on the killed process"
        assert {o.name for o in moved} <= in_flight, (in_flight, [o.name for o in moved])
        await eventually(lambda: all(o.connects >= 2 for o in moved), 20)
        await eventually(lambda: not any(o.pending for o in outboxes), 20)
        assert not [o.refused for o in outboxes if o.refused]
        sent = {f"k{v}-{n}" for v in range(visitors) for n in range(7)}
        assert set().union(*(o.acked for o in outboxes)) == sent

        # Every acknowledged message is stored exactly once: none lost, none doubled.
        counts = await stored_counts(cluster.database_url, "k")
        assert set(counts) == sent, sent ^ set(counts)
        assert all(count == 1 for count in counts.values()), counts

        # The operator (on a surviving process) sees every visitor online, and hears from
        # every one of them, moved or not.
        listed = await op.call("visitors.list", {})
        online = {v["id"] for v in listed["visitors"] if v["online"]}
        assert {o.visitor_id for o in outboxes} <= online, listed
        for v, outbox in enumerate(outboxes):
            outbox.send(f"after-{v}", "still there?")
        waiting = {f"after-{v}" for v in range(visitors)}
        while waiting:
            waiting.discard((await op.next("message"))["client_id"])
    except BaseException:
        print(cluster.logs())
        raise
    finally:
        cluster.restart(killed)
