"""The operator panel in real Chromium against a real server, with a python-socketio visitor."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.pages import Inbox
from tests.support.chat_clients import (
    Client,
    add_operator,
    open_session,
    seed,
    visitor_client,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

EMAIL, PASSWORD = "olivia@shop.example", "pw-123456"  # as seeded by chat_clients.seed
BOOT_TIMEOUT = 30_000  # Brython compiles the panel bundle on first load
XSS = "<img src=x onerror=alert(1)>"


async def sign_in(page: Page, base_url: str, email: str = EMAIL) -> None:
    await Inbox(page, base_url).sign_in(email, PASSWORD)
    await expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "connected", timeout=BOOT_TIMEOUT
    )


async def next_from(visitor: Client, author: str) -> dict[str, Any]:
    """The next message the visitor receives from `author` (it also gets its own echoes)."""
    while True:
        message = await visitor.next("message")
        if message["author"] == author:
            return message


async def start_visitor(server: LiveServer, first_message: str) -> Client:
    site = seed(server).site
    session = await open_session(server, site.key)
    visitor = await visitor_client(server, session["visitor_token"])
    await visitor.call("message.send", {"client_id": "v-1", "body": first_message})
    return visitor


async def test_operator_works_a_conversation(live_server: LiveServer, new_tab) -> None:
    visitor = await start_visitor(live_server, XSS)
    tab = await new_tab()
    page = tab.page
    try:
        await sign_in(page, live_server.url)
        item = page.get_by_test_id("conversation-item")
        await expect(item).to_have_count(1)
        await expect(item).to_have_attribute("data-unread", "true")
        await expect(item.get_by_test_id("unread-badge")).to_have_text("1")
        await item.click()
        await expect(page).to_have_url(
            f"{live_server.url}/panel?c={await item.get_attribute('data-id')}"
        )

        first = page.get_by_test_id("message").first
        await expect(first).to_have_attribute("data-author", "visitor")
        await expect(first.locator(".body")).to_have_text(XSS)  # literal text, not markup
        assert await page.locator(".messages img").count() == 0

        await visitor.emit("typing", {"draft": "Is shipping fr"})
        preview = page.get_by_test_id("typing-preview")
        await expect(preview).to_contain_text("is typing: Is shipping fr")
        await visitor.emit("typing", {"draft": ""})
        await expect(preview).to_be_hidden()

        await page.get_by_test_id("note-toggle").check()
        await expect(page.get_by_test_id("note-hint")).to_be_visible()
        await page.get_by_test_id("reply-input").fill("VIP customer, be nice")
        await page.get_by_test_id("reply-send").click()
        note = page.locator("[data-testid=message][data-internal=true]")
        await expect(note).to_have_count(1)
        await expect(note).not_to_have_attribute("data-pending", "true")

        await page.get_by_test_id("note-toggle").uncheck()
        await page.get_by_test_id("reply-input").fill("Hello! Yes, shipping is free.")
        await page.get_by_test_id("reply-input").press("Enter")
        reply = await next_from(visitor, "operator")
        assert reply["body"] == "Hello! Yes, shipping is free."  # the note never reached them
        assert not reply["internal"]
        operator_messages = page.locator("[data-testid=message][data-author=operator]")
        await expect(operator_messages).to_have_count(2)

        await visitor.call("message.send", {"client_id": "v-2", "body": "Thanks!"})
        await expect(page.locator("[data-testid=message][data-author=visitor]")).to_have_count(2)

        await page.get_by_test_id("assign-select").select_option(label="Me")
        await expect(item).to_contain_text("Assigned to Olivia")

        await page.get_by_test_id("close-conversation").click()
        await expect(page.get_by_test_id("reopen-conversation")).to_be_visible()
        await expect(page.get_by_test_id("conversation-item")).to_have_count(0)
        await page.locator("[data-testid=status-filter][data-status=closed]").click()
        await expect(page.get_by_test_id("conversation-item")).to_have_count(1)
        await page.get_by_test_id("reopen-conversation").click()
        await expect(page.get_by_test_id("close-conversation")).to_be_visible()

        assert tab.dialogs == []
        assert tab.errors == []
    finally:
        await visitor.close()


async def test_deep_link_and_history_back(live_server: LiveServer, new_tab) -> None:
    visitor = await start_visitor(live_server, "Hi")
    page = (await new_tab()).page
    try:
        await sign_in(page, live_server.url)
        item = page.get_by_test_id("conversation-item")
        conversation_id = await item.get_attribute("data-id")
        await page.goto(f"{live_server.url}/panel/conversations/{conversation_id}")
        await expect(page.get_by_test_id("message")).to_have_count(1, timeout=BOOT_TIMEOUT)
        await expect(page).to_have_url(f"{live_server.url}/panel?c={conversation_id}")
        await page.locator("[data-testid=status-filter][data-status=closed]").click()
        await page.go_back()
        await expect(
            page.locator("[data-testid=status-filter][data-status=open]")
        ).to_have_attribute("aria-pressed", "true")
        await expect(page.get_by_test_id("conversation-item")).to_have_count(1)
    finally:
        await visitor.close()


async def test_visitors_page_starts_a_chat(live_server: LiveServer, new_tab) -> None:
    site = seed(live_server).site
    session = await open_session(live_server, site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    tab = await new_tab()
    page = tab.page
    try:
        await sign_in(page, live_server.url)
        await page.get_by_test_id("nav-visitors").click()
        row = page.get_by_test_id("visitor-row")
        await expect(row).to_have_count(1, timeout=BOOT_TIMEOUT)
        await expect(row).to_have_attribute("data-online", "true")
        await expect(row.get_by_test_id("visitor-page-title")).to_have_text("Blue mug")
        await expect(row.get_by_test_id("visitor-page-url")).to_have_text(
            "https://shop.example/products/1"
        )
        await expect(row.get_by_test_id("time-on-site")).to_have_text(re.compile(r"^\d+:\d\d$"))
        await row.get_by_test_id("start-chat").click()
        await page.wait_for_url(f"{live_server.url}/panel?c=*")
        await expect(page.get_by_test_id("conversation-view")).to_be_visible(timeout=BOOT_TIMEOUT)
        await page.get_by_test_id("reply-input").fill("Can I help you find a mug?")
        await page.get_by_test_id("reply-send").click()
        reply = await next_from(visitor, "operator")
        assert reply["body"] == "Can I help you find a mug?"
        assert tab.errors == []
    finally:
        await visitor.close()


async def test_presence_toggle_and_logout(live_server: LiveServer, new_tab) -> None:
    seed(live_server)
    page = (await new_tab()).page
    await sign_in(page, live_server.url)
    toggle = page.get_by_test_id("presence-toggle")
    await expect(toggle).to_be_enabled()
    await toggle.click()
    await expect(toggle).to_have_text("Away")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await toggle.click()
    await expect(toggle).to_have_text("Online")
    await page.get_by_test_id("logout").click()
    await page.wait_for_url(f"{live_server.url}/panel/login")
    await page.goto(live_server.url + "/panel")
    await expect(page.locator("input[name=email]")).to_be_visible()


async def test_signing_out_in_one_tab_sends_the_others_to_sign_in(
    live_server: LiveServer, new_tab
) -> None:
    seed(live_server)
    tab = await new_tab()
    await sign_in(tab.page, live_server.url)
    await tab.page.goto(live_server.url + "/panel/visitors")
    other = await tab.context.new_page()  # same browser, same session cookie
    await other.goto(live_server.url + "/panel")
    await other.get_by_test_id("logout").click()
    await other.wait_for_url(f"{live_server.url}/panel/login")

    # The first tab's socket is cut at sign-out; its reconnect is refused, so it asks
    # to sign in again and remembers where the operator was.
    await tab.page.wait_for_url(re.compile(r"/panel/login\?next=%2Fpanel%2Fvisitors$"))
    await tab.page.fill("input[name=email]", EMAIL)
    await tab.page.fill("input[name=password]", PASSWORD)
    await tab.page.press("input[name=password]", "Enter")
    await tab.page.wait_for_url(f"{live_server.url}/panel/visitors")


async def test_narrow_screen_shows_one_pane_at_a_time(live_server: LiveServer, new_tab) -> None:
    visitor = await start_visitor(live_server, "Hello from my phone")
    page = (await new_tab(viewport={"width": 390, "height": 780})).page
    try:
        await sign_in(page, live_server.url)
        await page.get_by_test_id("conversation-item").click()
        await expect(page.get_by_test_id("message")).to_have_count(1)
        await expect(page.get_by_test_id("conversation-item")).to_be_hidden()
        await page.get_by_test_id("back-to-list").click()
        await expect(page.get_by_test_id("conversation-item")).to_be_visible()
        await expect(page).to_have_url(f"{live_server.url}/panel")
    finally:
        await visitor.close()


def typing_flags(visitor: Client) -> list[bool]:
    return [event["typing"] for event in visitor.pending("operator.typing")]


async def test_writing_a_note_never_shows_typing_to_the_visitor(
    live_server: LiveServer, new_tab
) -> None:
    visitor = await start_visitor(live_server, "Hi")
    tab = await new_tab()
    page = tab.page
    reply_input = page.get_by_test_id("reply-input")
    try:
        await sign_in(page, live_server.url)
        await page.get_by_test_id("conversation-item").click()
        await expect(page.get_by_test_id("message")).to_have_count(1)

        await reply_input.press_sequentially("Let me ch")  # a reply: the visitor sees typing
        assert await visitor.next("operator.typing") == {"typing": True, "name": "Olivia"}
        await page.get_by_test_id("note-toggle").check()  # the reply becomes a note mid-way
        # Keystrokes keep coming faster than the idle timeout: only the switch can stop it.
        await reply_input.press_sequentially("eck with the warehouse", delay=60)
        assert typing_flags(visitor) == [False]
        await reply_input.press("Enter")
        note = page.locator("[data-testid=message][data-internal=true]")
        await expect(note).not_to_have_attribute("data-pending", "true")
        await reply_input.press_sequentially("VIP, be quick", delay=20)
        await reply_input.press("Enter")
        await expect(note).to_have_count(2)
        await expect(note.last).not_to_have_attribute("data-pending", "true")
        await asyncio.sleep(0.5)  # what the notes would have emitted has arrived by now
        assert typing_flags(visitor) == []

        await page.get_by_test_id("note-toggle").uncheck()
        await reply_input.press_sequentially("On its way!")
        assert await visitor.next("operator.typing") == {"typing": True, "name": "Olivia"}
        assert tab.errors == []
    finally:
        await visitor.close()


async def test_reading_a_conversation_clears_unread_for_other_operators(
    live_server: LiveServer, new_tab
) -> None:
    visitor = await start_visitor(live_server, "Hi")
    sam = add_operator(live_server)
    olivia_page, sam_page = (await new_tab()).page, (await new_tab()).page
    try:
        await sign_in(olivia_page, live_server.url)
        await sign_in(sam_page, live_server.url, email=sam.email)
        sams_item = sam_page.get_by_test_id("conversation-item")
        await expect(sams_item.get_by_test_id("unread-badge")).to_have_text("1")
        await olivia_page.get_by_test_id("conversation-item").click()
        await expect(olivia_page.get_by_test_id("message")).to_have_count(1)
        await expect(sams_item).to_have_attribute("data-unread", "false")

        await visitor.call("message.send", {"client_id": "v-2", "body": "Are you there?"})
        await expect(olivia_page.get_by_test_id("message")).to_have_count(2)
        await expect(sams_item).to_contain_text("Are you there?")
        await expect(sams_item).to_have_attribute("data-unread", "false")
        await expect(sams_item.get_by_test_id("unread-badge")).to_have_count(0)
    finally:
        await visitor.close()
