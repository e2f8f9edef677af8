"""axe-core in Chromium: no serious or critical WCAG 2.2 AA violation in the widget (every
language, dark mode) and on the panel pages. axe-core comes from npm
(scripts/install-a11y-test-deps); without it these tests skip with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Frame, Page

from porch.demo.seed import Demo
from porch.embed.i18n import LANGUAGES
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Inbox, Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent.parent / "a11y" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}"""


@pytest.fixture
def axe() -> str:
    if not AXE.exists():
        pytest.skip("axe-core not installed (scripts/install-a11y-test-deps)")
    return AXE.read_text()


async def violations(target: Page | Frame, axe: str) -> list[dict[str, Any]]:
    await target.evaluate(axe)
    found: list[dict[str, Any]] = await target.evaluate(RUN)
    return found


async def widget_frame(page: Page) -> Frame:
    frame = next(f for f in page.frames if "/widget/frame" in f.url)
    return frame


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_widget_in_every_language(
    browser: Browser, demo_server: LiveServer, demo: Demo, axe: str, scheme: str
) -> None:
    problems = {}
    for language in LANGUAGES:
        context = await browser.new_context(locale=language, color_scheme=scheme)
        try:
            shop = Storefront(await context.new_page(), demo_server.url)
            await shop.visit()
            await shop.open_chat()
            await shop.send("Hello 👋")
            await shop.messages("visitor").last.wait_for()
            found = await violations(await widget_frame(shop.page), axe)
            if found:
                problems[language] = found
        finally:
            await context.close()
    assert problems == {}


@pytest.mark.parametrize(
    "path",
    [
        "/panel",
        "/panel/tickets",
        "/panel/visitors",
        "/panel/settings",
        "/panel/settings/helpdesk",
        "/panel/jobs",
        "/panel/profile",
    ],
)
async def test_panel_pages(
    browser: Browser, demo_server: LiveServer, demo: Demo, axe: str, path: str
) -> None:
    context = await browser.new_context()
    try:
        page = await context.new_page()
        inbox = Inbox(page, demo_server.url)
        await inbox.login(demo)
        await page.goto(demo_server.url + path)
        await page.wait_for_load_state("networkidle")
        assert await violations(page, axe) == []
    finally:
        await context.close()


async def test_the_inbox_with_an_open_conversation(chat_tabs: ChatTabs, axe: str) -> None:
    operator_tab, _visitor_tab, inbox, _shop = chat_tabs
    await chat_tabs.start_chat("Where is my order?")
    await inbox.messages("visitor").first.wait_for()
    await inbox.reply("Let me check")
    await inbox.reply("Noted", note=True)
    await inbox.messages("operator").last.wait_for()
    assert await violations(operator_tab.page, axe) == []


async def test_the_bot_page_with_sources_and_a_playground_answer(
    browser: Browser, demo_server: LiveServer, demo: Demo, axe: str
) -> None:
    from porch.bot.demo import seed_knowledge

    demo_server.call(lambda services: seed_knowledge(services, demo.site.id))
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await Inbox(page, demo_server.url).login(demo)
        await page.goto(f"{demo_server.url}/panel/bot?site={demo.site.id}")
        await page.get_by_test_id("kb-source").first.wait_for()
        assert await violations(page, axe) == []
    finally:
        await context.close()


@pytest.mark.parametrize(
    "path",
    ["/panel/analytics", "/panel/analytics/conversations?figure=volume", "/panel/settings/privacy"],
)
async def test_analytics_and_privacy_pages(
    browser: Browser, demo_server: LiveServer, demo: Demo, axe: str, path: str
) -> None:
    await test_panel_pages(browser, demo_server, demo, axe, path)
