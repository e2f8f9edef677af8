"""The Team page in real Chromium: an admin invites an agent, the invitee opens the link,
sets a password, signs in, and cannot open the settings."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from porch.actors import Actor
from porch.demo.seed import Demo
from porch.operators.teams import TeamService
from porch.services import Services
from porch.tickets.service import TicketService
from porch.visitors.models import Page
from tests.e2e.pages import Inbox
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e
PAGE = Page("https://shop.example/", "Home", "")


async def test_an_invited_agent_joins_and_cannot_open_settings(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    admin_tab = await new_tab()
    admin = admin_tab.page
    await Inbox(admin, demo_server.url).login(demo)
    await admin.get_by_test_id("nav-team").click()
    await admin.wait_for_url(demo_server.url + "/panel/team")
    await admin.get_by_test_id("invite-email-input").fill("sam@shop.example")
    await admin.get_by_test_id("invite-role").select_option("agent")
    await admin.get_by_test_id("invite-send").click()
    link = admin.get_by_test_id("invite-link")
    await expect(link).to_have_value(re.compile(rf"^{re.escape(demo_server.url)}/panel/invite/"))
    url = await link.input_value()
    await expect(admin.get_by_test_id("invite-row")).to_contain_text("sam@shop.example · agent")

    invitee_tab = await new_tab()
    invitee = invitee_tab.page
    await invitee.goto(url)
    await expect(invitee.get_by_test_id("invite-email")).to_have_text("sam@shop.example")
    await invitee.get_by_label("Your name").fill("Sam")
    await invitee.get_by_label("Password (at least 8 characters)").fill("sam-password")
    await invitee.get_by_label("Password again").fill("sam-password")
    await invitee.get_by_test_id("invite-accept").click()
    await invitee.wait_for_url(f"{demo_server.url}/panel/login?next=%2Fpanel")

    await Inbox(invitee, demo_server.url).sign_in("sam@shop.example", "sam-password")
    await expect(invitee.get_by_test_id("operator-name")).to_have_text("Sam")
    await expect(invitee.get_by_test_id("nav-tickets")).to_be_visible()
    await expect(invitee.get_by_test_id("nav-settings")).to_have_count(0)
    await expect(invitee.get_by_test_id("nav-team")).to_have_count(0)
    refused = await invitee.goto(demo_server.url + "/panel/settings")
    assert refused is not None and refused.status == 403
    await expect(invitee.get_by_role("heading", name="Admins only")).to_be_visible()

    used = await invitee.goto(url)  # the link worked once
    assert used is not None and used.status == 404
    assert admin_tab.errors == [] and invitee_tab.errors == []


async def test_a_ticket_is_put_in_a_team_from_the_tickets_page(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    async def seed(services: Services) -> int:
        await TeamService(services.db, services.clock).create("Billing")
        visitor = await services.visitors.open_session(demo.site, None, PAGE)
        tickets = TicketService(services.db, services.events, services.clock)
        ticket = await tickets.create(
            demo.site.id, visitor.id, "Refund please", "", "high", Actor.system("tests")
        )
        return ticket.id

    ticket_id = demo_server.call(seed)
    tab = await new_tab()
    page = tab.page
    await Inbox(page, demo_server.url).login(demo)
    await page.goto(f"{demo_server.url}/panel/tickets/{ticket_id}")
    select = page.get_by_test_id("ticket-team-select")
    await expect(select.locator("option", has_text="Billing")).to_have_count(1)
    await select.select_option(label="Billing")
    await expect(page.get_by_test_id("ticket-team")).to_have_text("Billing")
    await page.reload()
    await expect(page.get_by_test_id("ticket-team-select")).to_have_value(re.compile(r"^\d+$"))
    await expect(page.get_by_test_id("ticket-history-entry").last).to_contain_text("team")
    assert tab.errors == []
