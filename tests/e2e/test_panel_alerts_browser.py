"""Alerts in Chromium: with the panel in a background tab, a shopper's new chat shows as a
count in the tab title and a badge on the favicon, plays a sound and (once permitted) a
desktop notification; coming back clears it; an operator's choices stay with them."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import ChatTabs

pytestmark = pytest.mark.e2e

# Records the notifications the page makes (the real constructor still runs).
SPY = """
window.__notes = [];
const Real = window.Notification;
function Spy(title, options) { window.__notes.push(title); return new Real(title, options); }
Spy.requestPermission = (...args) => Real.requestPermission(...args);
Object.defineProperty(Spy, 'permission', {get: () => Real.permission});
window.Notification = Spy;
"""
# What the browser reports for a tab in the background (hidden, unfocused).
BACKGROUND = """hidden => {
  Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
  document.hasFocus = () => !hidden;
  document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new Event(hidden ? 'blur' : 'focus'));
}"""


async def test_a_new_chat_reaches_an_operator_in_another_tab(chat_tabs: ChatTabs) -> None:
    operator_tab, _visitor_tab, inbox, shop = chat_tabs
    page = operator_tab.page
    await operator_tab.context.grant_permissions(["notifications"])
    await page.add_init_script(SPY)
    await page.reload()
    await expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "connected", timeout=30_000
    )
    await page.get_by_test_id("alert-settings").locator("summary").click()
    await expect(page.get_by_test_id("alert-sound")).to_be_checked()
    await page.get_by_test_id("alert-desktop").check()
    title = await page.title()
    await page.evaluate(BACKGROUND, True)

    await shop.visit()
    await shop.open_chat()
    await shop.send("Is anyone there?")

    status = page.get_by_test_id("alert-status")
    await expect(status).to_have_attribute("data-alerts", "1", timeout=20_000)
    await expect(status).to_have_attribute("data-done", "title sound desktop")
    await expect(status).to_have_text("New chat from " + await _visitor_name(inbox))
    await expect(page).to_have_title(f"(1) {title}")
    icon = page.get_by_test_id("favicon")
    assert (await icon.get_attribute("href") or "").startswith("data:image/png")
    assert len(await page.evaluate("window.__notes")) == 1
    assert not operator_tab.errors

    await page.evaluate(BACKGROUND, False)
    await expect(page).to_have_title(title)
    assert await icon.get_attribute("href") == "data:,"
    await page.reload()
    await page.get_by_test_id("alert-settings").locator("summary").click()
    await expect(page.get_by_test_id("alert-desktop")).to_be_checked()  # remembered


async def _visitor_name(inbox: object) -> str:
    item = inbox.conversations.first  # type: ignore[attr-defined]
    await expect(item).to_be_visible(timeout=20_000)
    return (
        await item.locator(".name, [data-testid=visitor-name]").first.text_content() or ""
    ).strip()
