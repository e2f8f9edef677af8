"""The Settings page in real Chromium: an operator changes the widget's colour and greeting,
a storefront loaded afterwards shows them, and open widgets update live."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from porch.demo.seed import Demo
from porch.embed.snippet import snippet
from tests.e2e.pages import Inbox, Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

GREETING = "Ahoy! Ask us about sizes <b>and</b> shipping."


async def test_operator_changes_colour_and_greeting_for_new_widgets(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    operator_tab = await new_tab()
    page = operator_tab.page
    await Inbox(page, demo_server.url).login(demo)
    await page.get_by_test_id("nav-settings").click()
    await page.wait_for_url(demo_server.url + "/panel/settings")

    row = page.locator(f"[data-testid=site-row][data-site-key={demo.site.key}]")
    await expect(row.get_by_test_id("site-snippet")).to_have_value(
        snippet(demo_server.url, demo.site.key)
    )
    form = row.get_by_test_id("site-form")
    await form.get_by_label("Accent colour").fill("#0a7d3b")
    await form.get_by_label("Greeting").fill(GREETING)
    await form.get_by_role("button", name="Save").click()
    await expect(page.get_by_test_id("flash")).to_have_text(f"Saved “{demo.site.name}”.")
    await expect(row.get_by_test_id("site-settings")).to_contain_text("#0a7d3b")
    await expect(form.get_by_label("Greeting")).to_have_value(GREETING)

    await form.get_by_label("Greeting").fill("g" * 280 + "!")  # maxlength stops the 281st
    await expect(form.get_by_label("Greeting")).to_have_value("g" * 280)

    shop = Storefront((await new_tab()).page, demo_server.url)
    await shop.visit()
    launcher = shop.launcher
    await expect(launcher).to_be_visible()
    background = await launcher.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(10, 125, 59)"
    await shop.open_chat()
    greeting = shop.frame.locator("#porch-greeting")
    await expect(greeting).to_have_text(GREETING)  # as text, not markup
    assert operator_tab.errors == []


async def test_an_open_widget_picks_up_a_new_greeting_live(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    shop = Storefront((await new_tab()).page, demo_server.url)
    await shop.visit()
    await shop.open_chat()
    greeting = shop.frame.locator("#porch-greeting")
    await expect(greeting).to_have_text("Hi! How can we help?")

    page = (await new_tab()).page
    await Inbox(page, demo_server.url).login(demo)
    await page.goto(demo_server.url + "/panel/settings")
    form = page.locator(f"[data-testid=site-row][data-site-key={demo.site.key}]").get_by_test_id(
        "site-form"
    )
    await form.get_by_label("Greeting").fill("Back in 5 minutes!")
    await form.get_by_role("button", name="Save").click()
    await expect(page.get_by_test_id("flash")).to_be_visible()

    await expect(greeting).to_have_text("Back in 5 minutes!")  # no reload
