"""The people in a chat, in Chromium: an operator uploads an avatar on their profile and
the shopper sees it beside their replies; the operator sees who the shopper is in the
inbox's side panel (a place guessed from the browser, the device, pages, tags,
properties). One demo server, one operator, one shopper."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.async_api import Browser, expect

from porch.demo.seed import Demo
from tests.e2e.pages import Inbox, Storefront
from tests.support.live_server import LiveServer


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


async def test_avatar_on_replies_and_the_visitor_side_panel(
    demo_server: LiveServer, demo: Demo, new_tab, browser: Browser
) -> None:
    operator_tab = await new_tab()
    inbox = Inbox(operator_tab.page, demo_server.url)
    await inbox.login(demo)
    page = inbox.page
    await page.get_by_test_id("operator-name").click()
    await page.get_by_test_id("avatar-file").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": png()}
    )
    await page.get_by_test_id("avatar-upload").click()
    await expect(page.get_by_test_id("flash")).to_have_text("Your avatar is saved.")
    avatar = page.get_by_test_id("profile-avatar")
    await expect(avatar).to_have_js_property("naturalWidth", 128)
    src = await avatar.get_attribute("src")
    assert src and src.startswith("/avatars/")

    # A shopper in Paris with a French browser: the widget speaks French to them.
    context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        shop = Storefront(await context.new_page(), demo_server.url)
        await shop.visit()
        await shop.open_chat()
        await shop.page.evaluate("Porch.setVisitor({plan: 'gold', tags: 'vip,returning'})")
        await shop.send("Where is my parcel?")

        await page.goto(demo_server.url + "/panel")
        await inbox.open_first_conversation()
        side = page.get_by_test_id("visitor-panel")
        await expect(side).to_be_visible()
        details = side.get_by_test_id("visitor-details")
        await expect(details.locator("[data-detail=location]")).to_have_text("Europe/Paris · fr-FR")
        await expect(details.locator("[data-detail=device]")).to_contain_text("Chrome")
        await expect(details.locator("[data-detail=pages_viewed]")).to_have_text("1")
        await expect(details.get_by_test_id("visitor-tag")).to_have_text(["vip", "returning"])
        await expect(details.locator("dt", has_text="plan")).to_be_visible()
        await expect(details.locator("dt", has_text=re.compile("^tags$"))).to_have_count(0)

        await inbox.reply("It left our shop this morning.")
        await expect(
            inbox.messages("operator").get_by_test_id("message-avatar")
        ).to_have_js_property("naturalWidth", 128)
        reply = shop.messages("operator").last
        await expect(reply.locator(".body")).to_have_text("It left our shop this morning.")
        image = reply.get_by_test_id("porch-avatar")
        await expect(image).to_have_attribute("src", src)
        await expect(image).to_have_js_property("naturalWidth", 128)  # loaded under the CSP
    finally:
        await context.close()
    assert operator_tab.errors == []
