"""Real clients for protocol tests: Socket.IO clients (visitor, operator) that queue every
event they receive, and helpers to seed a live server and open widget sessions."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import socketio

from porch.operators.service import Operator
from porch.panel.sessions import COOKIE_NAME, encode_session
from porch.services import Services
from porch.sites.models import Site
from tests.support.live_server import LiveServer

TIMEOUT = 10.0
PAGE = {"url": "https://shop.example/products/1", "title": "Blue mug", "referrer": ""}


@dataclass
class Seeded:
    site: Site
    operator: Operator


def seed(server: LiveServer, **settings: Any) -> Seeded:
    async def run(services: Services) -> Seeded:
        site = await services.sites.create("Shop", ["https://shop.example"], settings or None)
        operator = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
        return Seeded(site, operator)

    return server.call(run)


def add_operator(server: LiveServer, name: str = "Sam") -> Operator:
    """Another operator account (password `pw-123456`, email `<name>@shop.example`)."""

    async def run(services: Services) -> Operator:
        email = f"{name.lower()}@shop.example"
        return await services.operators.create(email, name, "pw-123456")

    return server.call(run)


async def open_session(
    server: LiveServer,
    site_key: str,
    token: str | None = None,
    origin: str = "https://shop.example",
    page: dict[str, str] | None = None,
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as http:
        reply = await http.post(
            "/widget/v1/session",
            json={"site_key": site_key, "visitor_token": token, "page": page or PAGE},
            headers={"Origin": origin},
        )
    assert reply.status_code == 200, reply.text
    return reply.json()


class Client:
    """A Socket.IO client on one namespace; every received event lands in a queue."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: defaultdict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        self.disconnected = asyncio.Event()
        self.sio.on("*", self._record, namespace=namespace)
        self.sio.on("disconnect", self._on_disconnect, namespace=namespace)

    async def _on_disconnect(self, reason: Any = None) -> None:
        self.disconnected.set()

    async def _record(self, event: str, data: Any = None) -> None:
        self.events[event].put_nowait(data)

    async def connect(self, url: str, **kwargs: Any) -> Client:
        await self.sio.connect(
            url,
            namespaces=[self.namespace],
            transports=["websocket"],
            wait_timeout=TIMEOUT,
            **kwargs,
        )
        return self

    async def next(self, event: str) -> Any:
        return await asyncio.wait_for(self.events[event].get(), TIMEOUT)

    async def until(self, event: str, wanted: Callable[[Any], bool]) -> Any:
        """The first event of this kind that is `wanted` (earlier ones are skipped)."""
        while not wanted(data := await self.next(event)):
            pass
        return data

    def pending(self, event: str) -> list[Any]:
        """Events of this kind received and not yet taken."""
        queue, found = self.events[event], []
        while not queue.empty():
            found.append(queue.get_nowait())
        return found

    async def call(self, event: str, data: Any = None) -> Any:
        """Emit and wait for the ack (the server has fully handled the event)."""
        return await self.sio.call(event, data, namespace=self.namespace, timeout=TIMEOUT)

    async def emit(self, event: str, data: Any = None) -> None:
        await self.sio.emit(event, data, namespace=self.namespace)

    async def close(self) -> None:
        await self.sio.disconnect()


async def visitor_client(server: LiveServer, token: str) -> Client:
    return await Client("/visitor").connect(server.url, auth={"token": token})


def operator_cookie(server: LiveServer, operator_id: int) -> str:
    """The `Cookie:` header of a real sign-in session for this operator."""

    async def run(services: Services) -> str:
        operator = await services.operators.get(operator_id)
        assert operator is not None, f"no operator {operator_id}"
        new = await services.sessions.create(operator, user_agent="tests")
        return f"{COOKIE_NAME}={encode_session(server.config.secret_key, new.token)}"

    return server.call(run)


async def operator_client(server: LiveServer, operator_id: int) -> Client:
    headers = {"Cookie": operator_cookie(server, operator_id)}
    return await Client("/operator").connect(server.url, headers=headers)
