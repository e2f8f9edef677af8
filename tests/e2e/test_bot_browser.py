"""The AI bot on the demo storefront, in Chromium, against the fake Messages API: a
shopper's question gets a streamed, cited answer; asking for a person hands the
conversation to the operator, who sees the bot exchange; an API outage hands off
gracefully. SQLite only (the service tests cover PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from porch.bot import wording
from porch.bot.demo import seed_knowledge
from porch.demo.seed import Demo
from tests.bot.conftest import fake_api  # noqa: F401  (the fixture)
from tests.bot.fake_anthropic import Fail, FakeAnthropic, Text, Turn
from tests.e2e.conftest import ChatTabs
from tests.support import databases
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield databases.sqlite_database(tmp_path)


@pytest.fixture
def bot_demo(fake_api: FakeAnthropic, demo_server: LiveServer, demo: Demo) -> FakeAnthropic:  # noqa: F811
    demo_server.call(lambda services: seed_knowledge(services, demo.site.id))
    return fake_api


async def test_a_shopper_gets_a_streamed_cited_answer_then_reaches_a_person(
    bot_demo: FakeAnthropic, chat_tabs: ChatTabs
) -> None:
    _operator_tab, visitor_tab, inbox, shop = chat_tabs
    answer = "Standard shipping in the United States takes 3 to 5 business days and costs $5."
    bot_demo.script(Turn([Text(answer, [0])], delay=0.25))  # slow enough to watch it grow
    await shop.visit()
    await shop.open_chat()
    await shop.send("How long does shipping take?")

    draft = shop.frame.get_by_test_id("porch-bot-draft")
    await expect(draft).to_be_visible(timeout=20_000)  # the text grows before it is stored
    await expect(shop.bodies("bot")).to_have_text([answer], timeout=20_000)
    await expect(draft).to_have_count(0)
    source = shop.frame.get_by_test_id("porch-source")
    await expect(source).to_have_text("Shipping and delivery")
    assert (await source.get_attribute("href") or "").endswith("/demo?help=shipping")
    assert await source.get_attribute("rel") == "noopener noreferrer"

    await shop.send("I want to talk to a human")
    await expect(shop.bodies("bot")).to_have_text([answer, wording.CONNECTING])
    await inbox.open_first_conversation()
    await expect(inbox.messages("bot").locator(".body")).to_contain_text(
        [answer, "Bot handoff: The visitor asked for a person.", wording.CONNECTING]
    )
    await expect(inbox.page.get_by_test_id("message-source")).to_have_text("Shipping and delivery")
    assert visitor_tab.errors == []


async def test_an_api_outage_hands_off_gracefully(
    bot_demo: FakeAnthropic, chat_tabs: ChatTabs
) -> None:
    _operator_tab, visitor_tab, _inbox, shop = chat_tabs
    bot_demo.always = Fail(529, "overloaded_error")
    await shop.visit()
    await shop.open_chat()
    await shop.send("How long does shipping take?")
    await expect(shop.bodies("bot")).to_have_text([wording.CONNECTING], timeout=20_000)
    await expect(shop.frame.get_by_test_id("porch-bot-draft")).to_have_count(0)
    assert visitor_tab.errors == []


async def test_the_operator_watching_sees_the_bot_answer_grow_then_stored_once(
    bot_demo: FakeAnthropic, chat_tabs: ChatTabs
) -> None:
    operator_tab, _visitor_tab, inbox, shop = chat_tabs
    first = "Standard shipping in the United States takes 3 to 5 business days and costs $5."
    second = "Orders over $40 ship free within the United States."
    bot_demo.script(Turn([Text(first, [0])]), Turn([Text(second, [0])], delay=0.25))
    await shop.visit()
    await shop.open_chat()
    await shop.send("How long does shipping take?")
    await expect(shop.bodies("bot")).to_have_text([first], timeout=20_000)
    await inbox.open_first_conversation()
    answers = inbox.messages("bot").locator(".body")
    await expect(answers).to_have_text([first])

    await shop.send("Is shipping free?")
    draft = inbox.page.get_by_test_id("bot-draft")
    await expect(draft).to_be_visible(timeout=20_000)  # growing in the panel too
    await expect(answers).to_have_text([first, second], timeout=20_000)
    await expect(draft).to_have_count(0)
    assert operator_tab.errors == []
