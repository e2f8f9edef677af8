"""The wire protocol end to end: a real server, real Socket.IO clients for a visitor's
widget and an operator's panel (docs/protocol.md)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import socketio
import sqlalchemy as sa

from porch.conversations.tables import messages
from porch.db.metadata import utcnow
from porch.panel.sessions import COOKIE_NAME, encode_session
from porch.services import Services
from porch.visitors.tokens import issue_visitor_token
from tests.support.chat_clients import (
    Client,
    Seeded,
    add_operator,
    open_session,
    operator_client,
    operator_cookie,
    visitor_client,
)
from tests.support.live_server import LiveServer

Opener = Callable[..., Awaitable[Client]]


def brief(conversation: dict) -> dict:
    """What these tests check of the visitor's view of a conversation."""
    return {"id": conversation["id"], "status": conversation["status"]}


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    opened: list[Client] = []
    yield opened
    for client in opened:
        await client.close()


@pytest.fixture
def visitor(live_server: LiveServer, seeded: Seeded, clients: list[Client]) -> Opener:
    """Open a widget: session then socket; pass `token=` to come back as the same visitor."""

    async def open_visitor(token: str | None = None) -> Client:
        session = await open_session(live_server, seeded.site.key, token)
        client = await visitor_client(live_server, session["visitor_token"])
        client.session = session  # type: ignore[attr-defined]
        clients.append(client)
        return client

    return open_visitor


@pytest.fixture
def operator(live_server: LiveServer, seeded: Seeded, clients: list[Client]) -> Opener:
    async def open_operator(operator_id: int | None = None) -> Client:
        client = await operator_client(live_server, operator_id or seeded.operator.id)
        clients.append(client)
        return client

    return open_operator


def stored_bodies(server: LiveServer) -> list[str]:
    async def run(services: Services) -> list[str]:
        async with services.db.connect() as conn:
            return list(await conn.scalars(sa.select(messages.c.body).order_by(messages.c.id)))

    return server.call(run)


async def say(visitor: Client, body: str, client_id: str | None = None) -> dict[str, Any]:
    client_id = client_id or f"c-{uuid.uuid4().hex}"
    ack = await visitor.call("message.send", {"client_id": client_id, "body": body})
    assert ack["ok"], ack
    return ack["message"]


async def test_visitor_without_a_valid_token_is_refused(
    live_server: LiveServer, seeded: Seeded
) -> None:
    secret = live_server.config.secret_key
    tokens = [
        None,
        "",
        "garbage",
        issue_visitor_token("another-secret", seeded.site.id, 1),
        issue_visitor_token(secret, seeded.site.id, 999),  # no such visitor
        encode_session(secret, "session-token"),  # a different kind of signed value
    ]
    for token in tokens:
        client = Client("/visitor")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(live_server.url, auth={"token": token})
        await client.close()


async def test_hello_has_history_without_notes(visitor: Opener, operator: Opener) -> None:
    first = await visitor()
    hello = await first.next("hello")
    assert hello["conversation"] is None and hello["messages"] == []
    assert hello["settings"] == {"typing_preview": True} and hello["operators_online"] is False
    assert hello["visitor"]["name"] == first.session["visitor"]["name"]
    message = await say(first, "Hello")
    panel = await operator()
    await panel.call("message.send", _reply(message["conversation_id"], "n1", "VIP", internal=True))
    await panel.call("message.send", _reply(message["conversation_id"], "r1", "Hi there"))
    again = await visitor(token=first.session["visitor_token"])
    hello = await again.next("hello")
    assert brief(hello["conversation"]) == {"id": message["conversation_id"], "status": "open"}
    assert [m["body"] for m in hello["messages"]] == ["Hello", "Hi there"]
    assert hello["operators_online"] is True


def _reply(conversation_id: int, client_id: str, body: str, internal: bool = False) -> dict:
    return {
        "conversation_id": conversation_id,
        "client_id": client_id,
        "body": body,
        "internal": internal,
    }


