"""Emoji and other text outside the Basic Multilingual Plane, end to end in Chromium, on
SQLite and PostgreSQL: every way text enters (the loader's session request, drafts,
messages, `Porch.setVisitor`, SPA page views, operator replies) reaches the other side and
storage intact. Brython's `_json` used to garble it on the way out of the widget
(porch_sio/jsontext.py tells how)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.async_api import expect

from porch.conversations.tables import messages
from porch.services import Services
from porch.visitors.tables import page_views, visitors
from tests.e2e.conftest import ChatTabs
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.every_backend]  # text must survive both databases

TEXT = "🚀 rocket 𝒜 🇫🇷 👍🏽 👩\u200d👩\u200d👧 ok"
TITLE = "🛒 Cart 𝒜 🇫🇷"
SPA_TITLE = "👩\u200d👩\u200d👧 Family pack 👍🏽"
NAME = "Zoë 🦊 Fox"
REPLY = "Merci 🙏🏽 — 𝒜 ✓ 🇵🇹"


def stored(server: LiveServer) -> dict[str, Any]:
    async def run(services: Services) -> dict[str, Any]:
        async with services.db.connect() as conn:
            bodies = await conn.scalars(sa.select(messages.c.body).order_by(messages.c.id))
            titles = await conn.scalars(sa.select(page_views.c.title).order_by(page_views.c.id))
            names = await conn.scalars(sa.select(visitors.c.name))
            return {"bodies": list(bodies), "titles": list(titles), "names": list(names)}

    return server.call(run)


async def test_emoji_go_widget_to_panel_to_widget_intact(
    chat_tabs: ChatTabs, demo_server: LiveServer
) -> None:
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    # The host page's title when the loader opens the session.
    set_title = f"document.title = {json.dumps(TITLE)}"
    await visitor_tab.page.add_init_script(
        f"document.addEventListener('DOMContentLoaded', () => {{ {set_title}; }})"
    )
    await shop.visit()
    await shop.open_chat()
    await visitor_tab.page.evaluate("name => Porch.setVisitor({name})", NAME)

    # The draft, then the message (the widget strips it first).
    await shop.input.fill(TEXT)
    await inbox.open_first_conversation()
    await expect(inbox.typing_preview).to_have_text(f"{NAME} is typing: {TEXT}")
    await shop.frame.get_by_test_id("porch-send").click()
    await expect(inbox.messages("visitor").locator(".body")).to_have_text([TEXT])
    head = operator_tab.page.get_by_test_id("conversation-view")
    await expect(head.get_by_test_id("visitor-name")).to_have_text(NAME)
    await expect(head.get_by_test_id("visitor-page")).to_contain_text(TITLE)

    # An SPA navigation: the loader passes the new title on, the widget sends a page view.
    await visitor_tab.page.evaluate(
        "t => { document.title = t; history.pushState({}, '', '/demo?pack=family'); }", SPA_TITLE
    )
    await expect(head.get_by_test_id("visitor-page")).to_contain_text(SPA_TITLE)

    # The operator's reply shows in the widget, live and after a reload.
    await inbox.reply(REPLY)
    await expect(shop.bodies("operator")).to_have_text([REPLY])
    await visitor_tab.page.reload()
    await shop.open_chat()
    await expect(shop.bodies()).to_have_text([TEXT, REPLY])

    data = stored(demo_server)
    assert data["titles"] == [TITLE, SPA_TITLE, TITLE]  # the reload is a page view too
    assert data["bodies"] == [TEXT, REPLY]
    assert NAME in data["names"]
    assert visitor_tab.errors == [] and operator_tab.errors == []


async def test_an_odd_page_still_gets_the_chat(
    chat_tabs: ChatTabs, demo_server: LiveServer
) -> None:
    """A title over the limit with emoji across it and a NUL, a URL over the limit: the
    loader sends what the server takes, so the session opens and the chat works."""
    _operator_tab, visitor_tab, _inbox, shop = chat_tabs
    title = "🚀" * 499 + "👩\u200d👩\u200d👧" + "\x00 tail"
    set_title = f"document.title = {json.dumps(title)}"
    await visitor_tab.page.add_init_script(
        f"document.addEventListener('DOMContentLoaded', () => {{ {set_title}; }})"
    )
    await shop.visit("/demo?utm_content=" + "x" * 3000)
    await shop.open_chat()
    await shop.send("Hello 🚀")
    await expect(shop.bodies("visitor")).to_have_text(["Hello 🚀"])
    titles = stored(demo_server)["titles"]
    assert titles == ["🚀" * 499 + "👩"]  # 500 code points: cut inside the ZWJ sequence only
    assert visitor_tab.errors == []
