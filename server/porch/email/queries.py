"""Reads of email's own tables (and the few lookups of others' that threading needs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.email.tables import email_attachments, email_messages, email_threads
from porch.tickets import queries as ticket_queries
from porch.tickets.models import Ticket
from porch.tickets.tables import tickets
from porch.visitors.tables import visitors


async def email(conn: AsyncConnection, email_id: int) -> Any | None:
    return (
        await conn.execute(sa.select(email_messages).where(email_messages.c.id == email_id))
    ).first()


async def thread(conn: AsyncConnection, conversation_id: int) -> Any | None:
    query = sa.select(email_threads).where(email_threads.c.conversation_id == conversation_id)
    return (await conn.execute(query)).first()


async def by_message_ids(conn: AsyncConnection, site_id: int, ids: Sequence[str]) -> list[Any]:
    """Stored mails (ours and theirs) with one of these Message-IDs, in the order given."""
    if not ids:
        return []
    query = sa.select(email_messages).where(
        email_messages.c.site_id == site_id,
        email_messages.c.message_id.in_(list(ids)),
        email_messages.c.conversation_id.is_not(None),
    )
    rows = {row.message_id: row for row in (await conn.execute(query)).all()}
    return [rows[i] for i in ids if i in rows]


async def thread_mails(conn: AsyncConnection, conversation_id: int) -> list[Any]:
    """Every mail of a conversation, oldest first (threading headers of the next reply)."""
    query = (
        sa.select(email_messages)
        .where(email_messages.c.conversation_id == conversation_id)
        .order_by(email_messages.c.id)
    )
    rows: list[Any] = list((await conn.execute(query)).all())
    return rows


async def attachments(conn: AsyncConnection, email_ids: Sequence[int]) -> list[Any]:
    if not email_ids:
        return []
    query = (
        sa.select(
            email_attachments.c.id,
            email_attachments.c.email_id,
            email_attachments.c.filename,
            email_attachments.c.content_type,
            email_attachments.c.size,
        )
        .where(email_attachments.c.email_id.in_(list(email_ids)))
        .order_by(email_attachments.c.id)
    )
    rows: list[Any] = list((await conn.execute(query)).all())
    return rows


async def attachment(conn: AsyncConnection, attachment_id: int) -> Any | None:
    query = sa.select(email_attachments).where(email_attachments.c.id == attachment_id)
    return (await conn.execute(query)).first()


async def count_for(
    conn: AsyncConnection, site_id: int, address: str, kind: str, since: datetime
) -> int:
    """Mails of `kind` from or to `address` since then (rate limits and caps)."""
    query = sa.select(sa.func.count()).where(
        email_messages.c.site_id == site_id,
        email_messages.c.address == address,
        email_messages.c.kind == kind,
        email_messages.c.created_at >= since,
    )
    return int(await conn.scalar(query) or 0)


async def ticket_by_reference(conn: AsyncConnection, site_id: int, reference: int) -> Ticket | None:
    query = sa.select(tickets.c.id).where(
        tickets.c.site_id == site_id, tickets.c.reference == reference
    )
    ticket_id = await conn.scalar(query)
    return None if ticket_id is None else await ticket_queries.ticket(conn, int(ticket_id))


async def latest_ticket(conn: AsyncConnection, conversation_id: int) -> Ticket | None:
    """The conversation's newest ticket, closed or not."""
    query = sa.select(sa.func.max(tickets.c.id)).where(tickets.c.conversation_id == conversation_id)
    ticket_id = await conn.scalar(query)
    return None if ticket_id is None else await ticket_queries.ticket(conn, int(ticket_id))


async def contact(conn: AsyncConnection, site_id: int, address: str) -> Any | None:
    """The site's visitor with this email (the most recently seen, if several)."""
    query = (
        sa.select(visitors.c.id, visitors.c.name, visitors.c.email)
        .where(visitors.c.site_id == site_id, sa.func.lower(visitors.c.email) == address)
        .order_by(visitors.c.last_seen_at.desc())
        .limit(1)
    )
    row: Any | None = (await conn.execute(query)).first()
    return row


async def participants(conn: AsyncConnection, conversation_id: int) -> set[str]:
    """The addresses that wrote in this conversation's mail, and the requester's."""
    query = sa.select(email_messages.c.address).where(
        email_messages.c.conversation_id == conversation_id, email_messages.c.direction == "in"
    )
    found = {str(address) for address in await conn.scalars(query)}
    thread_row = await thread(conn, conversation_id)
    if thread_row is not None:
        found.add(str(thread_row.address))
    return found


async def recent_threads(conn: AsyncConnection, limit: int = 100) -> list[Any]:
    """Conversations held by email, newest mail first, with their latest ticket's reference
    and status."""
    last = (
        sa.select(
            email_messages.c.conversation_id,
            sa.func.max(email_messages.c.created_at).label("last_at"),
            sa.func.count().label("mails"),
        )
        .where(email_messages.c.conversation_id.is_not(None))
        .group_by(email_messages.c.conversation_id)
        .subquery()
    )
    newer = tickets.alias("newer")
    latest_ticket_id = (
        sa.select(sa.func.max(newer.c.id))
        .where(newer.c.conversation_id == last.c.conversation_id)
        .scalar_subquery()
    )
    query = (
        sa.select(
            last.c.conversation_id,
            last.c.last_at,
            last.c.mails,
            email_threads.c.address,
            email_threads.c.subject,
            tickets.c.reference,
            tickets.c.status,
        )
        .join(
            email_threads, email_threads.c.conversation_id == last.c.conversation_id, isouter=True
        )
        .join(tickets, tickets.c.id == latest_ticket_id, isouter=True)
        .order_by(last.c.last_at.desc())
        .limit(limit)
    )
    return list((await conn.execute(query)).all())


async def visitor_email(conn: AsyncConnection, visitor_id: int) -> str | None:
    email = await conn.scalar(sa.select(visitors.c.email).where(visitors.c.id == visitor_id))
    return None if email is None else str(email)


async def held_count(conn: AsyncConnection) -> int:
    """Outgoing mails waiting for an outbound SMTP server (`PORCH_SMTP_URL`)."""
    query = sa.select(sa.func.count()).where(email_messages.c.status == "held")
    return int(await conn.scalar(query) or 0)