async def test_message_is_acked_stored_and_a_resend_is_a_no_op(
    visitor: Opener, operator: Opener, live_server: LiveServer
) -> None:
    widget = await visitor()
    await widget.next("hello")
    first = await say(widget, "  Where is my order?  ", client_id="c-42")
    assert first["body"] == "Where is my order?" and first["author"] == "visitor"
    assert first["author_name"] == widget.session["visitor"]["name"]
    panel = await operator()
    await panel.call("conversation.watch", {"conversation_id": first["conversation_id"]})
    resend = await say(widget, "Where is my order?", client_id="c-42")
    assert resend == first
    await say(widget, "Hello?", client_id="c-43")
    seen = [await panel.next("message")]
    assert [m["client_id"] for m in seen + panel.pending("message")] == ["c-43"]
    assert stored_bodies(live_server) == ["Where is my order?", "Hello?"]


async def test_operator_sees_the_message_live_and_the_reply_reaches_every_tab(
    visitor: Opener, operator: Opener
) -> None:
    panel = await operator()
    tab1 = await visitor()
    tab2 = await visitor(token=tab1.session["visitor_token"])
    message = await say(tab1, "Do you ship to Norway?")
    update = await panel.next("conversation.updated")
    assert update["last_message"]["body"] == "Do you ship to Norway?" and update["unread"] == 1
    assert (await tab2.next("message"))["body"] == "Do you ship to Norway?"
    watch = await panel.call("conversation.watch", {"conversation_id": message["conversation_id"]})
    assert watch["ok"] and [m["body"] for m in watch["messages"]] == ["Do you ship to Norway?"]
    assert watch["visitor"]["online"] is True and watch["conversation"]["unread"] == 0
    assert watch["visitor"]["visit_started_at"]
    ack = await panel.call("message.send", _reply(message["conversation_id"], "r-1", "We do!"))
    assert ack["message"]["author"] == "operator" and ack["message"]["author_name"] == "Olivia"
    for tab in (tab1, tab2):
        bodies = [(await tab.next("message"))["body"] for _ in range(1 + (tab is tab1))]
        assert bodies[-1] == "We do!"


async def test_internal_notes_never_reach_the_visitor(visitor: Opener, operator: Opener) -> None:
    widget = await visitor()
    message = await say(widget, "Refund please")
    assert (await widget.next("message"))["body"] == "Refund please"
    panel = await operator()
    await panel.call("conversation.watch", {"conversation_id": message["conversation_id"]})
    note = await panel.call(
        "message.send", _reply(message["conversation_id"], "n-1", "Fraud risk", internal=True)
    )
    assert note["message"]["internal"] is True
    assert (await panel.next("message"))["body"] == "Fraud risk"  # other operators do see it
    await panel.call("message.send", _reply(message["conversation_id"], "r-1", "Sure"))
    assert (await widget.next("message"))["body"] == "Sure"
    assert widget.pending("message") == []


async def test_a_visitor_never_sees_another_visitors_conversation(
    visitor: Opener, operator: Opener
) -> None:
    alice = await visitor()
    bob = await visitor()
    await bob.next("hello")
    mine = await say(alice, "Alice here")
    panel = await operator()
    await panel.call("message.send", _reply(mine["conversation_id"], "r-1", "Hi Alice"))
    await panel.call("conversation.start", {"visitor_id": alice.session["visitor"]["id"]})
    theirs = await say(bob, "Bob here")
    assert theirs["conversation_id"] != mine["conversation_id"]
    assert [m["body"] for m in [await bob.next("message"), *bob.pending("message")]] == ["Bob here"]
    assert [c["id"] for c in bob.pending("conversation")] == [theirs["conversation_id"]]


@pytest.mark.parametrize("preview", [True, False])
async def test_typing_preview_follows_the_site_setting(
    live_server: LiveServer, seeded: Seeded, visitor: Opener, operator: Opener, preview: bool
) -> None:
    async def configure(services: Services) -> None:
        await services.sites.update_settings(seeded.site.id, typing_preview=preview)

    live_server.call(configure)
    widget = await visitor()
    assert (await widget.next("hello"))["settings"] == {"typing_preview": preview}
    first = await say(widget, "Hi")
    panel = await operator()
    watch = await panel.call("conversation.watch", {"conversation_id": first["conversation_id"]})
    assert watch["draft"] == ""
    await widget.call("typing", {"draft": "my card number is"})
    await say(widget, "Sent")
    assert (await panel.next("message"))["body"] == "Sent"
    drafts = [d["draft"] for d in panel.pending("visitor.typing")]
    assert drafts == (["my card number is"] if preview else [])
    if preview:
        await widget.call("typing", {"draft": "still typ"})
        again = await panel.call(
            "conversation.watch", {"conversation_id": first["conversation_id"]}
        )
        assert again["draft"] == "still typ"


