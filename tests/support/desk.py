"""A help desk for feature tests: tickets and the given features installed on a
`ManualClock` (tests move time and run the due jobs instead of sleeping), one site and two
operators, Olivia (admin) and Omar."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from porch import realtime, tickets
from porch.actors import Actor
from porch.app import build_services
from porch.clock import DEFAULT_START, ManualClock
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

    async def visitor(self) -> Visitor:
        return await self.services.visitors.open_session(self.site, None, PAGE)

    async def chat(self, body: str = "Where is my order?") -> int:
        """A new visitor writes: the id of their new conversation."""
        visitor = await self.visitor()
        message = await self.services.conversations.send_visitor_message(
            visitor.id, f"c-{visitor.id}", body
        )
        return message.conversation_id

    async def run_due(self) -> int:
        return await self.services.jobs.run_due()


AnyDesk = TypeVar("AnyDesk", bound=Desk)


@asynccontextmanager
async def open_desk(
    config: Config,
    kind: type[AnyDesk],
    *features: Callable[[Services], object],
    omar_role: str = "admin",
    start: datetime = DEFAULT_START,
) -> AsyncIterator[AnyDesk]:
    """A `kind` of desk with each of `features` installed (`porch.<feature>.install`), its
    clock set at `start`."""
    clock = ManualClock(start)
    services = build_services(config, clock=clock)
    realtime.install(services)
    service = tickets.setup(services)
    for install in features:
        install(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    omar = await services.operators.create("omar@shop.example", "Omar", "pw-123456", role=omar_role)
    try:
        yield kind(services, clock, service, site, olivia, omar)
    finally:
        await services.db.dispose()
