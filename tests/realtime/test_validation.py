"""Every bad inbound event gets an `error` (and an error ack) and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from porch.conversations.tables import conversations, messages
from porch.services import Services
from porch.visitors.tables import page_views, visitors
from tests.support.chat_clients import Client
from tests.support.live_server import LiveServer

LONG = "x" * 4001
URL = "https://shop.example/"


def snapshot(server: LiveServer) -> dict[str, Any]:
    async def run(services: Services) -> dict[str, Any]:
        async with services.db.connect() as conn:
            counts = {
                t.name: await conn.scalar(sa.select(sa.func.count()).select_from(t))
                for t in (messages, conversations, page_views)
            }
            people = await conn.execute(
                sa.select(visitors.c.name, visitors.c.email, visitors.c.attributes)
            )
            return {**counts, "visitors": [tuple(map(str, row)) for row in people]}

    return server.call(run)


async def assert_refused(client: Client, event: str, payload: Any) -> None:
    ack = await client.call(event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert ack["error"]["event"] == event and ack["error"]["message"]
    assert (await client.next("error")) == ack["error"]


VISITOR_CASES = [
    ("message.send", None),
    ("message.send", "hello"),
    ("message.send", ["c-2", "hello"]),
    ("message.send", ("c-2", "hello")),
    ("message.send", {"client_id": "c-2"}),
    ("message.send", {"client_id": "c-2", "body": ""}),
    ("message.send", {"client_id": "c-2", "body": "   \n "}),
    ("message.send", {"client_id": "c-2", "body": LONG}),
    ("message.send", {"client_id": "c-2", "body": 42}),
    ("message.send", {"client_id": "", "body": "hi"}),
    ("message.send", {"client_id": "c" * 65, "body": "hi"}),
    ("message.send", {"client_id": "c 2", "body": "hi"}),
    ("message.send", {"client_id": 2, "body": "hi"}),
    ("message.send", {"client_id": "c-2", "body": "hi", "conversation_id": 1}),
    ("message.send", {"client_id": "c-2", "body": "hi", "internal": True}),
    ("typing", {"draft": LONG}),
    ("typing", {"draft": None}),
    ("typing", {}),
    ("page.view", {"url": "javascript:alert(1)", "title": "", "referrer": ""}),
    ("page.view", {"url": URL + "a" * 2048, "title": "", "referrer": ""}),
    ("page.view", {"url": URL, "title": "t" * 501, "referrer": ""}),
    ("page.view", {"url": URL, "title": "", "referrer": "", "visitor_id": 2}),
    ("visitor.update", {"email": "not-an-email"}),
    ("visitor.update", {"name": ""}),
    ("visitor.update", {"name": "n" * 201}),
    ("visitor.update", {"attributes": {"nested": {"a": 1}}}),
    ("visitor.update", {"attributes": {"list": [1]}}),
    ("visitor.update", {"attributes": {f"k{i}": i for i in range(51)}}),
    ("visitor.update", {"attributes": {"k": "v" * 1001}}),
    ("visitor.update", {"id": 2}),
    ("read", {"conversation_id": 1}),
    ("no.such.event", {}),
]


@pytest.mark.parametrize(("event", "payload"), VISITOR_CASES)
async def test_bad_visitor_events(
    live_server: LiveServer, chat: tuple[Client, Client, int], event: str, payload: Any
) -> None:
    widget, _panel, _cid = chat
    before = snapshot(live_server)
    await assert_refused(widget, event, payload)
    assert snapshot(live_server) == before


def operator_cases(cid: int) -> list[tuple[str, Any]]:
    reply = {"conversation_id": cid, "client_id": "r-1", "body": "ok", "internal": False}
    return [
        ("inbox.list", {"status": "pending"}),
        ("inbox.list", "open"),
        ("conversation.watch", {"conversation_id": "1"}),
        ("conversation.watch", {"conversation_id": True}),
        ("conversation.watch", {"conversation_id": -1}),
        ("conversation.watch", {}),
        ("message.send", {**reply, "body": ""}),
        ("message.send", {**reply, "body": LONG}),
        ("message.send", {**reply, "internal": "yes"}),
        ("message.send", {**reply, "client_id": "bad id"}),
        ("message.send", {**reply, "author": "bot"}),
        ("message.send", {**reply, "conversation_id": None}),
        ("typing", {"conversation_id": cid, "typing": "yes"}),
        ("conversation.assign", {"conversation_id": cid}),
        ("conversation.assign", {"conversation_id": cid, "operator_id": "1"}),
        ("conversation.close", {"conversation_id": cid, "force": True}),
        ("conversation.read", {"conversation_id": str(cid)}),
        ("conversation.read", {}),
        ("conversation.start", {"visitor_id": 1.5}),
        ("presence.set", {"status": "busy"}),
        ("visitors.list", {"site_id": 1}),
        ("operators.list", ["x"]),
    ]


@pytest.mark.parametrize("case", range(len(operator_cases(1))))
async def test_bad_operator_events(
    live_server: LiveServer, chat: tuple[Client, Client, int], case: int
) -> None:
    _widget, panel, cid = chat
    event, payload = operator_cases(cid)[case]
    before = snapshot(live_server)
    await assert_refused(panel, event, payload)
    assert snapshot(live_server) == before
    summary = (await panel.call("inbox.list", {"status": "open"}))["conversations"][0]
    assert (summary["status"], summary["assignee"]) == ("open", None)


async def test_flooding_is_rate_limited(
    live_server: LiveServer, chat: tuple[Client, Client, int]
) -> None:
    widget, _panel, _cid = chat
    page = {"url": URL, "title": "", "referrer": ""}
    acks = [await widget.call("page.view", page) for _ in range(15)]
    refused = [a for a in acks if a is not None]
    assert refused and all(a["error"]["code"] == "rate_limited" for a in refused)
    assert (await widget.next("error"))["code"] == "rate_limited"
    assert snapshot(live_server)["page_views"] == 1 + 15 - len(refused)