async def test_first_draft_opens_the_conversation_for_a_live_preview(
    visitor: Opener, operator: Opener
) -> None:
    panel = await operator()
    widget = await visitor()
    await widget.call("typing", {"draft": "Hel"})
    conversation = await widget.next("conversation")
    summary = await panel.next("conversation.updated")
    assert summary["id"] == conversation["id"] and summary["last_message"] is None
    watch = await panel.call("conversation.watch", {"conversation_id": conversation["id"]})
    assert watch["draft"] == "Hel"
    await widget.call("typing", {"draft": "Hello"})
    assert await panel.next("visitor.typing") == {
        "conversation_id": conversation["id"],
        "draft": "Hello",
    }


async def test_operator_typing_reaches_the_visitor(visitor: Opener, operator: Opener) -> None:
    widget = await visitor()
    message = await say(widget, "Hi")
    panel = await operator()
    await panel.call("typing", {"conversation_id": message["conversation_id"], "typing": True})
    assert await widget.next("operator.typing") == {"typing": True, "name": "Olivia"}


async def test_presence_changes_reach_the_widget(
    visitor: Opener, operator: Opener, live_server: LiveServer, seeded: Seeded
) -> None:
    widget = await visitor()
    assert (await widget.next("hello"))["operators_online"] is False
    panel = await operator()
    assert await widget.next("presence") == {"operators_online": True}
    assert (await panel.next("presence"))["operators"][0]["status"] == "online"
    assert (await panel.call("presence.set", {"status": "away"}))["ok"]
    assert await widget.next("presence") == {"operators_online": False}
    assert (await panel.next("presence"))["operators"][0]["status"] == "away"
    listed = await panel.call("operators.list", {})
    assert [(o["name"], o["status"]) for o in listed["operators"]] == [("Olivia", "away")]
    await panel.call("presence.set", {"status": "online"})
    assert await widget.next("presence") == {"operators_online": True}
    later = await open_session(live_server, seeded.site.key)
    assert later["operators_online"] is True
    await panel.close()
    assert await widget.next("presence") == {"operators_online": False}


async def test_assign_close_reopen(
    visitor: Opener, operator: Opener, live_server: LiveServer
) -> None:
    sam_id = add_operator(live_server).id
    widget = await visitor()
    message = await say(widget, "Hi")
    cid = message["conversation_id"]
    panel = await operator()
    assigned = await panel.call(
        "conversation.assign", {"conversation_id": cid, "operator_id": sam_id}
    )
    assert assigned["conversation"]["assignee"] == {"id": sam_id, "name": "Sam"}
    assert (await panel.next("conversation.updated"))["assignee"]["name"] == "Sam"
    unassigned = await panel.call(
        "conversation.assign", {"conversation_id": cid, "operator_id": None}
    )
    assert unassigned["conversation"]["assignee"] is None
    closed = await panel.call("conversation.close", {"conversation_id": cid})
    assert closed["conversation"]["status"] == "closed"
    assert brief(await widget.next("conversation")) == {"id": cid, "status": "open"}  # created
    assert brief(await widget.next("conversation")) == {"id": cid, "status": "closed"}
    inbox = await panel.call("inbox.list", {"status": "closed"})
    assert [c["id"] for c in inbox["conversations"]] == [cid]
    assert (await panel.call("inbox.list", {"status": "open"}))["conversations"] == []
    reopened = await panel.call("conversation.reopen", {"conversation_id": cid})
    assert reopened["conversation"]["status"] == "open"
    assert brief(await widget.next("conversation")) == {"id": cid, "status": "open"}


