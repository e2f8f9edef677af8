"""What visitors expect of a chat, in Chromium: an emoji picker (its list fetched only
when opened; searchable, keyboard-driven, remembering recent ones), the pre-chat form,
the offline form outside business hours with "We're back at…", the site's logo, and
"Email me this conversation". Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from porch.demo.seed import Demo
from porch.services import Services
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

WEEK = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def set_site(server: LiveServer, demo: Demo, **settings: Any) -> None:
    async def run(services: Services) -> None:
        await services.sites.update_settings(demo.site.id, **settings)

    server.call(run)


def visitors(server: LiveServer) -> list[tuple[str | None, str | None]]:
    """(name, email) of each visitor; a visitor who gave no name has a made-up one."""

    async def run(services: Services) -> list[tuple[str | None, str | None]]:
        return [(v.visitor.name, v.visitor.email) for v in await services.visitors.list_live([])]

    return server.call(run)


async def open_shop(page: Page, server: LiveServer) -> Storefront:
    shop = Storefront(page, server.url)
    await shop.visit()
    await shop.launcher.click()  # the forms show once the widget's Python runs
    return shop


async def test_emoji_picker_loads_when_opened_searches_and_remembers(
    demo_server: LiveServer, demo: Demo, new_tab: Any
) -> None:
    tab = await new_tab()
    fetched: list[str] = []
    lazy: list[str] = []
    tab.page.on("request", lambda r: fetched.append(r.url) if "emoji.json" in r.url else None)
    tab.page.on("request", lambda r: lazy.append(r.url) if "lazy.js" in r.url else None)
    shop = Storefront(tab.page, demo_server.url)
    await shop.visit()
    await shop.open_chat()
    assert fetched == [] and lazy == []  # neither the picker nor its list come with the widget

    button = shop.frame.get_by_test_id("porch-emoji")
    picker = shop.frame.get_by_test_id("porch-emoji-picker")
    await button.click()
    await expect(picker).to_be_visible()
    await expect(button).to_have_attribute("aria-expanded", "true")
    search = shop.frame.get_by_test_id("porch-emoji-search")
    await expect(search).to_be_focused()
    await expect(shop.frame.get_by_test_id("porch-emoji-option").first).to_be_visible()
    assert len(fetched) == 1 and len(lazy) == 1

    # By keyboard: search, Down into the grid, Enter picks, focus back in the message box.
    await search.fill("celebrate")
    options = shop.frame.get_by_test_id("porch-emoji-option")
    await expect(options.first).to_have_text("🎉")
    await search.press("ArrowDown")
    await expect(options.first).to_be_focused()
    await options.first.press("Enter")
    await expect(picker).to_be_hidden()
    await expect(shop.input).to_have_value("🎉")
    await expect(shop.input).to_be_focused()

    await shop.frame.get_by_test_id("porch-send").click()
    mine = shop.bodies("visitor").last
    await expect(mine).to_have_text("🎉")
    await expect(mine).to_have_class("body emoji")  # shown larger
    # Larger than 30 px (waits: the sent bubble is replaced by the stored one).
    await expect(mine).to_have_css("font-size", re.compile(r"^(3[1-9]|[4-9]\d|\d{3,})(\.\d+)?px$"))

    # Recent first; Escape closes the picker, not the chat; nothing fetched twice.
    await shop.input.fill("Thanks ")
    await button.click()
    await expect(shop.frame.get_by_test_id("porch-emoji-recent-item")).to_have_text(["🎉"])
    await search.fill("thumbs up")
    await options.first.click()
    await expect(shop.input).to_have_value("Thanks 👍")
    await button.click()
    await expect(shop.frame.get_by_test_id("porch-emoji-recent-item")).to_have_text(["👍", "🎉"])
    await search.press("Escape")
    await expect(picker).to_be_hidden()
    await expect(shop.input).to_be_visible()
    await expect(button).to_be_focused()
    assert len(fetched) == 1

    # Remembered in the browser: still there after a reload.
    await shop.visit()
    await shop.open_chat()
    await button.click()
    await expect(shop.frame.get_by_test_id("porch-emoji-recent-item")).to_have_text(["👍", "🎉"])
    assert tab.errors == []


async def test_pre_chat_form_checks_fields_then_starts_the_chat(
    demo_server: LiveServer, demo: Demo, new_tab: Any
) -> None:
    set_site(
        demo_server,
        demo,
        prechat_fields=[
            {"name": "name", "required": True},
            {"name": "email", "required": True},
            {"name": "question"},
        ],
    )
    tab = await new_tab()
    shop = await open_shop(tab.page, demo_server)
    form = shop.frame.get_by_test_id("porch-prechat")
    await expect(form).to_be_visible(timeout=30_000)
    await expect(shop.input).to_be_hidden()
    await expect(form.get_by_label("Your question (optional)")).to_be_visible()

    await form.get_by_test_id("porch-prechat-submit").click()
    error = form.get_by_test_id("porch-form-error")
    await expect(error).to_have_text("Please fill in the highlighted fields.")
    await expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_label("Name")).to_be_focused()

    await form.get_by_label("Name").fill("Amber")
    await form.get_by_label("Email").fill("not an address")
    await form.get_by_test_id("porch-prechat-submit").click()
    await expect(form.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert [email for _name, email in visitors(demo_server)] == [None]

    await form.get_by_label("Email").fill("amber@example.com")
    await form.get_by_label("Your question (optional)").fill("Do you ship to Norway?")
    await form.get_by_test_id("porch-prechat-submit").click()
    await expect(form).to_be_hidden()
    await expect(shop.input).to_be_visible()
    await expect(shop.bodies("visitor")).to_have_text(["Do you ship to Norway?"])
    assert visitors(demo_server) == [("Amber", "amber@example.com")]

    # Back later: the conversation goes on, no form again.
    await shop.visit()
    await shop.open_chat()
    await expect(form).to_be_hidden()
    await expect(shop.bodies("visitor")).to_have_text(["Do you ship to Norway?"])
    assert tab.errors == []


async def test_outside_hours_the_offline_form_leaves_a_message_the_team_sees(
    demo_server: LiveServer, demo: Demo, new_tab: Any
) -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    hours = {"timezone": "UTC", "weekly": WEEK, "holidays": [{"date": today}]}
    set_site(demo_server, demo, business_hours=hours, offline_form=True)
    tab = await new_tab()
    shop = await open_shop(tab.page, demo_server)
    form = shop.frame.get_by_test_id("porch-offline-form")
    await expect(form).to_be_visible(timeout=30_000)
    await expect(shop.presence).to_contain_text("We're back at")
    await expect(shop.presence).to_contain_text("9:00")
    await expect(shop.input).to_be_hidden()

    await form.get_by_label("Email").fill("sam@example.no")
    await form.get_by_test_id("porch-offline-submit").click()
    await expect(form.get_by_label("Message")).to_have_attribute("aria-invalid", "true")
    await form.get_by_label("Message").fill("My parcel arrived damaged.")
    await form.get_by_test_id("porch-offline-submit").click()
    await expect(form).to_be_hidden()
    await expect(shop.frame.get_by_text("Thanks! We'll reply to sam@example.no.")).to_be_visible()
    await expect(shop.bodies("visitor")).to_have_text(["My parcel arrived damaged."])

    async def conversations(services: Services) -> list[tuple[str | None, str]]:
        found = await services.visitors.list_live([])
        visitor = found[0].visitor
        hello = await services.conversations.visitor_hello(visitor.id)
        return [(visitor.email, m.body) for m in hello.messages]

    assert demo_server.call(conversations) == [("sam@example.no", "My parcel arrived damaged.")]
    assert tab.errors == []


async def test_logo_in_the_header_and_email_me_this_conversation(
    demo_server: LiveServer, demo: Demo, new_tab: Any
) -> None:
    set_site(demo_server, demo, logo_url="https://cdn.shop.example/logo.png")
    tab = await new_tab()
    shop = Storefront(tab.page, demo_server.url)
    await shop.visit()
    await shop.open_chat()
    logo = shop.frame.get_by_test_id("porch-logo")
    await expect(logo).to_have_attribute("src", "https://cdn.shop.example/logo.png")

    await shop.send("Hello")
    await expect(shop.messages("visitor").last).to_have_attribute("data-state", "sent")
    transcript = shop.frame.get_by_test_id("porch-email-transcript")
    await expect(transcript).to_be_hidden()  # no address yet
    await shop.frame.locator("#porch-email").fill("amber@example.com")
    await shop.email_form.get_by_role("button", name="Save").click()
    await expect(transcript).to_be_visible()
    await transcript.click()
    # The demo site sends no mail (no support address): the widget says why, plainly.
    await expect(shop.frame.locator("#porch-status")).to_contain_text("no support address")


PANEL_BG = """() => getComputedStyle(
  document.getElementById("porch-widget").shadowRoot.querySelector(".p")).backgroundColor"""


@pytest.mark.parametrize(
    ("theme", "scheme", "background"),
    [("auto", "dark", "rgb(21, 23, 29)"), ("auto", "light", "rgb(255, 255, 255)"),
     ("dark", "light", "rgb(21, 23, 29)")],
)  # fmt: skip
async def test_the_launcher_follows_the_sites_colour_scheme(
    browser: Browser, demo_server: LiveServer, demo: Demo, theme: str, scheme: Any, background: str
) -> None:
    set_site(demo_server, demo, theme=theme)
    context = await browser.new_context(color_scheme=scheme)
    try:
        shop = Storefront(await context.new_page(), demo_server.url)
        await shop.visit()
        await expect(shop.launcher).to_be_visible()
        assert await shop.page.evaluate(PANEL_BG) == background
    finally:
        await context.close()


async def test_a_hebrew_browser_gets_a_right_to_left_launcher(
    browser: Browser, demo_server: LiveServer, demo: Demo
) -> None:
    context = await browser.new_context(locale="he-IL", viewport={"width": 1280, "height": 860})
    try:
        shop = Storefront(await context.new_page(), demo_server.url)
        await shop.visit()
        await expect(shop.launcher).to_be_visible()
        host = shop.page.locator("#porch-widget")
        await expect(host).to_have_attribute("dir", "rtl")
        box = await shop.launcher.bounding_box()
        assert box and box["x"] < 100  # at the start of a right-to-left line: the left
        await shop.open_chat()
        await expect(shop.frame.locator("html")).to_have_attribute("dir", "rtl")
    finally:
        await context.close()


async def test_replies_carry_the_operators_initials(chat_tabs: ChatTabs, demo: Demo) -> None:
    await chat_tabs.start_chat("Hello?")
    await chat_tabs.inbox.reply("Hi, how can I help?")
    reply = chat_tabs.shop.messages("operator").last
    await expect(reply.locator(".body")).to_have_text("Hi, how can I help?")
    badge = reply.get_by_test_id("porch-avatar")
    initials = "".join(word[0] for word in demo.operator.name.split()[:2]).upper()
    await expect(badge).to_have_attribute("data-initials", initials)
    assert await badge.evaluate("b => getComputedStyle(b, '::before').content") == f'"{initials}"'
    await expect(badge).to_have_attribute("aria-hidden", "true")
    await expect(reply.locator(".meta")).to_contain_text(demo.operator.name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_forms_and_picker_pass_axe(
    browser: Browser, demo_server: LiveServer, demo: Demo, scheme: Any
) -> None:
    """No serious or critical WCAG violation with the pre-chat form showing (and its error),
    then with the offline form and the emoji picker open, in light and dark."""
    from tests.e2e.test_axe_browser import AXE, violations, widget_frame

    if not AXE.exists():
        pytest.skip("axe-core not installed (scripts/install-a11y-test-deps)")
    axe = AXE.read_text()
    set_site(demo_server, demo, prechat_fields=[{"name": "email", "required": True}])
    context = await browser.new_context(color_scheme=scheme)
    try:
        shop = await open_shop(await context.new_page(), demo_server)
        form = shop.frame.get_by_test_id("porch-prechat")
        await form.get_by_test_id("porch-prechat-submit").click(timeout=30_000)
        await expect(form.get_by_test_id("porch-form-error")).to_be_visible()
        assert await violations(await widget_frame(shop.page), axe) == []

        set_site(demo_server, demo, prechat_fields=[], offline_form=True)
        await shop.visit()
        await shop.launcher.click()
        await expect(shop.frame.get_by_test_id("porch-offline-form")).to_be_visible()
        assert await violations(await widget_frame(shop.page), axe) == []

        set_site(demo_server, demo, offline_form=False)
        await shop.visit()
        await shop.open_chat()
        await shop.frame.get_by_test_id("porch-emoji").click()
        await expect(shop.frame.get_by_test_id("porch-emoji-option").first).to_be_visible()
        assert await violations(await widget_frame(shop.page), axe) == []
    finally:
        await context.close()


async def test_operators_see_the_visitors_details(chat_tabs: ChatTabs) -> None:
    shop, inbox = chat_tabs.shop, chat_tabs.inbox
    await shop.visit()
    await shop.open_chat()
    await shop.page.evaluate("Porch.setVisitor({plan: 'gold', orders: 3})")
    await shop.send("Where is my order?")
    await inbox.open_first_conversation()
    details = inbox.page.get_by_test_id("visitor-details")
    await expect(details).to_be_visible()
    await expect(details).to_contain_text("Pages this visit")
    await expect(details).to_contain_text("First seen")
    await expect(details.locator("dt", has_text="plan")).to_be_visible()
    await expect(inbox.page.get_by_test_id("visitor-detail").last).to_have_text("gold")
