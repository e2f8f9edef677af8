"""A visitor's many conversations, in Chromium against the real server: after a close, a
new message starts a new conversation (reopen window 0); the widget shows a fresh thread
with the earlier one a click away (read-only), and the panel lists the visitor's past
conversations beside the open one. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, expect

from porch.demo.seed import DEMO_OPERATOR_NAME, Demo
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

FIRST = "Where is my order 1001?"
REPLY = "It left today, <b>tracked</b> 🚚"  # markup must show as text
SECOND = "One more thing: do you gift-wrap?"


class History:
    """The widget's earlier-conversations hooks (docs/widget.md)."""

    def __init__(self, shop: Storefront) -> None:
        frame = shop.frame
        self.entry = frame.get_by_test_id("porch-earlier")
        self.items = frame.get_by_test_id("porch-earlier-item")
        self.back = frame.get_by_test_id("porch-back")
        self.closed = frame.get_by_test_id("porch-closed")
        self.transcript = frame.get_by_test_id("porch-transcript")

    def transcript_bodies(self, author: str | None = None) -> Locator:
        selector = "[data-testid=porch-message]" + (f"[data-author={author}]" if author else "")
        return self.transcript.locator(f"{selector} .body")


class PanelHistory:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.items = page.get_by_test_id("past-conversation")
        self.title = page.get_by_test_id("past-conversations-title")
        self.bodies = page.locator("[data-testid=message] .body")


def _settings(server: LiveServer, demo: Demo, **settings: object) -> None:
    server.call(lambda s: s.sites.update_settings(demo.site.id, **settings))


async def _read_earlier(shop: Storefront, history: History) -> None:
    """Open the only earlier conversation and check its transcript, then come back."""
    await expect(history.entry).to_have_text("Earlier conversations (1)")
    await history.entry.click()
    await expect(shop.input).to_be_hidden()  # read-only while browsing the history
    await expect(history.items).to_have_count(1)
    await expect(history.items).to_contain_text("Closed")
    await expect(history.items).to_contain_text(f"{DEMO_OPERATOR_NAME}: {REPLY}")
    await history.items.first.click()
    await expect(history.transcript_bodies()).to_have_text([FIRST, REPLY])
    await expect(history.transcript_bodies("operator")).to_have_text([REPLY])
    await expect(shop.frame.get_by_text(SECOND)).to_be_hidden()
    assert await shop.frame.locator("b").count() == 0, "a message was rendered as HTML"

    await history.back.click()
    await expect(shop.input).to_be_visible()
    await expect(shop.bodies()).to_have_text([SECOND])
    await expect(history.transcript).to_be_hidden()


