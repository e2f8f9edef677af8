"""Email in Chromium: a customer's mail to the support address (real SMTP to the server's
listener) appears live on the panel's Tickets page; the operator answers in the panel and
the customer gets the answer by mail (a real SMTP sink), threaded on the ticket."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect

from porch.config import Config
from tests.e2e.pages import Inbox
from tests.email.conftest import SUPPORT, Sink, mail, send
from tests.support.chat_clients import seed
from tests.support.live_server import LiveServer, free_port, start_live_server

LIVE = 15_000  # ms: a socket event, or a job worker's next look


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    sink = Sink()
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
def mail_server(config: Config, sink: Sink) -> AsyncIterator[LiveServer]:
    config = dataclasses.replace(
        config,
        smtp_listen=f"127.0.0.1:{free_port()}",
        smtp_url=f"smtp://127.0.0.1:{sink.port}",
    )
    server = start_live_server(config)
    yield server  # type: ignore[misc]
    server.stop()


async def mails_to(sink: Sink, address: str, count: int) -> list:
    """Wait (the server's job worker sends) until `count` mails reached `address`."""
    for _ in range(300):
        if len(sink.to(address)) >= count:
            return sink.to(address)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{address} got {len(sink.to(address))} mails, not {count}")


async def test_an_email_ticket_is_answered_from_the_panel(
    mail_server: LiveServer, sink: Sink, new_tab
) -> None:
    seed(mail_server, support_email=SUPPORT)
    tab = await new_tab()
    page: Page = tab.page
    await Inbox(page, mail_server.url).sign_in("olivia@shop.example", "pw-123456")
    await page.goto(mail_server.url + "/panel/tickets")
    await page.locator("[data-testid=ticket-view][data-view=unassigned]").click()
    await expect(page.get_by_test_id("tickets-empty")).to_be_visible(timeout=LIVE)

    port = int(mail_server.config.smtp_listen.rsplit(":", 1)[1])
    reply = await send(port, mail("Where is my order?", "It is late."), "dana@example.com")
    assert reply.startswith("250")

    [ack] = await mails_to(sink, "dana@example.com", 1)
    assert "[#1001]" in ack["Subject"]
    item = page.get_by_test_id("ticket-item").first
    await expect(item).to_be_visible(timeout=LIVE)  # live, without a reload
    await expect(item).to_contain_text("Where is my order?")

    await item.get_by_role("link").click()
    await expect(page.get_by_test_id("ticket-messages")).to_contain_text("It is late.")

    inbox = Inbox(page, mail_server.url)
    await page.goto(mail_server.url + "/panel")
    await inbox.open_first_conversation()
    await inbox.reply("A new parcel is on its way <today>.")
    await expect(inbox.messages("operator")).to_contain_text("A new parcel is on its way")

    _, answer = await mails_to(sink, "dana@example.com", 2)
    assert answer["Subject"] == "Re: Where is my order? [#1001]"
    assert answer["In-Reply-To"] == ack["In-Reply-To"]
    assert "A new parcel is on its way <today>." in answer.get_body(("plain",)).get_content()
    assert tab.errors == []


async def test_email_transcript_from_the_inbox(
    mail_server: LiveServer, sink: Sink, new_tab
) -> None:
    """The conversation view's "Email transcript" mails the chat to the visitor's email."""
    seed(mail_server, support_email=SUPPORT)
    port = int(mail_server.config.smtp_listen.rsplit(":", 1)[1])
    reply = await send(port, mail("Broken lamp", "It arrived broken."), "dana@example.com")
    assert reply.startswith("250")
    await mails_to(sink, "dana@example.com", 1)  # the acknowledgement

    tab = await new_tab()
    page: Page = tab.page
    inbox = Inbox(page, mail_server.url)
    await inbox.sign_in("olivia@shop.example", "pw-123456")
    await inbox.open_first_conversation()
    await page.get_by_test_id("email-transcript").click()
    result = page.get_by_test_id("email-transcript-result")
    await expect(result).to_have_text("Transcript sent to dana@example.com.", timeout=LIVE)
    _, transcript = await mails_to(sink, "dana@example.com", 2)
    assert "It arrived broken." in transcript.get_body(("plain",)).get_content()
    assert tab.errors == []
