"""Identity verification through `POST /widget/v1/session`: a site vouches for its user with
an HMAC of their id; only a valid hash makes a visitor verified or links visitors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from porch import wire
from porch.conversations.models import Message
from porch.services import Services
from porch.visitors.identity import identity_hash
from porch.visitors.models import Visitor
from tests.support.chat_clients import PAGE, Seeded
from tests.support.live_server import LiveServer

SHOP = "https://shop.example"


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Origin": SHOP}) as client:
        yield client


def claim(secret: str, user_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": user_id, "hash": identity_hash(secret, user_id), **fields}


async def session(
    http: httpx.AsyncClient, seeded: Seeded, identity: Any = None, token: str | None = None
) -> dict[str, Any]:
    body = {"site_key": seeded.site.key, "visitor_token": token, "page": PAGE}
    if identity is not None:
        body["identity"] = identity
    reply = await http.post("/widget/v1/session", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def visitor(server: LiveServer, visitor_id: int) -> Visitor:
    found = server.call(lambda s: s.visitors.get(visitor_id))
    assert found is not None
    return found


def say(server: LiveServer, visitor_id: int, client_id: str, body: str) -> Message:
    return server.call(lambda s: s.conversations.send_visitor_message(visitor_id, client_id, body))


def history(server: LiveServer, visitor_id: int) -> list[str]:
    async def run(services: Services) -> list[str]:
        hello = await services.conversations.visitor_hello(visitor_id)
        return [m.body for m in hello.messages]

    return server.call(run)


async def test_a_valid_hash_makes_a_verified_visitor(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    secret = seeded.site.identity_secret
    reply = await session(http, seeded, claim(secret, "42", name="Ada", email="ada@shop.example"))
    assert reply["identity"] == "verified"
    assert reply["visitor"]["verified"] is True
    stored = visitor(live_server, reply["visitor"]["id"])
    assert (stored.external_id, stored.name, stored.email) == ("42", "Ada", "ada@shop.example")
    assert wire.visitor(stored)["verified"] is True


async def test_a_wrong_hash_is_refused_plainly_and_the_session_still_opens(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    forged = claim("not-the-secret", "42", name="Ada", email="ada@shop.example")
    reply = await session(http, seeded, forged)
    assert reply["identity"].startswith("rejected") and "hash" in reply["identity"]
    stored = visitor(live_server, reply["visitor"]["id"])
    assert not stored.verified and stored.external_id is None and stored.email is None

    malformed = await session(http, seeded, {"id": 42, "hash": "zz"})
    assert malformed["identity"].startswith("rejected: ") and malformed["visitor_token"]


async def test_the_user_gets_their_visitor_back_on_another_browser(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    ada = claim(seeded.site.identity_secret, "42", name="Ada")
    laptop = await session(http, seeded, ada)
    say(live_server, laptop["visitor"]["id"], "c1", "Where is my order?")
    phone = await session(http, seeded, ada)  # no token: a new browser
    assert phone["visitor"]["id"] == laptop["visitor"]["id"]
    assert history(live_server, phone["visitor"]["id"]) == ["Where is my order?"]


async def test_a_new_user_signing_in_on_two_browsers_at_once_gets_one_visitor(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    # Both requests look the user up before either has stored them: the loser of the race
    # on the unique (site, user id) index must end up as the winner's visitor, not a 5xx.
    ada = claim(seeded.site.identity_secret, "42", name="Ada")
    replies = await asyncio.gather(*(session(http, seeded, ada) for _ in range(4)))
    assert {reply["identity"] for reply in replies} == {"verified"}
    assert len({reply["visitor"]["id"] for reply in replies}) == 1
    later = await session(http, seeded, ada)
    assert later["visitor"]["id"] == replies[0]["visitor"]["id"]


async def test_signing_in_keeps_what_was_said_before(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    ada = claim(seeded.site.identity_secret, "42", name="Ada", email="ada@shop.example")
    earlier = await session(http, seeded, ada)
    say(live_server, earlier["visitor"]["id"], "c1", "Hello from last week")
    anonymous = await session(http, seeded)
    say(live_server, anonymous["visitor"]["id"], "c2", "Hi, before signing in")

    signed_in = await session(http, seeded, ada, token=anonymous["visitor_token"])
    assert signed_in["visitor"]["id"] == earlier["visitor"]["id"]
    assert history(live_server, signed_in["visitor"]["id"]) == [
        "Hello from last week",
        "Hi, before signing in",
    ]
    conversations = live_server.call(lambda s: s.conversations.inbox())
    assert [c.conversation.visitor_id for c in conversations] == [earlier["visitor"]["id"]]


async def test_a_claimed_email_never_links_to_the_verified_user(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    secret = seeded.site.identity_secret
    ada = await session(http, seeded, claim(secret, "42", email="ada@shop.example"))
    impostor = await session(http, seeded)
    impostor_id = impostor["visitor"]["id"]
    live_server.call(lambda s: s.visitors.update(impostor_id, email="ada@shop.example"))
    say(live_server, impostor_id, "c1", "Send my order to another address")

    claimed = visitor(live_server, impostor_id)
    assert claimed.email == "ada@shop.example" and not claimed.verified
    assert wire.visitor(claimed)["verified"] is False
    assert history(live_server, ada["visitor"]["id"]) == []
    again = await session(http, seeded, token=impostor["visitor_token"])
    assert again["visitor"]["id"] == impostor_id


async def test_another_user_on_the_same_browser_is_a_different_visitor(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    secret = seeded.site.identity_secret
    ada = await session(http, seeded, claim(secret, "42", name="Ada"))
    say(live_server, ada["visitor"]["id"], "c1", "Ada's question")
    bob = await session(http, seeded, claim(secret, "7", name="Bob"), token=ada["visitor_token"])
    assert bob["visitor"]["id"] != ada["visitor"]["id"]
    assert visitor(live_server, bob["visitor"]["id"]).name == "Bob"
    assert history(live_server, bob["visitor"]["id"]) == []
    assert history(live_server, ada["visitor"]["id"]) == ["Ada's question"]


async def test_the_browser_cannot_rename_a_verified_visitor(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    secret = seeded.site.identity_secret
    ada = await session(http, seeded, claim(secret, "42", name="Ada", email="ada@shop.example"))
    ada_id = ada["visitor"]["id"]
    live_server.call(lambda s: s.visitors.update(ada_id, name="Eve", email="eve@evil.example"))
    stored = visitor(live_server, ada_id)
    assert (stored.name, stored.email) == ("Ada", "ada@shop.example")


async def test_rotating_the_secret_invalidates_old_hashes(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    old = claim(seeded.site.identity_secret, "42")
    rotated = live_server.call(lambda s: s.sites.rotate_identity_secret(seeded.site.id))
    assert rotated.identity_secret != seeded.site.identity_secret
    assert (await session(http, seeded, old))["identity"].startswith("rejected")
    fresh = await session(http, seeded, claim(rotated.identity_secret, "42"))
    assert fresh["identity"] == "verified"


async def test_the_secret_never_reaches_the_browser(
    http: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await http.post("/widget/v1/session", json={"site_key": seeded.site.key, "page": PAGE})
    assert seeded.site.identity_secret not in reply.text
