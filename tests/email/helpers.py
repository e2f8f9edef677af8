"""Reading what a test needs back: tickets of the site, messages of a conversation."""

from __future__ import annotations

import sqlalchemy as sa

from porch.conversations.models import Message
from porch.email.tables import email_messages
from porch.tickets import queries as ticket_queries
from porch.tickets.models import Ticket
from porch.tickets.tables import tickets
from tests.email.conftest import Desk


async def all_tickets(desk: Desk) -> list[Ticket]:
    async with desk.services.db.connect() as conn:
        ids = list(await conn.scalars(sa.select(tickets.c.id).order_by(tickets.c.id)))
        found = [await ticket_queries.ticket(conn, i) for i in ids]
    return [t for t in found if t is not None]


async def messages(desk: Desk, conversation_id: int | None) -> list[Message]:
    assert conversation_id is not None
    return await desk.services.conversations.messages(conversation_id, include_internal=False)


async def stored_mails(desk: Desk) -> int:
    async with desk.services.db.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(email_messages)) or 0)
