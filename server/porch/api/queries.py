"""The API's reads: one site's records, filtered, a page at a time (newest first by id,
`before_id` from the cursor). Each reads `limit + 1` rows so the caller knows whether
another page follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations import queries as conversation_queries
from porch.conversations.models import ConversationSummary, Message
from porch.conversations.tables import conversations, messages
from porch.inbox.tables import conversation_tags
from porch.tickets import queries as ticket_queries
from porch.tickets.models import Ticket
from porch.tickets.tables import tickets
from porch.visitors import queries as visitor_queries
from porch.visitors.models import Visitor
from porch.visitors.tables import visitors


def _before(column: sa.ColumnElement[Any], before_id: int | None) -> list[sa.ColumnElement[bool]]:
    return [column < before_id] if before_id is not None else []


async def contacts(
    conn: AsyncConnection,
    site_id: int,
    limit: int,
    before_id: int | None,
    *,
    email: str | None = None,
    name: str | None = None,
    prop: tuple[str, str] | None = None,
) -> list[Visitor]:
    where = [visitors.c.site_id == site_id, *_before(visitors.c.id, before_id)]
    if email is not None:
        where.append(sa.func.lower(visitors.c.email) == email.strip().lower())
    if name is not None:
        pattern = "%" + name.lower().replace("\\", "\\\\").replace("%", "\\%") + "%"
        where.append(sa.func.lower(visitors.c.name).like(pattern, escape="\\"))
    if prop is not None:
        key, value = prop
        where.append(visitors.c.attributes[key].as_string() == value)
    query = sa.select(visitors).where(*where).order_by(visitors.c.id.desc()).limit(limit + 1)
    return [visitor_queries.visitor_from_row(row) for row in await conn.execute(query)]


async def contact(conn: AsyncConnection, site_id: int, contact_id: int) -> Visitor | None:
    found = await visitor_queries.visitor(conn, contact_id)
    return found if found is not None and found.site_id == site_id else None


async def conversations_page(
    conn: AsyncConnection,
    site_id: int,
    limit: int,
    before_id: int | None,
    *,
    status: str | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    contact_id: int | None = None,
    updated_since: datetime | None = None,
    tag: str | None = None,
) -> list[ConversationSummary]:
    where = [conversations.c.site_id == site_id, *_before(conversations.c.id, before_id)]
    if status is not None:
        where.append(conversations.c.status == status)
    if assignee_id is not None:
        where.append(conversations.c.assignee_id == assignee_id)
    if unassigned:
        where.append(conversations.c.assignee_id.is_(None))
    if contact_id is not None:
        where.append(conversations.c.visitor_id == contact_id)
    if updated_since is not None:
        where.append(conversations.c.last_activity_at >= updated_since)
    if tag is not None:
        tagged = sa.select(conversation_tags.c.conversation_id)
        where.append(conversations.c.id.in_(tagged.where(conversation_tags.c.tag == tag)))
    return await conversation_queries.summaries_page(conn, sa.and_(*where), limit + 1)


async def conversation_site(conn: AsyncConnection, conversation_id: int) -> int | None:
    query = sa.select(conversations.c.site_id).where(conversations.c.id == conversation_id)
    site_id: int | None = await conn.scalar(query)
    return site_id


async def messages_page(
    conn: AsyncConnection,
    conversation_id: int,
    limit: int,
    before_id: int | None,
    include_internal: bool,
) -> list[Message]:
    """Newest first, like every list (a transcript reads the pages in reverse)."""
    where = [messages.c.conversation_id == conversation_id, *_before(messages.c.id, before_id)]
    if not include_internal:
        where.append(messages.c.internal.is_(False))
    return await conversation_queries.messages_where(conn, sa.and_(*where), limit + 1)


async def tickets_page(
    conn: AsyncConnection,
    site_id: int,
    limit: int,
    before_id: int | None,
    *,
    statuses: tuple[str, ...] = (),
    priorities: tuple[str, ...] = (),
    assignee_id: int | None = None,
    unassigned: bool = False,
    requester_id: int | None = None,
    resolved_since: datetime | None = None,
) -> list[Ticket]:
    """One query, each ticket with its requester's, assignee's and team's names."""
    where = [tickets.c.site_id == site_id, *_before(tickets.c.id, before_id)]
    if statuses:
        where.append(tickets.c.status.in_(statuses))
    if priorities:
        where.append(tickets.c.priority.in_(priorities))
    if assignee_id is not None:
        where.append(tickets.c.assignee_id == assignee_id)
    if unassigned:
        where.append(tickets.c.assignee_id.is_(None))
    if requester_id is not None:
        where.append(tickets.c.requester_id == requester_id)
    if resolved_since is not None:
        where.append(tickets.c.resolved_at >= resolved_since)
    return await ticket_queries.filtered(conn, sa.and_(*where), [tickets.c.id.desc()], limit + 1)


async def ticket_site(conn: AsyncConnection, ticket_id: int) -> int | None:
    site_id: int | None = await conn.scalar(
        sa.select(tickets.c.site_id).where(tickets.c.id == ticket_id)
    )
    return site_id


async def ticket_sites(conn: AsyncConnection, ticket_ids: list[int]) -> dict[int, int]:
    """The site of each of these tickets that exists, in one query."""
    query = sa.select(tickets.c.id, tickets.c.site_id).where(tickets.c.id.in_(ticket_ids))
    return {int(row.id): int(row.site_id) for row in await conn.execute(query)}


async def ticket_tags(conn: AsyncConnection, site_id: int) -> dict[str, int]:
    """Each tag in use on the site's tickets, with how many tickets carry it."""
    counts: dict[str, int] = {}
    query = sa.select(tickets.c.tags).where(tickets.c.site_id == site_id)
    for tags in await conn.scalars(query):
        for tag in set(tags or ()):
            counts[tag] = counts.get(tag, 0) + 1
    return counts


async def conversation_tags_used(conn: AsyncConnection, site_id: int) -> dict[str, int]:
    """Each tag in use on the site's conversations, with how many carry it."""
    query = (
        sa.select(conversation_tags.c.tag, sa.func.count())
        .select_from(conversation_tags.join(conversations))
        .where(conversations.c.site_id == site_id)
        .group_by(conversation_tags.c.tag)
    )
    return {tag: int(count) for tag, count in (await conn.execute(query)).all()}
