"""A Porch with tickets and routing installed on a `ManualClock`: operators come online
through the real presence (`operator_connected`), routing jobs run with `run_due()`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from porch import routing
from porch.actors import Actor
from porch.config import Config
from porch.conversations.models import Message
from porch.operators.service import Operator
from tests.support.desk import Desk as BaseDesk
from tests.support.desk import open_desk


class Desk(BaseDesk):
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

    async def routed_chat(self) -> int:
        """A new chat, and its routing job run (one at a time: turns are in order)."""
        chat = await self.chat("Hello?")
        await self.run_due()
        return chat

    async def routed_ticket(self, *tags: str) -> int:
        ticket = await self.ticket(*tags)
        await self.run_due()
        return ticket

    async def ticket(self, *tags: str) -> int:
        ticket = await self.tickets.create(
            self.site.id, (await self.visitor()).id, "Help", "Please", "medium",
            Actor.system("tests"), tags=tags,
        )  # fmt: skip
        return ticket.id

    async def chat_owner(self, conversation_id: int) -> int | None:
        summary = await self.services.conversations.summary(conversation_id)
        return summary.conversation.assignee_id

    async def ticket_owner(self, ticket_id: int) -> int | None:
        return (await self.tickets.get(ticket_id)).assignee_id

    async def messages(self, conversation_id: int) -> list[Message]:
        return await self.services.conversations.messages(conversation_id, include_internal=True)


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    async with open_desk(config, Desk, routing.install, omar_role="agent") as opened:
        yield opened
