"""The reply chime in Chromium: off by default; once the shopper turns it on, a reply
that comes while the chat is closed chimes (and one while it is open does not)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import ChatTabs

pytestmark = pytest.mark.e2e


async def test_a_reply_chimes_only_when_asked_and_closed(chat_tabs: ChatTabs) -> None:
    _operator_tab, _visitor_tab, inbox, shop = chat_tabs
    await chat_tabs.start_chat("Hi there")
    toggle = shop.frame.get_by_test_id("porch-sound")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await inbox.reply("Open reply")
    await expect(shop.messages("operator")).to_have_count(1)
    body = shop.frame.locator("body")
    await expect(body).not_to_have_attribute("data-chimes", "1")

    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await shop.frame.get_by_test_id("porch-close").click()
    await inbox.reply("Closed reply")
    await expect(body).to_have_attribute("data-chimes", "1", timeout=20_000)
    await expect(shop.unread).to_have_text("1")
