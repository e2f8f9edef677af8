"""A Porch with tickets and analytics installed on a `ManualClock`: tests move time and run
the due jobs (the recorder is a job) instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from porch import analytics, realtime, tickets
from porch.actors import Actor
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.operators.service import Operator
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
    site: Site
    olivia: Operator
    omar: Operator

    def operator(self, who: Operator) -> Actor:
        return Actor.operator(who.id, who.name)

    async def chat(self, body: str = "Where is my order?") -> int:
        """A new visitor writes; the id of their conversation."""
        visitor = await self.visitor()
        message = await self.services.conversations.send_visitor_message(
            visitor.id, f"c-{visitor.id}", body
        )
        return message.conversation_id

    async def visitor(self) -> Visitor:
        return await self.services.visitors.open_session(self.site, None, PAGE)

    async def reply(self, who: Operator, conversation_id: int, after: timedelta) -> None:
        self.clock.advance(after)
        await self.services.conversations.post_message(
            self.operator(who), conversation_id, f"r-{self.clock.now().isoformat()}", "On its way"
        )

    async def close(self, who: Operator, conversation_id: int, after: timedelta) -> None:
        self.clock.advance(after)
        await self.services.conversations.close(conversation_id, self.operator(who))

    async def run_due(self) -> int:
        return await self.services.jobs.run_due()


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    clock = ManualClock()
    services = build_services(config, clock=clock)
    realtime.install(services)
    service = tickets.setup(services)
    analytics.install(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    omar = await services.operators.create("omar@shop.example", "Omar", "pw-123456")
    yield Desk(services, clock, service, site, olivia, omar)
    await services.db.dispose()
