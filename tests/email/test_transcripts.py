"""Transcripts by mail over the real sockets: the visitor asks from the widget's socket,
an operator sends one; at most three a day to one address."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage

import pytest

from porch.config import Config
from porch.email.transcripts import NO_EMAIL
from tests.email.conftest import SUPPORT, Sink
from tests.support.chat_clients import open_session, operator_client, seed, visitor_client
from tests.support.live_server import LiveServer, start_live_server


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    sink = Sink()
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
def server(config: Config, sink: Sink) -> Iterator[LiveServer]:
    live = start_live_server(dataclasses.replace(config, smtp_url=f"smtp://127.0.0.1:{sink.port}"))
    yield live
    live.stop()


async def mails_to(sink: Sink, address: str, count: int) -> list[EmailMessage]:
    for _ in range(300):  # the server's job worker sends
        if len(sink.to(address)) >= count:
            return sink.to(address)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{address} got {len(sink.to(address))} mails, not {count}")


async def test_visitor_and_operator_send_transcripts(server: LiveServer, sink: Sink) -> None:
    seeded = seed(server, support_email=SUPPORT)
    session = await open_session(server, seeded.site.key)
    visitor = await visitor_client(server, session["visitor_token"])
    try:
        sent = await visitor.call("message.send", {"client_id": "m-1", "body": "Size 42 <b>?"})
        assert sent["ok"], sent
        ack = await visitor.call("transcript.request", {"email": "Sam@Example.no"})
        assert ack == {"ok": True, "email": "sam@example.no"}
        [mail] = await mails_to(sink, "sam@example.no", 1)
        assert mail["Subject"] == "Your conversation with Shop"
        assert "Size 42 <b>?" in mail.get_body(("plain",)).get_content()
        assert "Size 42 &lt;b&gt;?" in mail.get_body(("html",)).get_content()
        assert mail["Reply-To"].startswith("support+c")

        operator = await operator_client(server, seeded.operator.id)
        try:
            conversation_id = sent["message"]["conversation_id"]
            for _ in range(2):
                ack = await operator.call(
                    "email.transcript",
                    {"conversation_id": conversation_id, "email": "sam@example.no"},
                )
                assert ack["ok"], ack
            refused = await operator.call(
                "email.transcript", {"conversation_id": conversation_id, "email": "sam@example.no"}
            )
            assert refused["ok"] is False
        finally:
            await operator.close()
        await mails_to(sink, "sam@example.no", 3)
        bad = await visitor.call("transcript.request", {"email": "not an address"})
        assert bad["ok"] is False
    finally:
        await visitor.close()


async def test_the_inbox_button_refuses_clearly_without_a_known_email(
    server: LiveServer, sink: Sink
) -> None:
    """`email.transcript` without an address (the inbox's "Email transcript")."""
    seeded = seed(server, support_email=SUPPORT)
    session = await open_session(server, seeded.site.key)
    visitor = await visitor_client(server, session["visitor_token"])
    operator = await operator_client(server, seeded.operator.id)
    try:
        sent = await visitor.call("message.send", {"client_id": "m-1", "body": "Hello"})
        conversation_id = sent["message"]["conversation_id"]
        refused = await operator.call("email.transcript", {"conversation_id": conversation_id})
        assert refused["ok"] is False
        assert refused["error"]["message"] == NO_EMAIL
        assert sink.sent == []
    finally:
        await operator.close()
        await visitor.close()
