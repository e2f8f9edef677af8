"""The loader's flow edges and the choice click, against a real server: the session reply
says what to watch for; a fired watcher starts the flow and answers with its first
messages; the ping keeps presence and carries page changes and setVisitor; a click on a
choice is stored as the label with its `choice` part, and only a choice actually offered
to that visitor is accepted."""

from __future__ import annotations

from typing import Any

import httpx

from porch.flows import templates
from porch.flows.store import FlowStore
from porch.services import Services
from tests.support.chat_clients import Seeded, open_session, visitor_client
from tests.support.live_server import LiveServer

ORIGIN = "https://shop.example"
PRICING = {"url": "https://shop.example/pricing", "title": "Pricing", "referrer": ""}


def add_template(server: LiveServer, seeded: Seeded, name: str) -> int:
    async def go(services: Services) -> int:
        store = FlowStore(services.db, services.events, services.clock)
        flow = await store.create(seeded.site.id, templates.load(name), enabled=True)
        return flow.id

    return server.call(go)


async def post(server: LiveServer, path: str, body: dict[str, Any], origin: str = ORIGIN) -> Any:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.post(path, content=httpx.Request("POST", "/", json=body).content,
                               headers={"Origin": origin})  # fmt: skip


async def test_watch_fire_and_click(live_server: LiveServer, seeded: Seeded) -> None:
    flow_id = add_template(live_server, seeded, "pricing-page-help")
    home = await open_session(live_server, seeded.site.key)
    assert home["watch"] == {"triggers": [], "display": "teaser", "ping_seconds": 60}
    session = await open_session(live_server, seeded.site.key, home["visitor_token"], page=PRICING)
    assert session["watch"]["triggers"] == [
        {"flow": flow_id, "priority": 60, "on": "timer", "ms": 30_000}
    ]
    token = session["visitor_token"]
    fire = {"visitor_token": token, "on": "timer", "flows": [flow_id], "page": PRICING}
    refused = await post(live_server, "/widget/v1/flows/fire", fire, origin="https://evil.example")
    assert refused.status_code == 403
    assert refused.headers["access-control-allow-origin"] == "https://evil.example"
    started = (await post(live_server, "/widget/v1/flows/fire", fire)).json()
    assert started["started"] == flow_id and started["open"] is False
    [offer] = started["messages"]
    assert offer["author"] == "bot" and offer["parts"]["choices"][0]["id"] == "yes"
    again = (await post(live_server, "/widget/v1/flows/fire", fire)).json()
    assert again == {"started": None, "messages": [], "open": False}  # once per visit

    widget = await visitor_client(live_server, token)
    try:
        await widget.next("hello")
        forged = {"message_id": offer["id"], "choice_id": "maybe"}
        bad = await widget.call("message.send", {"client_id": "c1", "body": "x", "choice": forged})
        assert bad["ok"] is False and "not a choice offered" in bad["error"]["message"]
        click = {"message_id": offer["id"], "choice_id": "yes"}
        ack = await widget.call("message.send", {"client_id": "c2", "body": "?", "choice": click})
        assert ack["ok"] is True
        assert ack["message"]["body"] == "Yes, help me choose"
        assert ack["message"]["parts"] == {"choice": click}
        question = await widget.until("message", lambda m: m["author"] == "bot")
        assert question["body"].startswith("What's your email?")
    finally:
        await widget.close()

    other = await open_session(live_server, seeded.site.key)
    stranger = await visitor_client(live_server, other["visitor_token"])
    try:
        await stranger.next("hello")
        click = {"message_id": offer["id"], "choice_id": "yes"}
        theirs = await stranger.call(
            "message.send", {"client_id": "c3", "body": "x", "choice": click}
        )
        assert theirs["ok"] is False  # another visitor's buttons
    finally:
        await stranger.close()


async def test_ping_keeps_presence_and_carries_page_and_visitor(
    live_server: LiveServer, seeded: Seeded
) -> None:
    session = await open_session(live_server, seeded.site.key)
    token = session["visitor_token"]
    body = {
        "visitor_token": token,
        "page": PRICING,
        "visitor": {"name": "Ann", "attributes": {"plan": "pro"}},
    }
    reply = await post(live_server, "/widget/v1/ping", body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["unread"] == 0 and reply.json()["watch"]["triggers"] == []

    async def seen(services: Services) -> Any:
        [summary] = await services.visitors.list_live(set())
        return summary

    summary = live_server.call(seen)
    assert summary.visitor.name == "Ann" and summary.visitor.attributes == {"plan": "pro"}
    assert summary.visit.current_page.url == PRICING["url"]
    forged = await post(live_server, "/widget/v1/ping", {"visitor_token": "nope"})
    assert forged.status_code == 403
    bad = await post(live_server, "/widget/v1/ping", {"visitor_token": token, "extra": 1})
    assert bad.status_code == 422
