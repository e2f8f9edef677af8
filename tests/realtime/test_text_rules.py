"""Text on the sockets, on SQLite and PostgreSQL: any Unicode (emoji, astral letters, flags,
skin tones, ZWJ sequences) is stored and delivered intact; NUL, which PostgreSQL cannot
store, and lone surrogates are refused alike on both with a clear `invalid` error."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from porch.conversations.tables import messages
from porch.services import Services
from porch.visitors.tables import page_views, visitors
from tests.support.chat_clients import Client
from tests.support.live_server import LiveServer

EMOJI = "🚀 rocket 𝒜 🇫🇷 👍🏽 👩‍👩‍👧 é"
URL = "https://shop.example/"


def stored(server: LiveServer) -> dict[str, Any]:
    """Every stored text a socket event can write."""

    async def run(services: Services) -> dict[str, Any]:
        async with services.db.connect() as conn:
            bodies = await conn.scalars(sa.select(messages.c.body).order_by(messages.c.id))
            titles = await conn.scalars(sa.select(page_views.c.title).order_by(page_views.c.id))
            people = await conn.execute(
                sa.select(visitors.c.name, visitors.c.email, visitors.c.attributes)
            )
            return {
                "bodies": list(bodies),
                "titles": list(titles),
                "visitors": [tuple(map(str, row)) for row in people],
            }

    return server.call(run)


@pytest.fixture
async def watched(chat: tuple[Client, Client, int]) -> tuple[Client, Client, int]:
    """The chat with the operator watching the conversation (drafts and messages reach it)."""
    _widget, panel, cid = chat
    assert (await panel.call("conversation.watch", {"conversation_id": cid}))["ok"] is True
    return chat


async def test_non_bmp_text_round_trips(
    live_server: LiveServer, watched: tuple[Client, Client, int]
) -> None:
    widget, panel, cid = watched
    await widget.emit("typing", {"draft": EMOJI})
    draft = await panel.until("visitor.typing", lambda d: d["draft"] != "")
    assert draft["draft"] == EMOJI

    ack = await widget.call("message.send", {"client_id": "c-2", "body": EMOJI})
    assert ack["ok"] is True and ack["message"]["body"] == EMOJI
    seen = await panel.until("message", lambda m: m["client_id"] == "c-2")
    assert seen["body"] == EMOJI

    reply = {"conversation_id": cid, "client_id": "r-1", "body": "Merci " + EMOJI}
    assert (await panel.call("message.send", reply))["ok"] is True
    got = await widget.until("message", lambda m: m["client_id"] == "r-1")
    assert got["body"] == "Merci " + EMOJI

    update = {"name": "Zoë 🚀", "email": "zoe@shop.example", "attributes": {"plan 👍🏽": "🇫🇷"}}
    assert (await widget.call("visitor.update", update))["ok"] is True
    await widget.call("page.view", {"url": URL + "🚀", "title": EMOJI, "referrer": ""})

    data = stored(live_server)
    assert data["bodies"] == ["Hi", EMOJI, "Merci " + EMOJI]
    assert data["titles"][-1] == EMOJI
    assert "Zoë 🚀" in data["visitors"][0][0] and "plan 👍🏽" in data["visitors"][0][2]


NUL = "a\x00b"
LONE = "a\ud83db"  # half of 🚀: what a broken encoder sends

NUL_CASES = [
    ("message.send", {"client_id": "c-3", "body": NUL}),
    ("typing", {"draft": NUL}),
    ("page.view", {"url": URL, "title": NUL, "referrer": ""}),
    ("page.view", {"url": URL + NUL, "title": "", "referrer": ""}),
    ("page.view", {"url": URL, "title": "", "referrer": URL + NUL}),
    ("visitor.update", {"name": NUL}),
    ("visitor.update", {"email": "a\x00@shop.example"}),
    ("visitor.update", {"attributes": {"plan": NUL}}),
    ("visitor.update", {"attributes": {NUL: "gold"}}),
]
SURROGATE_CASES = [
    ("message.send", {"client_id": "c-3", "body": LONE}),
    ("typing", {"draft": LONE}),
    ("page.view", {"url": URL, "title": LONE, "referrer": ""}),
    ("visitor.update", {"name": LONE}),
]
VISITOR_CASES = [(*case, "NUL") for case in NUL_CASES] + [
    (*case, "lone surrogate") for case in SURROGATE_CASES
]


async def assert_refused(client: Client, event: str, payload: Any, why: str) -> None:
    ack = await client.call(event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert why in ack["error"]["message"], ack
    assert (await client.next("error")) == ack["error"]


@pytest.mark.parametrize(("event", "payload", "why"), VISITOR_CASES)
async def test_nul_and_lone_surrogates_are_refused_from_visitors(
    live_server: LiveServer, watched: tuple[Client, Client, int], event: str, payload: Any, why: str
) -> None:
    widget, _panel, _cid = watched
    before = stored(live_server)
    await assert_refused(widget, event, payload, why)
    assert stored(live_server) == before


@pytest.mark.parametrize(("body", "why"), [(NUL, "NUL"), (LONE, "lone surrogate")])
async def test_nul_and_lone_surrogates_are_refused_from_operators(
    live_server: LiveServer, watched: tuple[Client, Client, int], body: str, why: str
) -> None:
    _widget, panel, cid = watched
    before = stored(live_server)
    reply = {"conversation_id": cid, "client_id": "r-2", "body": body, "internal": False}
    await assert_refused(panel, "message.send", reply, why)
    assert stored(live_server) == before
