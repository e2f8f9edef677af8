"""The first slice end to end: a shopper on the demo storefront chats with an operator.

Runs on SQLite and PostgreSQL, in Debian's Chromium, through the real loader, widget,
Socket.IO server and panel.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from porch.demo.seed import Demo
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Storefront
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.every_backend]  # the core chat, on both databases

XSS = "<img src=x onerror=alert(1)>"


async def test_visitor_and_operator_chat_live(chat_tabs: ChatTabs) -> None:
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    await shop.visit()
    await shop.open_chat()

    # The visitor types: the conversation appears and the operator sees the draft live.
    await shop.input.fill("Do you ship to Lisbon")
    await inbox.open_first_conversation()
    await expect(inbox.typing_preview).to_contain_text("Do you ship to Lisbon")
    await shop.input.press_sequentially("?")
    await expect(inbox.typing_preview).to_contain_text("Do you ship to Lisbon?")

    # The visitor sends: the operator sees the message and the preview clears.
    await shop.frame.get_by_test_id("porch-send").click()
    await expect(inbox.messages("visitor")).to_contain_text(["Do you ship to Lisbon?"])
    await expect(inbox.typing_preview).to_be_hidden()
    await expect(shop.input).to_have_value("")

    # The operator types (the visitor sees it) and replies.
    await operator_tab.page.get_by_test_id("reply-input").fill("Yes")
    await expect(shop.frame.get_by_test_id("porch-typing")).to_be_visible()
    await inbox.reply("Yes, in 2-3 days.")
    await expect(shop.messages("operator")).to_contain_text(["Yes, in 2-3 days."])
    await expect(shop.frame.get_by_test_id("porch-typing")).to_be_hidden()

    # With the chat closed, a new reply shows the unread badge on the launcher.
    await shop.launcher.click()
    await expect(shop.input).to_be_hidden()
    await inbox.reply("Anything else?")
    await expect(shop.unread).to_have_text("1")
    await shop.open_chat()
    await expect(shop.unread).to_be_hidden()

    # A reload keeps the visitor and the whole conversation.
    await visitor_tab.page.reload()
    await shop.open_chat()
    await expect(shop.messages()).to_have_count(3)
    await expect(shop.messages("visitor")).to_contain_text(["Do you ship to Lisbon?"])
    await expect(shop.messages("operator")).to_contain_text(["Yes, in 2-3 days.", "Anything else?"])
    assert visitor_tab.errors == [] and operator_tab.errors == []


async def test_second_visitor_never_sees_the_first_ones_chat(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    first = Storefront((await new_tab()).page, demo_server.url)
    await first.visit()
    await first.open_chat()
    await first.send("My order number is 4471")
    await expect(first.messages("visitor")).to_contain_text(["My order number is 4471"])

    second = Storefront((await new_tab()).page, demo_server.url)
    await second.visit("/demo/products/ember-blend")
    await second.open_chat()
    await second.send("Hello from someone else")
    await expect(second.messages("visitor")).to_have_count(1)
    await expect(second.frame.get_by_text("4471")).to_have_count(0)
    # A round trip on the first visitor's socket after the second one's message: anything
    # leaked to it would have arrived before this is confirmed.
    await first.send("Still there?")
    await expect(first.messages("visitor").last).to_have_attribute("data-state", "sent")
    await expect(first.messages("visitor")).to_have_count(2)
    await expect(first.frame.get_by_text("Hello from someone else")).to_have_count(0)


async def test_markup_in_messages_is_shown_as_text(chat_tabs: ChatTabs) -> None:
    await chat_tabs.start_chat(XSS)
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    await expect(shop.messages("visitor")).to_contain_text([XSS])
    await expect(inbox.messages("visitor")).to_contain_text([XSS])
    await expect(inbox.conversations.first).to_contain_text(XSS)
    await inbox.reply(f"You wrote {XSS}")
    await expect(shop.messages("operator")).to_contain_text([f"You wrote {XSS}"])

    for tab in (visitor_tab, operator_tab):
        assert tab.dialogs == [], "a message ran script"
        assert await tab.page.locator("img[src=x]").count() == 0
    assert await shop.frame.locator("img[src=x]").count() == 0


async def test_internal_note_never_reaches_the_widget(chat_tabs: ChatTabs) -> None:
    await chat_tabs.start_chat("Is the decaf in stock?")
    _operator_tab, visitor_tab, inbox, shop = chat_tabs

    await inbox.reply("Check the warehouse sheet first", note=True)
    await expect(inbox.messages().filter(has_text="Check the warehouse sheet")).to_have_attribute(
        "data-internal", "true"
    )
    await inbox.reply("Yes, it is!")
    await expect(shop.messages("operator")).to_contain_text(["Yes, it is!"])
    await expect(shop.frame.get_by_text("warehouse sheet")).to_have_count(0)

    # Not after a reload either (history comes from the server).
    await visitor_tab.page.reload()
    await shop.open_chat()
    await expect(shop.messages("operator")).to_have_count(1)
    await expect(shop.frame.get_by_text("warehouse sheet")).to_have_count(0)