async def test_operator_starts_a_chat_from_the_live_visitors_list(
    visitor: Opener, operator: Opener
) -> None:
    panel = await operator()
    widget = await visitor()
    seen = await panel.next("visitor.updated")
    assert seen["id"] == widget.session["visitor"]["id"] and seen["online"] is True
    listed = await panel.call("visitors.list", {})
    assert [v["id"] for v in listed["visitors"]] == [seen["id"]]
    assert listed["visitors"][0]["current_page"]["title"] == "Blue mug"
    started = await panel.call("conversation.start", {"visitor_id": seen["id"]})
    cid = started["conversation"]["id"]
    assert started["conversation"]["assignee"]["name"] == "Olivia"
    assert brief(await widget.next("conversation")) == {"id": cid, "status": "open"}
    await panel.call("message.send", _reply(cid, "r-1", "Need a hand?"))
    assert (await widget.next("message"))["body"] == "Need a hand?"


async def test_visitor_updates_reach_operators(visitor: Opener, operator: Opener) -> None:
    panel = await operator()
    widget = await visitor()
    vid = widget.session["visitor"]["id"]
    assert (await panel.next("visitor.updated"))["id"] == vid
    cart = {"url": "https://shop.example/cart", "title": "Cart"}
    await widget.call("page.view", {**cart, "referrer": ""})
    update = await panel.until("visitor.updated", lambda v: v["current_page"] == cart)
    assert update["pages_viewed"] == 2 and update["online"] is True
    ack = await widget.call(
        "visitor.update", {"name": "Ann", "email": "ann@example.com", "attributes": {"plan": "pro"}}
    )
    assert ack == {"ok": True}
    update = await panel.until("visitor.updated", lambda v: v["name"] == "Ann")
    assert update["email"] == "ann@example.com"
    await widget.close()
    assert (await panel.until("visitor.updated", lambda v: not v["online"]))["id"] == vid


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Cookie": f"{COOKIE_NAME}=forged"},
        {"Cookie": f"{COOKIE_NAME}={encode_session('other-secret', 'session-token')}"},
    ],
)
async def test_operator_socket_needs_a_session(live_server: LiveServer, headers: dict) -> None:
    client = Client("/operator")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(live_server.url, headers=headers)


async def test_operator_socket_refuses_other_origins(
    live_server: LiveServer, seeded: Seeded
) -> None:
    cookie = operator_cookie(live_server, seeded.operator.id)  # a live session
    client = Client("/operator")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            live_server.url, headers={"Cookie": cookie, "Origin": "https://evil.example"}
        )


async def test_unknown_conversations_are_not_found(operator: Opener) -> None:
    panel = await operator()
    for event, payload in [
        ("conversation.watch", {"conversation_id": 999}),
        ("conversation.close", {"conversation_id": 999}),
        ("conversation.read", {"conversation_id": 999}),
        ("conversation.start", {"visitor_id": 999}),
        ("message.send", _reply(999, "x", "hello")),
    ]:
        ack = await panel.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "not_found", event
        assert (await panel.next("error"))["event"] == event


async def test_conversation_read_clears_unread_for_every_operator(
    visitor: Opener, operator: Opener, live_server: LiveServer
) -> None:
    sam = add_operator(live_server)
    widget = await visitor()
    cid = (await say(widget, "Hi"))["conversation_id"]
    olivia, other = await operator(), await operator(sam.id)
    await say(widget, "Anyone there?")
    assert (await other.until("conversation.updated", lambda s: s["id"] == cid))["unread"] == 2
    ack = await olivia.call("conversation.read", {"conversation_id": cid})
    assert ack["ok"] and ack["conversation"]["id"] == cid and ack["conversation"]["unread"] == 0
    assert (await other.next("conversation.updated"))["unread"] == 0
    listed = (await other.call("inbox.list", {"status": "open"}))["conversations"]
    assert [(c["id"], c["unread"]) for c in listed] == [(cid, 0)]
    assert [brief(c) for c in widget.pending("conversation")] == [
        {"id": cid, "status": "open"}
    ]  # not the visitor's


def add_message(server: LiveServer, conversation_id: int, author: str, body: str) -> None:
    """A message from an author no socket event sends as (bot, system), stored directly."""

    async def run(services: Services) -> None:
        async with services.db.begin() as conn:
            await conn.execute(
                messages.insert().values(
                    conversation_id=conversation_id,
                    client_id=f"c-{uuid.uuid4().hex}",
                    author=author,
                    body=body,
                    internal=False,
                    created_at=utcnow(),
                )
            )

    server.call(run)


