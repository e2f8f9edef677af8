"""Which new items get a routing job: those of sites that route that kind and have no
assignee yet (an operator who reaches out to a visitor has the chat already)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.events import ConversationOpened
from porch.events import Filter
from porch.routing.settings import RoutingSettings
from porch.sites import queries as site_queries
from porch.tickets.events import TicketCreated

if TYPE_CHECKING:
    from porch.services import Services


async def _routes(conn: AsyncConnection, site_id: int, kind: str) -> bool:
    site = await site_queries.site(conn, site_id)
    return site is not None and RoutingSettings.of_site(site.settings).enabled(kind)


def wants_chats(services: Services) -> Filter:
    async def wanted(conn: AsyncConnection, event: Any) -> bool:
        assert isinstance(event, ConversationOpened)
        chat = event.conversation.conversation
        if chat.assignee_id is not None:
            return False
        for answers_first in services.first_responders:
            if await answers_first(conn, chat.site_id):
                return False  # it hands the chat to routing when it is done
        return await _routes(conn, chat.site_id, "chat")

    return wanted


async def wants_tickets(conn: AsyncConnection, event: Any) -> bool:
    assert isinstance(event, TicketCreated)
    ticket = event.ticket
    return ticket.assignee_id is None and await _routes(conn, ticket.site_id, "ticket")
