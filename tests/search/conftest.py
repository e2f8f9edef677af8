"""A Porch with tickets, search and the inbox tools on a `ManualClock`, on SQLite and
PostgreSQL: tests move time and run the due jobs instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from porch import canned, inbox, realtime, search, tickets
from porch.actors import Actor
from porch.app import build_services
from porch.canned.service import CannedReplies
from porch.clock import ManualClock
from porch.config import Config
from porch.inbox.service import InboxTools
from porch.operators.service import Operator
from porch.search.service import SearchService
from porch.services import Services
from porch.sites.models import Site
from porch.tickets.service import TicketService
from porch.visitors.models import Page, Visitor

PAGE = Page("https://shop.example/", "Home", "")


@dataclass
class Desk:
    services: Services
    clock: ManualClock
    tickets: TicketService
    search: SearchService
    canned: CannedReplies
    inbox: InboxTools
    site: Site
    olivia: Operator
    visitor: Visitor

    @property
    def as_olivia(self) -> Actor:
        return Actor.operator(self.olivia.id, self.olivia.name)

    async def run_due(self) -> int:
        return await self.services.jobs.run_due()

    async def visitor_says(self, body: str, visitor: Visitor | None = None) -> int:
        """The visitor writes; the id of their conversation."""
        who = visitor or self.visitor
        message = await self.services.conversations.send_visitor_message(
            who.id, f"c-{body[:40]}-{self.clock.now().timestamp()}", body
        )
        return message.conversation_id

    async def another_visitor(self) -> Visitor:
        return await self.services.visitors.open_session(self.site, None, PAGE)


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    clock = ManualClock()
    services = build_services(config, clock=clock)
    realtime.install(services)
    ticket_service = tickets.setup(services)
    search_service = search.setup(services)
    canned_service = canned.setup(services)
    tools = inbox.setup(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    visitor = await services.visitors.open_session(site, None, PAGE)
    yield Desk(
        services, clock, ticket_service, search_service, canned_service, tools, site, olivia,
        visitor,
    )  # fmt: skip
    await services.db.dispose()