async def test_unread_replies_wait_for_the_visitor_in_session_and_hello(
    visitor: Opener, operator: Opener, live_server: LiveServer
) -> None:
    widget = await visitor()
    assert widget.session["unread"] == 0 and (await widget.next("hello"))["unread"] == 0
    token = widget.session["visitor_token"]
    cid = (await say(widget, "Is the mug dishwasher safe?"))["conversation_id"]
    panel = await operator()
    await panel.call("message.send", _reply(cid, "n-1", "Check stock", internal=True))
    await panel.call("message.send", _reply(cid, "r-1", "Yes it is"))
    add_message(live_server, cid, "bot", "Anything else?")
    add_message(live_server, cid, "system", "Olivia joined")
    await say(widget, "Thanks!")
    await widget.close()

    back = await visitor(token=token)  # the shopper comes back: session, then socket
    assert back.session["unread"] == 2  # the reply and the bot's, not the note nor "Thanks!"
    assert (await back.next("hello"))["unread"] == 2
    await back.call("read", {})  # acked once the read is stored
    again = await visitor(token=token)
    assert again.session["unread"] == 0 and (await again.next("hello"))["unread"] == 0

    await panel.call("message.send", _reply(cid, "r-2", "Anything else I can do?"))
    later = await visitor(token=token)
    assert later.session["unread"] == 1 and (await later.next("hello"))["unread"] == 1


def set_reopen_window(server: LiveServer, site_id: int, hours: float) -> None:
    server.call(lambda s: s.sites.update_settings(site_id, reopen_window_hours=hours))


async def test_a_new_conversation_after_a_close_and_the_earlier_one_in_history(
    visitor: Opener, operator: Opener, live_server: LiveServer, seeded: Seeded
) -> None:
    set_reopen_window(live_server, seeded.site.id, 0)
    widget = await visitor()
    first = (await say(widget, "Where is order 1001?"))["conversation_id"]
    panel = await operator()
    await panel.call("message.send", _reply(first, "r1", "On its way 🚚"))
    await panel.call("conversation.close", {"conversation_id": first})
    assert brief(await widget.next("conversation")) == {"id": first, "status": "open"}
    assert brief(await widget.next("conversation")) == {"id": first, "status": "closed"}

    second = (await say(widget, "Another question"))["conversation_id"]
    assert second != first
    assert brief(await widget.next("conversation")) == {"id": second, "status": "open"}
    opened = await panel.until("conversation.updated", lambda s: s["id"] == second)
    assert opened["status"] == "open" and opened["visitor_id"] == widget.session["visitor"]["id"]

    again = await visitor(token=widget.session["visitor_token"])
    hello = await again.next("hello")
    assert brief(hello["conversation"]) == {"id": second, "status": "open"}
    assert [m["body"] for m in hello["messages"]] == ["Another question"]
    [earlier] = hello["earlier"]
    assert (earlier["id"], earlier["status"]) == (first, "closed")
    assert earlier["last_message"]["body"] == "On its way 🚚"
    transcript = await again.call("conversation.transcript", {"conversation_id": first})
    assert [m["body"] for m in transcript["messages"]] == ["Where is order 1001?", "On its way 🚚"]

    watched = await panel.call("conversation.watch", {"conversation_id": second})
    assert [(c["id"], c["status"]) for c in watched["history"]] == [(first, "closed")]
    refused = await panel.call("conversation.reopen", {"conversation_id": first})
    assert refused["error"]["code"] == "invalid"


async def test_a_visitor_cannot_read_another_visitors_transcript(visitor: Opener) -> None:
    alice, bob = await visitor(), await visitor()
    theirs = (await say(alice, "my address is 1 Main St"))["conversation_id"]
    refused = await bob.call("conversation.transcript", {"conversation_id": theirs})
    assert refused == {
        "ok": False,
        "error": {
            "code": "not_found",
            "message": f"no conversation {theirs}",
            "event": "conversation.transcript",
        },
    }
