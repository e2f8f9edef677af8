"""The real Porch application (every feature installed) served in-process to an httpx
client, on a `ManualClock` started near the real time (webhook signatures carry it):
tests move time and run due jobs (`world.run_due()`) instead of sleeping.

`receiver` is a real HTTP server on 127.0.0.1 that records what it is sent and answers
with the statuses a test queues."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from porch.api.keys import KeyService
from porch.app import FEATURES, build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site
from porch.visitors.models import Page
from tests.support.live_server import ThreadedServer, serve_in_thread

PAGE = Page("https://shop.example/", "Home", "")


@dataclass
class World:
    services: Services
    clock: ManualClock
    http: httpx.AsyncClient
    site: Site
    other_site: Site
    olivia: Operator
    write_token: str
    read_token: str
    other_token: str

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.write_token}"}

    async def get(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        return await self.http.get(path, headers=self.auth(token), params=params)

    async def post(self, path: str, body: Any = None, token: str | None = None,
                   **headers: str) -> httpx.Response:  # fmt: skip
        return await self.http.post(path, json=body, headers={**self.auth(token), **headers})

    async def patch(self, path: str, body: Any, token: str | None = None) -> httpx.Response:
        return await self.http.patch(path, json=body, headers=self.auth(token))

    async def delete(self, path: str, token: str | None = None) -> httpx.Response:
        return await self.http.delete(path, headers=self.auth(token))

    async def run_due(self) -> int:
        return await self.services.jobs.run_due()

    async def chat(self, body: str = "Where is my order?", site: Site | None = None) -> int:
        """A new visitor writes; the id of their conversation."""
        visitor = await self.services.visitors.open_session(site or self.site, None, PAGE)
        message = await self.services.conversations.send_visitor_message(
            visitor.id, "m-" + body[:20].replace(" ", "-"), body
        )
        return message.conversation_id


async def make_world(config: Config) -> World:
    # A minute ahead: jobs written at the real time are due on it; signatures stay within
    # the receiver's five-minute tolerance.
    clock = ManualClock(datetime.now(UTC) + timedelta(minutes=1))
    services = build_services(config, clock=clock)
    for install in FEATURES:
        install(services)
    app = Starlette(routes=services.routes)
    site = await services.sites.create("Shop", ["https://shop.example"])
    other = await services.sites.create("Other", ["https://other.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    keys = KeyService(services.db, clock)
    write = await keys.create(site.id, "CRM sync", "write")
    read = await keys.create(site.id, "Reports", "read")
    other_key = await keys.create(other.id, "Other's", "write")
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://porch.test")
    return World(services, clock, http, site, other, olivia, write.token, read.token,
                 other_key.token)  # fmt: skip


@pytest.fixture
async def world(config: Config) -> AsyncIterator[World]:
    made = await make_world(config)
    yield made
    await made.http.aclose()
    for stop in reversed(made.services.on_shutdown):
        await stop()
    await made.services.db.dispose()


@pytest.fixture
async def open_world(config: Config) -> AsyncIterator[World]:
    """The install allows private targets (`PORCH_ALLOW_PRIVATE_TARGETS=1`): webhooks may
    reach the local receiver."""
    made = await make_world(dataclasses.replace(config, allow_private_targets=True))
    yield made
    await made.http.aclose()
    for stop in reversed(made.services.on_shutdown):
        await stop()
    await made.services.db.dispose()


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    replies: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """Statuses (and headers) to answer with, in order; then 200."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    async def hook(request: Request) -> Response:
        state.received.append((dict(request.headers), await request.body()))
        status, headers = state.replies.pop(0) if state.replies else (200, {})
        return PlainTextResponse(f"answered {status}", status, headers=headers)

    server: ThreadedServer = serve_in_thread(
        Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    )
    state.url = server.url + "/hook"
    yield state
    server.stop()
