"""Settings → Help desk (/panel/settings/helpdesk) over HTTP against the real app: an admin
sets SLA targets, split-shift business hours, escalation and auto-close, and new tickets
follow them; bad input is refused field by field and stores nothing; agents are refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from porch.actors import Actor
from porch.clock import ManualClock
from porch.config import Config
from porch.conversations.service import ConversationService
from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.service import OperatorService
from porch.sites.directory import SiteDirectory
from porch.sites.models import Site
from porch.tickets.service import TicketService
from porch.visitors.models import Page
from porch.visitors.service import VisitorService
from tests.panel.test_panel_http import BASE
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

PAGE_PATH = "/panel/settings/helpdesk"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def site(db: Database) -> Site:
    operators = OperatorService(db)
    await operators.create(EMAIL, "Olivia", PASSWORD)
    await operators.create("agent@shop.example", "Alex", PASSWORD, role="agent")
    return await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])


@pytest.fixture
async def client(tmp_path: Path, database_url: str, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="helpdesk-secret")
    async with app_client(config, BASE, client_ip="203.0.113.19") as c:
        yield c


def form_values(html: str) -> dict[str, str]:
    """The form's fields as a browser would send them (checked boxes only)."""
    fields = dict(re.findall(r'<input name="(\w+)" inputmode="numeric" value="([^"]*)"', html))
    for name, value in re.findall(r'<input id="hd-\d+-\w+" name="(\w+)"[^>]*value="([^"]*)"', html):
        fields[name] = value
    for name in re.findall(r'<input type="checkbox" name="(\w+)"[^>]* checked', html):
        fields[name] = "on"
    message = re.search(r'name="resolve_message"[^>]*>([^<]*)</textarea>', html)
    fields["resolve_message"] = message.group(1) if message else ""
    fields["csrf_token"] = csrf_from(html)
    return fields


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="form-error" data-field="(\w+)">([^<]*)<', html))


async def test_an_admin_sets_slas_hours_and_escalation_and_new_tickets_follow(
    client: httpx.AsyncClient, db: Database, site: Site
) -> None:
    assert (await login(client)).status_code == 303
    page = await client.get(PAGE_PATH)
    assert page.status_code == 200
    fields = form_values(page.text)
    assert fields["critical_first_response"] == "15"  # the defaults, shown
    assert fields["auto_close_hours"] == "72" and fields["timezone"] == ""
    fields |= {
        "critical_first_response": "10",
        "critical_resolution": "90",
        "timezone": "Europe/Paris",
        "hours_mon": "09:00-12:30, 13:30-18:00",
        "hours_tue": "09:00-17:00",
        "raise_priority": "on",
        "auto_close_hours": "48",
    }
    saved = await client.post(f"{PAGE_PATH}/{site.id}", data=fields)
    assert saved.status_code == 303
    shown = await client.get(saved.headers["location"])
    assert "Saved the help desk settings" in shown.text
    again = form_values(shown.text)
    assert again["critical_first_response"] == "10"
    assert again["hours_mon"] == "09:00-12:30, 13:30-18:00" and again["hours_wed"] == ""
    assert again["raise_priority"] == "on"

    stored = await SiteDirectory(db, EventBus()).get(site.id)
    assert stored is not None
    assert stored.settings["business_hours"]["weekly"]["mon"] == [
        ["09:00", "12:30"],
        ["13:30", "18:00"],
    ]
    assert stored.settings["sla_escalation"]["raise_priority"] is True
    clock = ManualClock()
    bus = EventBus()
    visitors = VisitorService(db, bus)
    tickets = TicketService(db, bus, clock, ConversationService(db, bus, visitors))
    visitor = await visitors.open_session(stored, None, Page("https://shop.example/", "Home"))
    ticket = await tickets.create(
        site.id, visitor.id, "Broken", "It broke", "critical", Actor.system("tests")
    )
    assert ticket.first_response_due_at == clock.now() + timedelta(minutes=10)
    assert ticket.resolution_due_at == clock.now() + timedelta(minutes=90)


async def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(
    client: httpx.AsyncClient, db: Database, site: Site
) -> None:
    assert (await login(client)).status_code == 303
    fields = form_values((await client.get(PAGE_PATH)).text) | {
        "high_first_response": "soon",
        "timezone": "Mars/Olympus",
        "hours_tue": "9 to 5",
        "auto_close_hours": "forever",
    }
    refused = await client.post(f"{PAGE_PATH}/{site.id}", data=fields)
    assert refused.status_code == 422
    problems = errors(refused.text)
    assert set(problems) >= {"high_first_response", "hours_tue", "auto_close_hours"}
    assert 'value="soon"' in refused.text  # what was typed stays in the form
    fields |= {"high_first_response": "60", "hours_tue": "09:00-17:00", "auto_close_hours": "72"}
    zone = await client.post(f"{PAGE_PATH}/{site.id}", data=fields)
    assert zone.status_code == 422 and "Mars/Olympus" in errors(zone.text)["timezone"]
    stored = await SiteDirectory(db, EventBus()).get(site.id)
    assert stored is not None and "business_hours" not in stored.settings


async def test_agents_cannot_open_or_post_it(client: httpx.AsyncClient, site: Site) -> None:
    assert (await login(client, "agent@shop.example")).status_code == 303
    assert (await client.get(PAGE_PATH)).status_code == 403
    page = await client.get("/panel")
    posted = await client.post(
        f"{PAGE_PATH}/{site.id}", data={"csrf_token": csrf_from(page.text), "timezone": "UTC"}
    )
    assert posted.status_code == 403
