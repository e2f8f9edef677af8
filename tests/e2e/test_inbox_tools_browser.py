"""Inbox tools in Chromium: a canned reply inserted with `/` (placeholders filled), a
snooze that leaves the open list and comes back when the clock the server reads passes
its time, tags, a search from the top bar, and the keyboard shortcuts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from porch.canned.service import CannedReplies
from porch.clock import ManualClock
from porch.config import Config
from porch.demo.seed import Demo
from porch.services import Services
from tests.e2e.conftest import ChatTabs
from tests.support.live_server import LiveServer, start_live_server

LIVE = 15_000  # ms: a socket event, or a job worker's next look for due timers


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def demo_server(config: Config, clock: ManualClock) -> Iterator[LiveServer]:
    server = start_live_server(dataclasses.replace(config, demo=True), clock)
    yield server
    server.stop()


def add_canned(server: LiveServer, demo: Demo) -> None:
    async def run(services: Services) -> None:
        canned = CannedReplies(services.db, services.clock)
        await canned.add(demo.site.id, "thanks", "Thanks", "Thanks {{contact.name}}! {{x.y}}")
        await canned.add(demo.site.id, "refund", "Refund", "Your refund is on its way.")

    server.call(run)


async def test_a_canned_reply_goes_in_with_slash_and_enter(
    chat_tabs: ChatTabs, demo_server: LiveServer, demo: Demo
) -> None:
    add_canned(demo_server, demo)
    await chat_tabs.start_chat("Hello, <b>is</b> anyone there?")
    page = chat_tabs.operator_tab.page
    await expect(page.get_by_test_id("visitor-name")).not_to_have_text("Loading…", timeout=LIVE)
    name = await page.get_by_test_id("visitor-name").text_content()
    reply = page.get_by_test_id("reply-input")
    await reply.click()
    await reply.type("/th")
    options = page.get_by_test_id("canned-option")
    await expect(options).to_have_count(1, timeout=LIVE)
    await expect(options.first).to_have_attribute("data-shortcut", "thanks")
    await page.keyboard.press("Enter")
    await expect(reply).to_have_value(f"Thanks {name}! {{{{x.y}}}}")
    await expect(page.get_by_test_id("canned-menu")).to_be_hidden()
    await expect(page.get_by_test_id("message")).to_have_count(1)  # Enter did not send
    await page.keyboard.press("Enter")
    await expect(chat_tabs.shop.bodies("operator")).to_have_text([f"Thanks {name}! {{{{x.y}}}}"])
    assert chat_tabs.operator_tab.errors == []


async def test_snooze_leaves_the_list_and_its_time_brings_it_back(
    chat_tabs: ChatTabs, demo_server: LiveServer, clock: ManualClock
) -> None:
    await chat_tabs.start_chat("Call me back in an hour")
    page = chat_tabs.operator_tab.page
    await page.get_by_test_id("tag-input").fill("callback")
    await page.get_by_test_id("tag-input").press("Enter")
    await expect(page.get_by_test_id("tag-chip")).to_have_text(["callback×"], timeout=LIVE)
    await expect(page.get_by_test_id("conversation-tag")).to_have_text(["callback"], timeout=LIVE)
    await expect(page.get_by_test_id("requester-tickets")).to_be_hidden()
    await page.get_by_test_id("create-ticket").click()
    await expect(page.get_by_test_id("requester-ticket")).to_have_count(1, timeout=LIVE)
    await page.get_by_test_id("snooze-select").select_option("1h")
    await expect(page.get_by_test_id("snoozed-until")).to_be_visible(timeout=LIVE)
    await expect(page.get_by_test_id("conversation-item")).to_have_count(0)
    await page.locator("[data-testid=status-filter][data-status=snoozed]").click()
    await expect(page.get_by_test_id("conversation-item")).to_have_count(1, timeout=LIVE)
    await page.locator("[data-testid=status-filter][data-status=open]").click()
    await expect(page.get_by_test_id("conversation-item")).to_have_count(0, timeout=LIVE)
    clock.advance(minutes=61)
    await expect(page.get_by_test_id("conversation-item")).to_have_count(1, timeout=LIVE)
    await expect(page.get_by_test_id("snoozed-until")).to_be_hidden()
    assert chat_tabs.operator_tab.errors == []


async def test_search_from_the_top_bar_and_shortcuts(chat_tabs: ChatTabs) -> None:
    await chat_tabs.start_chat("My <script>alert(1)</script> voucher does not work")
    page = chat_tabs.operator_tab.page
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("?")
    help_box = page.get_by_test_id("shortcuts-help")
    await expect(help_box).to_be_visible()
    await expect(help_box.get_by_test_id("shortcut-key")).to_contain_text(["j", "k", "r"])
    await page.keyboard.press("Escape")
    await expect(help_box).to_be_hidden()
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("r")
    await expect(page.get_by_test_id("reply-input")).to_be_focused()
    await page.keyboard.type("a/?")  # typing in a field: no shortcut fires
    await expect(help_box).to_be_hidden()
    await page.get_by_test_id("reply-input").fill("")
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("a")
    await expect(page.get_by_test_id("assign-select")).to_have_value(
        await page.locator("main").get_attribute("data-operator-id") or "", timeout=LIVE
    )
    await page.keyboard.press("/")
    await expect(page.get_by_test_id("search-input")).to_be_focused()
    await page.keyboard.type("vouch")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/search?q=vouch")
    result = page.get_by_test_id("search-result")
    await expect(result).to_have_count(1)
    await expect(result).to_have_attribute("data-kind", "conversation")
    snippet = page.get_by_test_id("search-snippet")
    await expect(snippet.locator("script")).to_have_count(0)  # the message's tag is text
    await expect(snippet.locator("mark")).to_have_text(["voucher"])
    await page.get_by_test_id("search-result-link").click()
    await expect(page.get_by_test_id("message")).to_have_count(1, timeout=LIVE)
    assert chat_tabs.operator_tab.errors == [] and chat_tabs.operator_tab.dialogs == []
