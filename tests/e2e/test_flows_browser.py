"""Every flow template end to end in Chromium on the demo storefront: real timers, scroll,
mouse-out, SDK calls (the demo's cart) and button clicks; the host page loads no widget
until a trigger fires or the visitor shows intent. Two servers in all (2 CPUs): proactive
templates, then conversational ones, each template in its own browser context (a new
visitor) with only that flow enabled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Page, expect

from porch.demo.seed import Demo
from porch.flows import templates
from porch.flows.store import FlowStore
from porch.services import Services
from porch.visitors.tables import page_views
from tests.e2e.conftest import Tab
from tests.e2e.pages import Inbox, Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

NewTab = Callable[..., Awaitable[Tab]]


def only(server: LiveServer, demo: Demo, name: str, **trigger: Any) -> None:
    """Enable just this template (its trigger's timings shortened by `trigger`)."""

    async def go(services: Services) -> None:
        store = FlowStore(services.db, services.events, services.clock)
        for flow in await store.list(demo.site.id):
            await store.set_enabled(flow.id, False)
        document = templates.load(name)
        document["trigger"].update(trigger)
        await store.create(demo.site.id, document, enabled=True, template=name)

    server.call(go)


def custom(server: LiveServer, demo: Demo, document: dict[str, Any]) -> None:
    async def go(services: Services) -> None:
        store = FlowStore(services.db, services.events, services.clock)
        for flow in await store.list(demo.site.id):
            await store.set_enabled(flow.id, False)
        await store.create(demo.site.id, document, enabled=True)

    server.call(go)


async def visitor_email(server: LiveServer, demo: Demo) -> list[str | None]:
    async def go(services: Services) -> list[str | None]:
        found = await services.visitors.list_live(set())
        return [s.visitor.email for s in found if s.visitor.site_id == demo.site.id]

    return server.call(go)


def teaser(page: Page) -> Any:
    """The teaser's text (beside its dismiss button)."""
    return page.get_by_test_id("porch-teaser").locator("span")


def frame(page: Page) -> Any:
    return page.locator("iframe[data-testid=porch-frame]")


async def shop_tab(new_tab: NewTab, server: LiveServer) -> tuple[Tab, Storefront]:
    tab = await new_tab()
    return tab, Storefront(tab.page, server.url)


async def test_proactive_templates(demo_server: LiveServer, demo: Demo, new_tab: NewTab) -> None:
    # -- pricing-page-help: time on a /pricing page, a teaser, buttons, a question --------
    only(demo_server, demo, "pricing-page-help", seconds=2)
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo")
    await expect(shop.launcher).to_be_visible()
    await tab.page.wait_for_timeout(2500)  # longer than the old idle embed, and no trigger
    await expect(frame(tab.page)).to_have_count(0)  # the host page runs no Brython at idle
    await shop.visit("/demo/pricing")
    await expect(teaser(tab.page)).to_contain_text("Questions about our plans?")
    await teaser(tab.page).click()
    choices = shop.frame.get_by_test_id("porch-choice")
    await expect(choices).to_have_count(2, timeout=30_000)
    await expect(shop.messages("bot").first).to_contain_text("Questions about our plans?")
    await choices.filter(has_text="Yes, help me choose").click()
    await expect(choices.first).to_be_disabled()
    await expect(shop.bodies("visitor")).to_have_text(["Yes, help me choose"])
    await expect(shop.bodies("bot").last).to_contain_text("What's your email?")
    await shop.send("ann@example.com")
    await expect(shop.bodies("bot").last).to_have_text("Thanks! A teammate will reply shortly.")
    assert "ann@example.com" in await visitor_email(demo_server, demo)
    # Operators see the whole exchange: the offer (read-only) and the click as a message.
    desk = await new_tab()
    inbox = Inbox(desk.page, demo_server.url)
    await inbox.login(demo)
    await inbox.open_first_conversation()
    await expect(desk.page.get_by_test_id("message-choice")).to_have_text(
        ["Yes, help me choose", "No thanks"]
    )
    await expect(inbox.messages("visitor").first).to_contain_text("Yes, help me choose")

    # -- exit-intent-discount: the mouse leaves through the top; the site opens the chat ---
    only(demo_server, demo, "exit-intent-discount")
    demo_server.call(lambda s: s.sites.update_settings(demo.site.id, flows_display="open"))
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo")
    await expect(tab.page.locator("#porch-widget[data-watching]")).to_be_attached()
    await tab.page.mouse.move(640, 300)
    await tab.page.mouse.move(640, 5, steps=4)
    await tab.page.mouse.move(640, -20, steps=2)  # out of the window through its top
    await expect(shop.launcher).to_have_attribute("aria-expanded", "true")
    await expect(shop.bodies("bot").first).to_contain_text("STAY10", timeout=30_000)
    await shop.frame.get_by_test_id("porch-choice").filter(has_text="Use my code").click()
    await expect(shop.bodies("bot").last).to_contain_text("Enter STAY10 at checkout")
    demo_server.call(lambda s: s.sites.update_settings(demo.site.id, flows_display="teaser"))

    # -- abandoned-cart: nothing with an empty cart; with one (the SDK), idle → teaser -----
    only(demo_server, demo, "abandoned-cart", seconds=2)
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo/products/ember-blend")
    await expect(shop.launcher).to_be_visible()
    await tab.page.wait_for_timeout(3000)  # idle with an empty cart: nothing
    await expect(teaser(tab.page)).to_be_hidden()
    await tab.page.get_by_test_id("demo-add-to-cart").click()  # Porch.track("cart", …)
    await expect(teaser(tab.page)).to_contain_text("You left something in your cart")

    # -- a custom SDK event and a scroll depth (custom flows) -------------------------------
    custom(demo_server, demo, _flow("Newsletter", {"type": "custom_event", "event": "signup"}))
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo")
    await expect(shop.launcher).to_be_visible()
    await tab.page.evaluate("Porch.track('signup', {plan: 'weekly'})")
    await expect(teaser(tab.page)).to_have_text("Newsletter!")
    custom(demo_server, demo, _flow("Halfway", {"type": "scroll_depth", "percent": 50}))
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo/pricing")
    await expect(shop.launcher).to_be_visible()
    await tab.page.mouse.move(640, 400)
    for _ in range(12):
        await tab.page.mouse.wheel(0, 400)
    await expect(teaser(tab.page)).to_have_text("Halfway!")
    assert tab.errors == []


async def test_conversational_templates(
    demo_server: LiveServer, demo: Demo, new_tab: NewTab
) -> None:
    # -- lead-capture: time on site, two questions, the contact saved ----------------------
    only(demo_server, demo, "lead-capture", seconds=2)
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo")
    await expect(teaser(tab.page)).to_have_text("Hi! Can we get your name?")
    await shop.launcher.click()
    await expect(shop.input).to_be_visible(timeout=30_000)
    await shop.send("Ann <b>Lee</b>")
    await expect(shop.bodies("bot").last).to_contain_text("Thanks, Ann <b>Lee</b>!")
    await shop.send("ann.lee@example.com")
    await expect(shop.bodies("bot").last).to_have_text(
        "Got it, Ann <b>Lee</b>. We'll be in touch at ann.lee@example.com."
    )
    assert "ann.lee@example.com" in await visitor_email(demo_server, demo)

    # -- welcome-returning-visitor: a later visit (page views an hour old) -----------------
    only(demo_server, demo, "welcome-returning-visitor")
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo")
    await expect(shop.launcher).to_be_visible()
    await expect(teaser(tab.page)).to_be_hidden()
    demo_server.call(_an_hour_ago)
    await shop.visit("/demo")
    await expect(teaser(tab.page)).to_contain_text("Welcome back!")
    await teaser(tab.page).click()
    await shop.frame.get_by_test_id("porch-choice").filter(has_text="Just browsing").click()
    await expect(shop.bodies("bot").last).to_have_text("Enjoy! We're here if you need us.")

    # -- out-of-hours: no operator online, the launcher clicked ----------------------------
    only(demo_server, demo, "out-of-hours")
    tab, shop = await shop_tab(new_tab, demo_server)
    await shop.visit("/demo")
    await shop.open_chat()
    # The flow starts when the loader's watchers are armed (idle time): give a busy page time.
    await expect(shop.bodies("bot").first).to_contain_text("We're away right now", timeout=30_000)
    await shop.send("not-an-email")
    await expect(shop.bodies("bot").last).to_contain_text("doesn't look like an email")
    await shop.send("me@example.com")
    await expect(shop.bodies("bot").last).to_have_text(
        "Thanks! We'll reply to me@example.com within one business day."
    )
    assert tab.errors == []


def _flow(text: str, trigger: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": 1,
        "name": text,
        "trigger": trigger,
        "start": "hi",
        "nodes": {"hi": {"type": "message", "text": f"{text}!"}},
    }


async def _an_hour_ago(services: Services) -> None:
    async with services.db.begin() as conn:
        views = (await conn.execute(page_views.select())).all()
        for view in views:
            earlier = view.created_at - timedelta(hours=1)
            update = page_views.update().where(page_views.c.id == view.id)
            await conn.execute(update.values(created_at=earlier))
