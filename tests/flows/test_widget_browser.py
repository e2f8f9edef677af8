"""The flows' side of the widget in Chromium on the demo storefront: exit intent on a phone
(Back, and a fast scroll back up; touch emulation, a phone's viewport), and quick replies
(chips above the composer that go once one is picked or the visitor types), unlike
buttons, which stay in their message."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from porch.demo.seed import Demo
from porch.flows import templates
from porch.flows.store import FlowStore
from porch.services import Services
from tests.e2e.conftest import browser, demo, demo_config, demo_server  # noqa: F401
from tests.e2e.pages import Storefront
from tests.support.live_server import LiveServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),  # about the browser
]

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Mobile Safari/537.36"
)
OFFER = "Before you go"

Open = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_page(browser: Browser) -> AsyncIterator[Open]:  # noqa: F811
    """A page in a new browser context (a new visitor): a phone, or a desktop."""
    contexts: list[BrowserContext] = []

    async def make(phone: bool = True) -> Page:
        if phone:
            context = await browser.new_context(
                viewport={"width": 412, "height": 839},
                is_mobile=True,
                has_touch=True,
                user_agent=PHONE_UA,
            )
        else:
            context = await browser.new_context(viewport={"width": 1280, "height": 860})
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda exc: pytest.fail(f"page error: {exc}"))
        return page

    yield make
    for context in contexts:
        await context.close()


def enable_only(server: LiveServer, demo: Demo, document: dict[str, Any]) -> None:  # noqa: F811
    async def go(services: Services) -> None:
        store = FlowStore(services.db, services.events, services.clock)
        for flow in await store.list(demo.site.id):
            await store.set_enabled(flow.id, False)
        await store.create(demo.site.id, document, enabled=True)

    server.call(go)


def teaser(page: Page) -> Any:
    return page.get_by_test_id("porch-teaser").locator("span")


async def tap_until_guarded(page: Page) -> None:
    """Touch the page until the loader has armed its exit watcher and, after this first
    gesture, added its Back sentinel (the watchers are armed once the page is idle)."""
    heading = page.locator("h1").first
    for _ in range(100):
        await heading.tap()
        if await page.evaluate("() => !!(history.state && history.state.porch_exit)"):
            return
        await page.wait_for_timeout(100)
    raise AssertionError("the loader never armed its Back sentinel")


async def test_exit_intent_on_a_phone(
    demo_server: LiveServer,  # noqa: F811
    demo: Demo,  # noqa: F811
    open_page: Open,
) -> None:
    enable_only(demo_server, demo, templates.load("exit-intent-discount"))
    url = demo_server.url + "/demo"

    # Back: the visitor stays on the page and sees the offer; Back again leaves.
    page = await open_page()
    await page.goto("about:blank")
    await page.goto(url)
    await expect(page.get_by_test_id("porch-launcher")).to_be_visible()
    await tap_until_guarded(page)
    await page.go_back()
    await expect(teaser(page)).to_contain_text(OFFER)
    assert page.url == url
    await page.go_back()
    await expect(page).to_have_url("about:blank")

    # A fast scroll back up, for those who scroll to leave.
    page = await open_page()
    await page.goto(demo_server.url + "/demo/pricing")
    await expect(page.locator("#porch-widget[data-watching]")).to_be_attached()  # armed
    height = await page.evaluate("() => document.documentElement.scrollHeight / innerHeight")
    assert height > 1.6, "the storefront must be taller than the phone's screen"
    await page.evaluate("() => scrollTo(0, document.documentElement.scrollHeight)")
    await page.wait_for_timeout(700)  # the loader samples the scroll every half second
    await expect(teaser(page)).to_be_hidden()  # scrolling down is no exit
    await page.evaluate("() => scrollTo(0, 0)")
    await expect(teaser(page)).to_contain_text(OFFER)

    # On a desktop the Back button stays the page's own: no sentinel, whatever is clicked.
    page = await open_page(phone=False)
    await page.goto(url)
    await expect(page.get_by_test_id("porch-launcher")).to_be_visible()
    await page.locator("h1").first.click()
    await page.wait_for_timeout(500)
    assert await page.evaluate("() => history.state") is None


def quick_flow(quick: bool) -> dict[str, Any]:
    return {
        "format": 1,
        "name": "Roast",
        "trigger": {"type": "custom_event", "event": "roast"},
        "frequency": {"per": "always"},
        "start": "ask",
        "nodes": {
            "ask": {
                "type": "buttons",
                "text": "Which roast do you like?",
                "quick_replies": quick,
                "choices": [
                    {"id": "light", "label": "Light", "next": "light"},
                    {"id": "dark", "label": "Dark", "next": "dark"},
                ],
            },
            "light": {"type": "message", "text": "Light it is."},
            "dark": {"type": "message", "text": "Dark it is."},
        },
    }


async def offered(page: Page, server: LiveServer) -> Storefront:
    shop = Storefront(page, server.url)
    await shop.visit("/demo")
    await expect(shop.launcher).to_be_visible()
    await page.wait_for_function("() => window.Porch && Porch.track")
    await page.evaluate("Porch.track('roast')")
    await expect(teaser(page)).to_have_text("Which roast do you like?")
    await teaser(page).click()
    await expect(shop.messages("bot").first).to_contain_text("Which roast", timeout=30_000)
    return shop


async def test_quick_replies_are_chips_that_go_and_buttons_stay(
    demo_server: LiveServer,  # noqa: F811
    demo: Demo,  # noqa: F811
    open_page: Open,
) -> None:
    enable_only(demo_server, demo, quick_flow(quick=True))
    shop = await offered(await open_page(phone=False), demo_server)
    chips = shop.frame.get_by_test_id("porch-quick-replies").get_by_test_id("porch-choice")
    await expect(chips).to_have_text(["Light", "Dark"])
    await expect(shop.messages().get_by_test_id("porch-choice")).to_have_count(0)
    await chips.filter(has_text="Dark").click()
    await expect(shop.frame.get_by_test_id("porch-quick-replies")).to_have_count(0)
    await expect(shop.bodies("visitor")).to_have_text(["Dark"])
    await expect(shop.bodies("bot").last).to_have_text("Dark it is.")

    # Typing instead: the chips go as the first letter is typed, and do not come back.
    shop = await offered(await open_page(phone=False), demo_server)
    await expect(shop.frame.get_by_test_id("porch-quick-replies")).to_be_visible()
    await shop.input.press_sequentially("Medium?")
    await expect(shop.frame.get_by_test_id("porch-quick-replies")).to_have_count(0)
    await shop.frame.get_by_test_id("porch-send").click()
    await expect(shop.bodies("visitor")).to_have_text(["Medium?"])
    await expect(shop.frame.get_by_test_id("porch-quick-replies")).to_have_count(0)

    # Buttons: in the message, still there (disabled, the pick marked) once answered.
    enable_only(demo_server, demo, quick_flow(quick=False))
    shop = await offered(await open_page(phone=False), demo_server)
    await expect(shop.frame.get_by_test_id("porch-quick-replies")).to_have_count(0)
    buttons = shop.messages("bot").first.get_by_test_id("porch-choice")
    await expect(buttons).to_have_text(["Light", "Dark"])
    await buttons.filter(has_text="Light").click()
    await expect(shop.bodies("bot").last).to_have_text("Light it is.")
    await expect(buttons).to_have_count(2)
    await expect(buttons.first).to_be_disabled()
