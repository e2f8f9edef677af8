"""A Porch with tickets installed on a `ManualClock`: tests move time and run the due jobs
(`services.jobs.run_due()`) instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from porch import realtime, tickets
from porch.actors import Actor
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site
from porch.tickets.service import TicketService
from porch.visitors.models import Visitor
from tests.support.desk import PAGE


@dataclass
class Desk:
    services: Services
    clock: ManualClock
    tickets: TicketService
    site: Site
    olivia: Operator
    omar: Operator
    visitor: Visitor

    @property
    def as_olivia(self) -> Actor:
        return Actor.operator(self.olivia.id, self.olivia.name)

    async def run_due(self) -> int:
        return await self.services.jobs.run_due()

    async def chat(self, body: str = "My order never came") -> int:
        """The visitor writes; the id of their conversation."""
        message = await self.services.conversations.send_visitor_message(
            self.visitor.id, f"c-{body}", body
        )
        return message.conversation_id


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    clock = ManualClock()
    services = build_services(config, clock=clock)
    realtime.install(services)  # tickets add their socket events to `/operator`
    service = tickets.setup(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    omar = await services.operators.create("omar@shop.example", "Omar", "pw-123456")
    visitor = await services.visitors.open_session(site, None, PAGE)
    yield Desk(services, clock, service, site, olivia, omar, visitor)
    await services.db.dispose()
