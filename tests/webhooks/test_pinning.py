"""Outbound requests are pinned to the address that was checked: a host name is resolved
once per request, and the connection goes to that answer, so a DNS answer that changes
after the check (DNS rebinding) is never used. The resolvers here answer differently the
second time they are asked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from porch.outbound import TargetRefused, check_target, pinned_client
from porch.webhooks.service import WebhookService
from tests.api.conftest import World
from tests.support.live_server import serve_in_thread


@dataclass
class Rebinding:
    """Answers `first`, then `later` ever after; counts the questions."""

    first: str
    later: str
    asked: list[str] = field(default_factory=list)

    async def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return [self.first if len(self.asked) == 1 else self.later]


@dataclass
class Hook:
    port: int
    hosts: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A receiver on 127.0.0.1 only (127.0.0.2 is loopback too, but refuses)."""
    state = Hook(0)

    async def receive(request: Request) -> Response:
        state.hosts.append(request.headers["host"])
        state.bodies.append(await request.body())
        return PlainTextResponse("thanks")

    server = serve_in_thread(Starlette(routes=[Route("/hook", receive, methods=["POST"])]))
    state.port = int(server.url.rsplit(":", 1)[1])
    yield state
    server.stop()


async def test_the_connection_goes_to_the_checked_answer_with_the_name_kept(hook: Hook) -> None:
    answers = Rebinding("127.0.0.1", "127.0.0.2")
    async with pinned_client(allow_private=True, resolver=answers) as client:
        reply = await client.post(f"http://hooks.example:{hook.port}/hook", content=b"hi")
    assert reply.status_code == 200 and reply.text == "thanks"
    assert answers.asked == ["hooks.example"]  # once: the connection used that answer
    assert hook.hosts == [f"hooks.example:{hook.port}"] and hook.bodies == [b"hi"]
    assert reply.url.host == "hooks.example"  # the caller sees the URL it asked for


async def test_a_private_answer_is_refused_before_connecting(hook: Hook) -> None:
    answers = Rebinding("127.0.0.1", "93.184.216.34")
    async with pinned_client(resolver=answers) as client:
        with pytest.raises(TargetRefused, match="private or local address"):
            await client.post(f"http://shop.example:{hook.port}/hook", content=b"hi")
    assert answers.asked == ["shop.example"] and hook.bodies == []


async def test_each_request_is_checked_again(hook: Hook) -> None:
    """A name that turns private later is refused from then on (a new check per request),
    never connected to."""
    answers = Rebinding("127.0.0.1", "10.0.0.7")
    async with pinned_client(allow_private=False, resolver=answers) as client:
        with pytest.raises(TargetRefused):
            await client.get(f"http://shop.example:{hook.port}/hook")
        with pytest.raises(TargetRefused, match=r"10\.0\.0\.7"):
            await client.get(f"http://shop.example:{hook.port}/hook")
    assert len(answers.asked) == 2 and hook.bodies == []


async def test_https_keeps_the_name_for_tls() -> None:
    """The TLS handshake names the host (SNI) and checks its certificate against the name,
    not the address: a plain-text server on the other end fails the handshake rather than
    being trusted."""
    answers = Rebinding("127.0.0.1", "127.0.0.1")
    server = serve_in_thread(Starlette(routes=[]))
    port = int(server.url.rsplit(":", 1)[1])
    try:
        async with pinned_client(allow_private=True, resolver=answers) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"https://hooks.example:{port}/")
    finally:
        server.stop()
    assert answers.asked == ["hooks.example"]


async def test_webhook_deliveries_go_to_the_checked_address(open_world: World, hook: Hook) -> None:
    world = open_world
    answers = Rebinding("127.0.0.1", "127.0.0.2")
    service = WebhookService(world.services.db, world.services.events, world.clock,
                             allow_private=True, resolver=answers)  # fmt: skip
    try:
        endpoint = await service.create(world.site.id, f"http://hooks.example:{hook.port}/hook",
                                        ["*"])  # fmt: skip
        delivery = await service.send_test(endpoint.id)
        await service.deliver({"delivery_id": delivery.id})
        done = await service.delivery(delivery.id)
    finally:
        await service.close()
    assert done.status == "delivered", done.log
    assert hook.hosts == [f"hooks.example:{hook.port}"] and answers.asked == ["hooks.example"]


async def test_webhook_deliveries_to_a_name_turned_private_fail_unsent(
    world: World, hook: Hook
) -> None:
    answers = Rebinding("127.0.0.1", "127.0.0.1")
    service = WebhookService(world.services.db, world.services.events, world.clock,
                             resolver=answers)  # fmt: skip
    try:
        # Saved while allowed (as an admin may), then the install stops allowing it.
        allowed = WebhookService(world.services.db, world.services.events, world.clock,
                                 allow_private=True)  # fmt: skip
        endpoint = await allowed.create(world.site.id, f"http://hooks.example:{hook.port}/hook",
                                        ["*"])  # fmt: skip
        delivery = await service.send_test(endpoint.id)
        await service.deliver({"delivery_id": delivery.id})
        done = await service.delivery(delivery.id)
    finally:
        await service.close()
    assert done.status == "failed" and "private" in (done.log[-1].error or "")
    assert hook.bodies == []


@pytest.mark.parametrize("url", ["http://\x9cnR\xac\xb0/", "http://" + "a" * 70 + ".example/"])
async def test_host_names_no_resolver_takes_are_refused(url: str) -> None:
    """Refused with a reason (the knowledge form and webhook form show it), never a crash."""
    with pytest.raises(TargetRefused, match="not a valid host name"):
        await check_target(url, allow_private=False)
