"""The answer streams to the visitor's sockets on a live server: the ack comes first
(never waiting for the model), then a typing state, then `bot.stream` with the text
growing, then the stored message with its sources. SQLite only (storage is covered by the
service tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from porch.bot.demo import seed_knowledge
from tests.bot.fake_anthropic import FakeAnthropic, Text, Turn
from tests.support import databases
from tests.support.chat_clients import open_session, operator_client, seed, visitor_client
from tests.support.live_server import LiveServer


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return databases.sqlite_database(tmp_path)


async def test_the_visitor_sees_typing_then_growing_text_then_the_cited_message(
    fake_api: FakeAnthropic, live_server: LiveServer
) -> None:
    site = seed(live_server).site
    live_server.call(lambda services: seed_knowledge(services, site.id))
    answer = "Standard shipping takes 3 to 5 business days and costs $5."
    fake_api.script(Turn([Text(answer, [0])], delay=0.05))
    session = await open_session(live_server, site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    try:
        ack = await widget.call(
            "message.send", {"client_id": "c-1", "body": "How long does shipping take?"}
        )
        assert ack["ok"] is True
        typing = await widget.next("operator.typing")
        assert typing == {"typing": True, "name": "Porch Bot"}
        texts = [(await widget.until("bot.stream", lambda d: bool(d["text"])))["text"]]
        while texts[-1] != answer:
            texts.append((await widget.next("bot.stream"))["text"])
        assert len(texts) > 1 and all(answer.startswith(t) for t in texts)  # it grew
        stored = await widget.until("message", lambda m: m["author"] == "bot")
        assert stored["body"] == answer
        assert stored["parts"]["sources"][0]["title"] == "Shipping and delivery"
    finally:
        await widget.close()


async def test_operators_watching_see_the_answer_grow_and_it_is_stored_once(
    fake_api: FakeAnthropic, live_server: LiveServer
) -> None:
    seeded = seed(live_server)
    site = seeded.site
    live_server.call(lambda services: seed_knowledge(services, site.id))
    hello = "We roast our beans every Tuesday."
    answer = "Standard shipping takes 3 to 5 business days and costs $5."
    fake_api.script(Turn([Text(hello, [0])]), Turn([Text(answer, [0])], delay=0.05))
    session = await open_session(live_server, site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    panel = await operator_client(live_server, seeded.operator.id)
    try:
        sent = await widget.call(
            "message.send", {"client_id": "c-1", "body": "Do you ship to Canada?"}
        )
        conversation_id = sent["message"]["conversation_id"]
        await widget.until("message", lambda m: m["author"] == "bot")
        watched = await panel.call("conversation.watch", {"conversation_id": conversation_id})
        assert watched["ok"] is True
        await widget.call("message.send", {"client_id": "c-2", "body": "How long is shipping?"})
        grown = await panel.until("bot.stream", lambda d: bool(d["text"]))
        assert grown["conversation_id"] == conversation_id and grown["name"] == "Porch Bot"
        texts = [grown["text"]]
        while texts[-1] != answer:
            texts.append((await panel.next("bot.stream"))["text"])
        assert len(texts) > 1 and all(answer.startswith(t) for t in texts)
        stored = await panel.until("message", lambda m: m["author"] == "bot")
        assert stored["body"] == answer and stored["parts"]["sources"]
        await widget.until("message", lambda m: m["body"] == answer)
        again = await panel.call("conversation.watch", {"conversation_id": conversation_id})
        bodies = [m["body"] for m in again["messages"] if m["author"] == "bot"]
        assert bodies == [hello, answer]  # each answer stored once, not per streamed piece
    finally:
        await panel.close()
        await widget.close()
