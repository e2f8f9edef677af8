"""A Porch with tickets and routing installed on a `ManualClock`: operators come online
through the real presence (`operator_connected`), routing jobs run with `run_due()`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from porch import realtime, routing, tickets
from porch.actors import Actor
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.conversations.models import Message
from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site
from porch.tickets.service import TicketService
from porch.visitors.models import Page

PAGE = Page("https://shop.example/", "Home", "")


@dataclass
class Desk:
    services: Services
    clock: ManualClock
    tickets: TicketService
    site: Site
    olivia: Operator
    omar: Operator
    visitors: int = 0

    async def online(self, *operators: Operator) -> None:
        for operator in operators:
            await self.services.presence.operator_connected(operator, f"sid-{operator.id}")

    async def offline(self, *operators: Operator) -> None:
        for operator in operators:
            await self.services.presence.operator_disconnected(f"sid-{operator.id}")

    async def rules(self, **routing: Any) -> None:
        await self.services.sites.update_settings(
            self.site.id, routing={"chats": True, "tickets": True, **routing}
        )

    async def chat(self, body: str = "Hello?") -> int:
        """A new visitor writes: the id of their new conversation."""
        self.visitors += 1
        visitor = await self.services.visitors.open_session(self.site, None, PAGE)
        message = await self.services.conversations.send_visitor_message(
            visitor.id, f"c{self.visitors}", body
        )
        return message.conversation_id

    async def routed_chat(self) -> int:
        """A new chat, and its routing job run (one at a time: turns are in order)."""
        chat = await self.chat()
        await self.run_due()
        return chat

    async def routed_ticket(self, *tags: str) -> int:
        ticket = await self.ticket(*tags)
        await self.run_due()
        return ticket

    async def ticket(self, *tags: str) -> int:
        visitor = await self.services.visitors.open_session(self.site, None, PAGE)
        ticket = await self.tickets.create(
            self.site.id, visitor.id, "Help", "Please", "medium", Actor.system("tests"), tags=tags
        )
        return ticket.id

    async def chat_owner(self, conversation_id: int) -> int | None:
        summary = await self.services.conversations.summary(conversation_id)
        return summary.conversation.assignee_id

    async def ticket_owner(self, ticket_id: int) -> int | None:
        return (await self.tickets.get(ticket_id)).assignee_id

    async def messages(self, conversation_id: int) -> list[Message]:
        return await self.services.conversations.messages(conversation_id, include_internal=True)

    async def run_due(self) -> int:
        return await self.services.jobs.run_due()


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    clock = ManualClock()
    services = build_services(config, clock=clock)
    realtime.install(services)
    service = tickets.setup(services)
    routing.install(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    omar = await services.operators.create("omar@shop.example", "Omar", "pw-123456", role="agent")
    yield Desk(services, clock, service, site, olivia, omar)
    await services.db.dispose()
