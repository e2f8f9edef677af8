"""Satisfaction ratings in Chromium: the operator closes a chat, the shopper's widget asks
"How did we do?" without reopening it, the shopper rates it 4 with a comment, the operator
sees the rating in the conversation and the Analytics page counts it in CSAT."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.async_api import expect

from porch.analytics.panel import duration
from porch.conversations.tables import conversations, messages
from porch.services import Services
from tests.e2e.conftest import ChatTabs
from tests.support.live_server import LiveServer

LIVE = 20_000  # ms: the question and the note are jobs; workers pick them up after the commit


async def _expected(services: Services) -> tuple[str, str]:
    """First response and resolution of the one conversation, from its stored times."""
    async with services.db.connect() as conn:
        chat = (await conn.execute(sa.select(conversations))).one()
        answered = await conn.scalar(
            sa.select(sa.func.min(messages.c.created_at)).where(messages.c.author == "operator")
        )
    first = (answered - chat.created_at).total_seconds()
    return duration(first), duration((chat.closed_at - chat.created_at).total_seconds())


async def test_a_closed_chat_is_rated_in_the_widget(
    chat_tabs: ChatTabs, demo_server: LiveServer
) -> None:
    operator_tab, _, inbox, shop = chat_tabs
    page = operator_tab.page
    await chat_tabs.start_chat("Can I change my delivery address?")
    await inbox.reply("Done, it ships to the new one.")
    await page.get_by_test_id("close-conversation").click()
    await expect(page.get_by_test_id("reopen-conversation")).to_be_visible()

    rating = shop.frame.get_by_test_id("porch-rating")
    await expect(rating).to_be_visible(timeout=LIVE)
    await expect(shop.frame.get_by_test_id("porch-closed")).to_be_visible()
    await rating.locator("[data-testid=porch-rating-score][data-score='4']").click()
    await rating.get_by_test_id("porch-rating-comment").fill("Quick, thanks")
    await rating.get_by_test_id("porch-rating-submit").click()
    await expect(shop.frame.get_by_test_id("porch-rating-thanks")).to_be_visible(timeout=LIVE)

    # The operator sees the rating in the conversation, which stays closed.
    shown = page.get_by_test_id("conversation-rating")
    await expect(shown).to_be_visible(timeout=LIVE)
    await expect(shown).to_have_attribute("data-score", "4")
    await expect(page.get_by_test_id("message").filter(has=shown)).to_contain_text("Quick, thanks")
    await expect(page.get_by_test_id("reopen-conversation")).to_be_visible()

    # A reload still shows the thanks, not a second form.
    await shop.page.reload()
    await shop.open_chat()
    await expect(shop.frame.get_by_test_id("porch-rating-thanks")).to_be_visible(timeout=LIVE)
    await expect(shop.frame.get_by_test_id("porch-rating-score")).to_have_count(0)

    await page.get_by_test_id("nav-analytics").click()
    await expect(page.get_by_test_id("analytics-ratings")).to_have_text("1")
    await expect(page.get_by_test_id("analytics-csat")).to_have_text("100%")
    first, resolution = demo_server.call(_expected)
    await expect(page.get_by_test_id("analytics-first-response-median")).to_have_text(first)
    await expect(page.get_by_test_id("analytics-resolution-median")).to_have_text(resolution)
    await expect(page.get_by_test_id("analytics-conversations")).to_have_text("1")

    # Behind the CSAT figure: the rated conversation, one click from the inbox.
    await page.get_by_test_id("analytics-csat-drill").click()
    rows = page.get_by_test_id("analytics-drill-row")
    await expect(rows).to_have_count(1)
    await rows.first.get_by_role("link").click()
    await expect(page.get_by_test_id("reopen-conversation")).to_be_visible(timeout=LIVE)


async def test_a_resolved_ticket_is_rated_in_the_widget(
    chat_tabs: ChatTabs, demo_server: LiveServer
) -> None:
    """The operator makes a ticket of the chat and resolves it on the Tickets page; the
    server's job asks the shopper in the widget; the ticket page shows their rating."""
    from porch.analytics.tables import reporting_events

    operator_tab, _, inbox, shop = chat_tabs
    await chat_tabs.start_chat("My parcel is late")
    await inbox.reply("I opened a ticket for it.")
    desk = operator_tab.page
    await desk.get_by_test_id("create-ticket").click()
    await expect(desk.get_by_test_id("ticket-created")).to_contain_text("Ticket #")
    await desk.goto(demo_server.url + "/panel/tickets")
    await desk.get_by_test_id("ticket-view").filter(has_text="Unassigned").click()
    await desk.get_by_test_id("ticket-item").first.get_by_role("link").click()
    await expect(desk.get_by_test_id("ticket-rating")).to_be_hidden()
    await desk.get_by_test_id("ticket-status-select").select_option("resolved")

    rating = shop.frame.get_by_test_id("porch-rating")
    await expect(rating).to_be_visible(timeout=LIVE)
    await rating.locator("[data-testid=porch-rating-score][data-score='5']").click()
    await rating.get_by_test_id("porch-rating-comment").fill("Quick fix, thanks")
    await rating.get_by_test_id("porch-rating-submit").click()
    await expect(shop.frame.get_by_test_id("porch-rating-thanks")).to_be_visible(timeout=LIVE)

    async def stored(services: Services) -> list[tuple[object, ...]]:
        async with services.db.connect() as conn:
            rows = await conn.execute(
                sa.select(reporting_events.c.ticket_id, reporting_events.c.value).where(
                    reporting_events.c.kind == "rating"
                )
            )
            return [tuple(row) for row in rows]

    [(ticket_id, score)] = demo_server.call(stored)
    assert ticket_id is not None and score == 5
    shown = desk.get_by_test_id("ticket-rating")
    for _ in range(20):  # the note is a job after the rating: look again until it is there
        await desk.reload()
        await expect(desk.get_by_test_id("ticket-detail")).to_be_visible()
        if await shown.is_visible():
            break
        await desk.wait_for_timeout(500)
    await expect(shown).to_have_text("Rated ★★★★★ 5/5: Quick fix, thanks")
