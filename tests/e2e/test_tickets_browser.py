"""Tickets in Chromium: an operator turns a chat into a high-priority ticket, a second
operator sees it in "Critical and high" live, the SLA warning shows at 80% (the test moves
the clock the server reads), pending pauses the clock, and the shopper's reply reopens a
resolved ticket; the requester's open tickets show before another is made, bulk actions,
a saved view with live counts, and two tickets merge (a later reply lands on the target)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from playwright.async_api import Locator, Page, expect

from porch.canned.service import CannedReplies
from porch.clock import ManualClock
from porch.config import Config
from porch.demo.seed import Demo
from porch.services import Services
from porch.tickets.service import TicketService
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Inbox
from tests.support.chat_clients import add_operator
from tests.support.live_server import LiveServer, start_live_server

LIVE = 15_000  # ms: a socket event, or a job worker's next look for due timers


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def demo_server(config: Config, clock: ManualClock) -> Iterator[LiveServer]:
    server = start_live_server(dataclasses.replace(config, demo=True), clock)
    yield server
    server.stop()


SHOWN_NOTIFICATIONS = """
window.shownNotifications = [];
const RealNotification = window.Notification;
function RecordingNotification(title, options) {
  window.shownNotifications.push(title + ": " + ((options && options.body) || ""));
  return new RealNotification(title, options);
}
Object.defineProperty(RecordingNotification, "permission", {
  get: () => RealNotification.permission,
});
RecordingNotification.requestPermission = (...args) => RealNotification.requestPermission(...args);
window.Notification = RecordingNotification;
"""
"""Records the desktop notifications the page shows, then shows them with the browser's
own Notification (whose permission and requestPermission stay the real ones)."""


def item(page: Page) -> Locator:
    return page.get_by_test_id("ticket-item").first


async def show_view(page: Page, name: str) -> None:
    await page.locator(f"[data-testid=ticket-view][data-view={name}]").click()


async def test_a_chat_becomes_a_ticket_with_live_sla(
    chat_tabs: ChatTabs, demo_server: LiveServer, clock: ManualClock, new_tab
) -> None:
    sam = add_operator(demo_server, "Sam")
    second = await new_tab()
    await second.context.grant_permissions(["notifications"], origin=demo_server.url)
    await second.page.add_init_script(SHOWN_NOTIFICATIONS)
    await Inbox(second.page, demo_server.url).sign_in(
        f"{sam.name.lower()}@shop.example", "pw-123456"
    )
    await second.page.goto(demo_server.url + "/panel/tickets")
    await expect(second.page.get_by_test_id("tickets-empty")).to_be_visible(timeout=LIVE)

    await chat_tabs.start_chat("My parcel never arrived")
    operator = chat_tabs.operator_tab.page
    await operator.get_by_test_id("ticket-create-priority").select_option("high")
    await operator.get_by_test_id("create-ticket").click()
    await expect(operator.get_by_test_id("ticket-created")).to_have_text("Ticket #1001")

    page = second.page
    await expect(item(page)).to_be_visible(timeout=LIVE)  # live, without a reload
    await expect(item(page).get_by_test_id("ticket-priority")).to_have_text("high")
    await expect(item(page).get_by_test_id("ticket-status")).to_have_text("open")
    urgent = page.locator("[data-testid=ticket-view-count][data-view=urgent]")
    await expect(urgent).to_have_text("1")
    due = item(page).get_by_test_id("sla-due")
    await expect(due).to_have_attribute("data-state", "ok")

    clock.advance(minutes=48)  # 80% of the hour a high ticket has for its first response
    await expect(due).to_have_attribute("data-state", "warning", timeout=LIVE)
    await expect(page.get_by_test_id("sla-alert")).to_contain_text("#1001", timeout=LIVE)
    await page.wait_for_function("window.shownNotifications.length > 0", timeout=LIVE)
    [desktop] = await page.evaluate("window.shownNotifications")
    assert desktop.startswith("SLA warning: #1001")  # the desktop notification too

    await item(page).get_by_role("link").click()
    await expect(page.get_by_test_id("ticket-label")).to_have_text("#1001")
    await page.get_by_test_id("ticket-status-select").select_option("pending")
    await expect(due).to_have_attribute("data-state", "paused", timeout=LIVE)
    clock.advance(hours=5)  # the clock stands still while pending
    await page.get_by_test_id("ticket-status-select").select_option("open")
    await expect(item(page).get_by_test_id("ticket-status")).to_have_text("open", timeout=LIVE)
    await expect(due).to_have_attribute("data-state", "warning")  # not breached

    await page.get_by_test_id("ticket-status-select").select_option("resolved")
    await show_view(page, "resolved")
    await expect(item(page).get_by_test_id("ticket-status")).to_have_text("resolved", timeout=LIVE)
    await chat_tabs.shop.send("It still has not come")
    await expect(page.get_by_test_id("tickets-empty")).to_be_visible(timeout=LIVE)
    await show_view(page, "urgent")
    await expect(item(page).get_by_test_id("ticket-status")).to_have_text("open", timeout=LIVE)
    history = page.get_by_test_id("ticket-history-entry")
    await expect(history.last).to_contain_text("status resolved → open")
    assert second.errors == [] and chat_tabs.operator_tab.errors == []


async def test_the_requesters_open_tickets_bulk_actions_a_saved_view_and_a_merge(
    chat_tabs: ChatTabs, demo_server: LiveServer
) -> None:
    await chat_tabs.start_chat("I was charged twice")
    operator = chat_tabs.operator_tab.page
    await operator.get_by_test_id("create-ticket").click()
    await expect(operator.get_by_test_id("ticket-created")).to_have_text("Ticket #1001")
    # Before another ticket is made, the customer's open ones show, with "Add this chat".
    open_ones = operator.get_by_test_id("requester-ticket")
    await expect(open_ones).to_have_count(1, timeout=LIVE)
    await expect(open_ones.first).to_contain_text("#1001")
    await operator.get_by_test_id("create-ticket").click()
    await expect(operator.get_by_test_id("ticket-created")).to_have_text("Ticket #1002")
    await expect(open_ones).to_have_count(2, timeout=LIVE)

    await operator.goto(demo_server.url + "/panel/tickets")
    await show_view(operator, "unassigned")
    items = operator.get_by_test_id("ticket-item")
    await expect(items).to_have_count(2, timeout=LIVE)
    for n in range(2):
        await items.nth(n).get_by_test_id("ticket-select").check()
    await expect(operator.get_by_test_id("bulk-count")).to_have_text("2 selected")
    await operator.get_by_test_id("bulk-priority").select_option("high")
    await expect(operator.locator("[data-testid=ticket-priority]:text-is('high')")).to_have_count(
        2, timeout=LIVE
    )

    form = operator.get_by_test_id("saved-view-form")
    await form.locator("summary").click()
    await operator.get_by_test_id("saved-view-name").fill("Unowned urgent")
    await operator.get_by_test_id("filter-priority").select_option("high")
    await operator.get_by_test_id("filter-assignee").select_option("none")
    await operator.get_by_test_id("filter-status").select_option("open")
    await operator.get_by_test_id("filter-sort").select_option("newest")
    await operator.get_by_test_id("saved-view-save").click()
    saved = operator.get_by_test_id("saved-view")
    await expect(saved).to_have_count(1, timeout=LIVE)
    await expect(saved.get_by_test_id("saved-view-count")).to_have_text("2")
    await expect(items.first.locator(".ticket-label")).to_have_text("#1002")  # newest first

    await items.first.get_by_role("link").click()
    await expect(operator.get_by_test_id("ticket-label")).to_have_text("#1002")
    await operator.get_by_test_id("ticket-merge-input").fill("1001")
    await operator.get_by_test_id("ticket-merge").click()
    await expect(operator.get_by_test_id("ticket-label")).to_have_text("#1001", timeout=LIVE)
    history = operator.get_by_test_id("ticket-history-entry")
    await expect(history.last).to_contain_text("merged #1002 into it")
    await expect(saved.get_by_test_id("saved-view-count")).to_have_text("1", timeout=LIVE)

    await operator.goto(demo_server.url + "/panel/tickets/2")  # #1002 (#1001 has id 1)
    await expect(operator.get_by_test_id("ticket-merged")).to_have_text(
        "Merged into #1001: replies and notes go there.", timeout=LIVE
    )
    await chat_tabs.shop.send("Any news?")  # a reply after the merge lands on #1001
    await operator.goto(demo_server.url + "/panel/tickets/1")
    await expect(operator.get_by_test_id("ticket-messages")).to_contain_text(
        "Any news?", timeout=LIVE
    )

    # The site's own field and status, added from the ticket and used on it.
    await operator.get_by_test_id("ticket-setup").locator("summary").click()
    await operator.get_by_test_id("setup-field-name").fill("Order number")
    await operator.get_by_test_id("setup-field-add").click()
    field = operator.get_by_test_id("ticket-field")
    await expect(field).to_have_count(1, timeout=LIVE)
    await field.fill("A-1042")
    await operator.get_by_test_id("ticket-fields-save").click()
    history = operator.get_by_test_id("ticket-history-entry")
    await expect(history.last).to_contain_text("Order number  → A-1042", timeout=LIVE)
    await operator.get_by_test_id("setup-status-name").fill("Waiting on warehouse")
    await operator.get_by_test_id("setup-status-maps").select_option("pending")
    await operator.get_by_test_id("setup-status-add").click()
    status = operator.get_by_test_id("ticket-status-select")
    await expect(status.locator("option[data-custom]")).to_have_count(1, timeout=LIVE)
    await status.select_option("Waiting on warehouse")
    await expect(operator.get_by_test_id("ticket-due")).to_have_attribute(
        "data-state", "paused", timeout=LIVE
    )
    assert chat_tabs.operator_tab.errors == []


async def test_a_template_suggests_its_canned_replies_and_the_reply_reaches_the_shopper(
    chat_tabs: ChatTabs, demo_server: LiveServer, demo: Demo
) -> None:
    async def refund_template(services: Services) -> None:
        canned = CannedReplies(services.db, services.clock)
        await canned.add(demo.site.id, "photo", "Ask for a photo", "Could you send a photo?")
        tickets = TicketService(
            services.db, services.events, services.clock, services.conversations
        )
        await tickets.catalog.add_template(
            demo.site.id, "Damaged", "Damaged parcel", "high", canned_shortcuts=["photo"]
        )

    demo_server.call(refund_template)
    await chat_tabs.start_chat("The mug arrived broken")
    operator = chat_tabs.operator_tab.page
    await operator.get_by_test_id("ticket-create-template").select_option(label="Damaged")
    await operator.get_by_test_id("create-ticket").click()
    await operator.get_by_test_id("ticket-created").click()
    await expect(operator.get_by_test_id("ticket-subject")).to_have_text("Damaged parcel")
    suggested = operator.get_by_test_id("ticket-suggested-reply")
    await expect(suggested).to_have_text("/photo Ask for a photo")
    await suggested.click()
    await expect(operator.get_by_test_id("ticket-reply-input")).to_have_value(
        "Could you send a photo?"
    )
    await operator.get_by_test_id("ticket-reply-send").click()
    await expect(chat_tabs.shop.messages("operator").last).to_contain_text(
        "Could you send a photo?", timeout=LIVE
    )
    assert chat_tabs.operator_tab.errors == []
