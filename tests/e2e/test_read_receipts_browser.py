"""Read receipts in Chromium: the shopper's message says "Seen" once an operator has
opened the conversation, not before."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import ChatTabs

pytestmark = pytest.mark.e2e


async def test_the_shopper_sees_when_their_message_was_read(chat_tabs: ChatTabs) -> None:
    _operator_tab, _visitor_tab, inbox, shop = chat_tabs
    await shop.visit()
    await shop.open_chat()
    await shop.send("Do you ship to Norway?")
    mine = shop.messages("visitor").last
    await expect(mine).to_have_attribute("data-state", "sent", timeout=20_000)
    await expect(shop.frame.get_by_test_id("porch-seen")).to_have_count(0)

    await inbox.open_first_conversation()
    await expect(mine.get_by_test_id("porch-seen")).to_have_text("Seen", timeout=20_000)
    await shop.send("And to Iceland?")
    later = shop.messages("visitor").last
    await expect(later).to_have_attribute("data-state", "sent", timeout=20_000)
    await expect(later.get_by_test_id("porch-seen")).to_have_text("Seen", timeout=20_000)
