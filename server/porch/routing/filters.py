"""Which new items get a routing job: those of sites that route that kind and have no
assignee yet (an operator who reaches out to a visitor has the chat already)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.events import ConversationOpened
from porch.routing.settings import RoutingSettings
from porch.sites import queries as site_queries
from porch.tickets.events import TicketCreated


async def _routes(conn: AsyncConnection, site_id: int, kind: str) -> bool:
    site = await site_queries.site(conn, site_id)
    return site is not None and RoutingSettings.of_site(site.settings).enabled(kind)


async def wants_chats(conn: AsyncConnection, event: Any) -> bool:
    assert isinstance(event, ConversationOpened)
    from porch.bot.routing import answers_first

    chat = event.conversation.conversation
    if chat.assignee_id is not None or await answers_first(conn, chat.site_id):
        return False  # a bot answering first routes the chat when it hands off
    return await _routes(conn, chat.site_id, "chat")


async def wants_tickets(conn: AsyncConnection, event: Any) -> bool:
    assert isinstance(event, TicketCreated)
    ticket = event.ticket
    return ticket.assignee_id is None and await _routes(conn, ticket.site_id, "ticket")