async def test_a_second_conversation_after_a_close_shows_in_widget_and_panel(
    chat_tabs: ChatTabs, demo_server: LiveServer, demo: Demo
) -> None:
    _settings(demo_server, demo, reopen_window_hours=0)  # a message after a close starts anew
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    history, panel = History(shop), PanelHistory(operator_tab.page)
    await chat_tabs.start_chat(FIRST)
    await inbox.reply(REPLY)
    await expect(shop.messages("operator")).to_contain_text([REPLY])
    first_url = operator_tab.page.url

    await operator_tab.page.get_by_test_id("close-conversation").click()
    await expect(operator_tab.page.get_by_test_id("reopen-conversation")).to_be_visible()
    await expect(history.closed).to_be_visible()  # the visitor is told it was closed
    await expect(history.entry).to_be_hidden()  # nothing earlier yet

    # The visitor writes again: a fresh thread holding just the new (stored) message.
    await shop.send(SECOND)
    await expect(shop.bodies()).to_have_text([SECOND])
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")
    await expect(history.closed).to_be_hidden()
    await _read_earlier(shop, history)

    # The panel: the operator still has the first one open, and sees the new one appear
    # beside it and in the inbox.
    await expect(panel.items).to_have_count(1)
    await expect(panel.items).to_contain_text(SECOND)
    await expect(panel.items).to_contain_text("Open")
    await expect(panel.title).to_have_text("Other conversations (1)")
    await expect(inbox.conversations).to_have_count(1)
    await inbox.conversations.filter(has_text=SECOND).click()
    await expect(panel.bodies).to_have_text([SECOND])
    await expect(panel.title).to_have_text("Past conversations (1)")
    await expect(panel.items).to_have_count(1)
    await expect(panel.items).to_contain_text("Closed")
    await expect(panel.items).to_contain_text(REPLY)

    # A past conversation opens in the panel, though the inbox shows open ones only.
    await panel.items.first.click()
    await expect(panel.bodies).to_have_text([FIRST, REPLY])
    await expect(operator_tab.page.get_by_test_id("reopen-conversation")).to_be_visible()
    assert operator_tab.page.url.split("?")[1] == first_url.split("?")[1]
    await expect(panel.items).to_contain_text(SECOND)  # and the way back
    await operator_tab.page.go_back()
    await expect(panel.bodies).to_have_text([SECOND])

    # Both stay after reloads (a new hello; a new watch).
    await visitor_tab.page.reload()
    await shop.open_chat()
    await expect(shop.bodies()).to_have_text([SECOND])
    await _read_earlier(shop, history)
    await operator_tab.page.reload()
    await expect(panel.bodies).to_have_text([SECOND])
    await expect(panel.items).to_contain_text(REPLY)
    assert visitor_tab.errors == [] and operator_tab.errors == []


async def test_earlier_conversations_by_keyboard(
    chat_tabs: ChatTabs, demo_server: LiveServer, demo: Demo
) -> None:
    # Without the typing preview no draft opens the new conversation before the message is
    # sent: the visitor's bubble is still pending when the thread starts afresh.
    _settings(demo_server, demo, reopen_window_hours=0, typing_preview=False)
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    history = History(shop)
    await chat_tabs.start_chat(FIRST)
    await inbox.reply(REPLY)
    await operator_tab.page.get_by_test_id("close-conversation").click()
    await expect(history.closed).to_be_visible()
    await shop.send(SECOND)
    await expect(history.entry).to_be_visible()
    await expect(shop.bodies()).to_have_text([SECOND])
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")

    keyboard = visitor_tab.page.keyboard
    await history.entry.focus()
    await keyboard.press("Enter")
    await expect(shop.frame.get_by_role("heading", name="Earlier conversations")).to_be_focused()
    await keyboard.press("Tab")
    await expect(history.items.first).to_be_focused()
    await keyboard.press("Enter")
    await expect(history.transcript_bodies()).to_have_text([FIRST, REPLY])
    await expect(history.back).to_have_role("button")
    await history.back.focus()
    await keyboard.press("Enter")
    await expect(history.entry).to_be_focused()  # back where the visitor left from
    await expect(shop.bodies()).to_have_text([SECOND])
    assert visitor_tab.errors == []


async def test_a_message_within_the_reopen_window_continues_the_thread(
    chat_tabs: ChatTabs,
) -> None:
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    history = History(shop)
    await chat_tabs.start_chat(FIRST)
    await inbox.reply(REPLY)
    await operator_tab.page.get_by_test_id("close-conversation").click()
    await expect(history.closed).to_be_visible()

    await shop.send(SECOND)  # the default window (24 h): the same conversation reopens
    await expect(shop.bodies()).to_have_text([FIRST, REPLY, SECOND])
    await expect(history.closed).to_be_hidden()
    await expect(history.entry).to_be_hidden()
    await expect(operator_tab.page.get_by_test_id("close-conversation")).to_be_visible()
    await expect(PanelHistory(operator_tab.page).items).to_have_count(0)
    assert visitor_tab.errors == []


@pytest.fixture(autouse=True)
def _no_rating_request(demo_server: LiveServer, demo: Demo) -> None:
    """These tests read threads message by message: no "How did we do?" after a close
    (porch.analytics.ratings; tests/e2e/test_rating_browser.py covers it)."""
    _settings(demo_server, demo, csat_enabled=False)
