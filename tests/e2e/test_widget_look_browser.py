"""The widget in the visitor's language and colours, in Chromium: an Arabic browser gets
an Arabic, right-to-left chat; a site set to French speaks French whatever the browser,
with its French greeting; dark mode follows `prefers-color-scheme` unless the site says
otherwise. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from porch.demo.seed import Demo
from porch.services import Services
from tests.e2e.pages import Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

DARK_BG = "rgb(21, 23, 29)"
LIGHT_BG = "rgb(255, 255, 255)"
MakeShop = Callable[..., Awaitable[Storefront]]


@pytest.fixture
async def shop_in(browser: Browser, demo_server: LiveServer, demo: Demo) -> AsyncIterator[MakeShop]:
    contexts: list[BrowserContext] = []

    async def make(**options: Any) -> Storefront:
        context = await browser.new_context(viewport={"width": 1280, "height": 860}, **options)
        contexts.append(context)
        shop = Storefront(await context.new_page(), demo_server.url)
        await shop.visit()
        await shop.open_chat()
        return shop

    yield make
    for context in contexts:
        await context.close()


def set_site(server: LiveServer, demo: Demo, **settings: Any) -> None:
    async def run(services: Services) -> None:
        await services.sites.update_settings(demo.site.id, **settings)

    server.call(run)


async def frame_eval(shop: Storefront, script: str) -> Any:
    return await shop.frame.locator("html").evaluate(script)


async def test_an_arabic_browser_gets_an_arabic_right_to_left_chat(shop_in: MakeShop) -> None:
    shop = await shop_in(locale="ar-EG")
    assert await frame_eval(shop, "h => [h.lang, h.dir, getComputedStyle(h).direction]") == [
        "ar",
        "rtl",
        "rtl",
    ]
    await expect(shop.input).to_have_attribute("placeholder", "اكتب رسالة…")
    send = await shop.frame.get_by_test_id("porch-send").bounding_box()
    field = await shop.input.bounding_box()
    assert send and field and send["x"] < field["x"]  # Send sits at the line's end: left
    await shop.send("مرحبا")
    mine = shop.messages("visitor").last
    await expect(mine).to_have_attribute("data-state", "sent")
    bubble = await mine.bounding_box()
    log = await shop.frame.locator("#porch-log").bounding_box()
    assert bubble and log and bubble["x"] - log["x"] < 40  # own messages on the left in RTL


async def test_a_site_in_french_greets_in_french(
    shop_in: MakeShop, demo_server: LiveServer, demo: Demo
) -> None:
    set_site(demo_server, demo, language="fr", greetings={"fr": "Bonjour ! Une question ?"})
    shop = await shop_in(locale="de-DE")
    await expect(shop.frame.locator("html")).to_have_attribute("lang", "fr")
    await expect(shop.input).to_have_attribute("placeholder", "Écrivez un message…")
    await expect(shop.frame.locator("#porch-greeting")).to_have_text("Bonjour ! Une question ?")
    await expect(shop.frame.get_by_test_id("porch-send")).to_have_attribute("aria-label", "Envoyer")


async def test_dark_mode_follows_the_visitor_unless_the_site_decides(
    shop_in: MakeShop, demo_server: LiveServer, demo: Demo
) -> None:
    dark = await shop_in(color_scheme="dark")
    assert await frame_eval(dark, "h => getComputedStyle(document.body).backgroundColor") == DARK_BG
    light = await shop_in(color_scheme="light")
    assert (
        await frame_eval(light, "h => getComputedStyle(document.body).backgroundColor") == LIGHT_BG
    )

    set_site(demo_server, demo, theme="light")
    forced = await shop_in(color_scheme="dark")
    assert (
        await frame_eval(forced, "h => getComputedStyle(document.body).backgroundColor") == LIGHT_BG
    )


async def test_an_emoji_alone_is_shown_larger(shop_in: MakeShop) -> None:
    shop = await shop_in()
    await shop.send("Thanks")
    await shop.send("👍")
    bodies = shop.bodies("visitor")
    await expect(bodies).to_have_count(2)
    await expect(bodies.last).to_have_class("body emoji")
    sizes = await bodies.evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes[1] > 1.5 * sizes[0]
