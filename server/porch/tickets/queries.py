"""Reads over tickets: one ticket, its history, the built-in views and their counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.conversations.events import MessageCreated
from porch.operators.tables import operators, teams
from porch.tickets.models import ACTIVE, VIEWS, HistoryEntry, Ticket, View
from porch.tickets.tables import ticket_conversations, ticket_events, tickets
from porch.visitors.tables import visitors

RECENTLY = timedelta(days=7)
"""How far back "Recently resolved" looks."""


def _select() -> sa.Select[Any]:
    return sa.select(
        tickets,
        visitors.c.name.label("requester_name"),
        operators.c.name.label("assignee_name"),
        teams.c.name.label("team_name"),
    ).select_from(
        tickets.join(visitors, visitors.c.id == tickets.c.requester_id)
        .outerjoin(operators, operators.c.id == tickets.c.assignee_id)
        .outerjoin(teams, teams.c.id == tickets.c.team_id)
    )


def ticket_from_row(row: sa.Row[Any]) -> Ticket:
    values = dict(row._mapping)
    values["tags"] = list(values["tags"] or [])
    return Ticket(**values)


async def ticket(conn: AsyncConnection, ticket_id: int) -> Ticket | None:
    row = (await conn.execute(_select().where(tickets.c.id == ticket_id))).first()
    return ticket_from_row(row) if row else None


def _linked(conversation_id: int) -> sa.ColumnElement[bool]:
    added = sa.select(ticket_conversations.c.ticket_id).where(
        ticket_conversations.c.conversation_id == conversation_id
    )
    return sa.or_(tickets.c.conversation_id == conversation_id, tickets.c.id.in_(added))


async def by_reference(conn: AsyncConnection, site_id: int, reference: int) -> Ticket | None:
    query = _select().where(tickets.c.site_id == site_id, tickets.c.reference == reference)
    row = (await conn.execute(query)).first()
    return ticket_from_row(row) if row else None


async def linked_tickets(conn: AsyncConnection, conversation_id: int) -> list[Ticket]:
    """The tickets made from a conversation, or that it was added to, not closed yet."""
    query = _select().where(_linked(conversation_id), tickets.c.status != "closed")
    return [ticket_from_row(row) for row in await conn.execute(query.order_by(tickets.c.id))]


def _in_view(view: View, operator_id: int, now: datetime) -> sa.ColumnElement[bool]:
    active = tickets.c.status.in_(ACTIVE)
    conditions: dict[View, sa.ColumnElement[bool]] = {
        "mine": sa.and_(active, tickets.c.assignee_id == operator_id),
        "unassigned": sa.and_(active, tickets.c.assignee_id.is_(None)),
        "urgent": sa.and_(active, tickets.c.priority.in_(["critical", "high"])),
        "pending": tickets.c.status == "pending",
        "resolved": sa.and_(
            tickets.c.status == "resolved", tickets.c.resolved_at >= now - RECENTLY
        ),
    }
    return conditions[view]


_PRIORITY_ORDER = sa.case(
    {"critical": 0, "high": 1, "medium": 2, "low": 3}, value=tickets.c.priority, else_=4
)


async def view(
    conn: AsyncConnection, name: View, operator_id: int, now: datetime, limit: int = 200
) -> list[Ticket]:
    """A built-in view's tickets, most urgent first, then oldest first."""
    query = (
        _select()
        .where(_in_view(name, operator_id, now))
        .order_by(_PRIORITY_ORDER, tickets.c.created_at, tickets.c.id)
        .limit(limit)
    )
    return [ticket_from_row(row) for row in await conn.execute(query)]


async def view_counts(conn: AsyncConnection, operator_id: int, now: datetime) -> dict[str, int]:
    """How many tickets each built-in view holds, in one round trip: a count per view,
    each served by an index (a single pass with a sum per view reads every ticket)."""
    counts = [
        sa.select(sa.literal(name).label("view"), sa.func.count().label("n"))
        .select_from(tickets)
        .where(_in_view(name, operator_id, now))
        for name in VIEWS
    ]
    rows = (await conn.execute(sa.union_all(*counts))).all()
    found = {str(row.view): int(row.n) for row in rows}
    return {name: found.get(name, 0) for name in VIEWS}


async def history(conn: AsyncConnection, ticket_id: int) -> list[HistoryEntry]:
    query = (
        ticket_events.select()
        .where(ticket_events.c.ticket_id == ticket_id)
        .order_by(ticket_events.c.id)
    )
    return [HistoryEntry(**row._mapping) for row in await conn.execute(query)]


def conversation_has_ticket(event: MessageCreated) -> ColumnElement[bool]:
    """Whether the message's conversation is linked to a ticket (indexed lookups read with
    the other features' filters: other conversations' messages write no ticket job)."""
    conversation_id = event.message.conversation_id
    return sa.or_(
        sa.exists().where(tickets.c.conversation_id == conversation_id),
        sa.exists().where(ticket_conversations.c.conversation_id == conversation_id),
    )


async def conversation_ids(conn: AsyncConnection, ticket: Ticket) -> list[int]:
    """Every conversation whose messages show on the ticket: the one it came from first,
    then those added, oldest first."""
    added = await conn.execute(
        sa.select(ticket_conversations.c.conversation_id)
        .where(ticket_conversations.c.ticket_id == ticket.id)
        .order_by(ticket_conversations.c.added_at, ticket_conversations.c.conversation_id)
    )
    found = [ticket.conversation_id] if ticket.conversation_id is not None else []
    return list(dict.fromkeys([*found, *(int(row[0]) for row in added)]))


async def requester_open(conn: AsyncConnection, visitor_id: int) -> list[Ticket]:
    """A requester's tickets still in hand (open or pending), newest first."""
    query = _select().where(
        tickets.c.requester_id == visitor_id,
        tickets.c.status.in_(ACTIVE),
        tickets.c.merged_into_id.is_(None),
    )
    return [ticket_from_row(r) for r in await conn.execute(query.order_by(tickets.c.id.desc()))]


async def filtered(
    conn: AsyncConnection,
    where: sa.ColumnElement[bool],
    order: list[Any],
    limit: int = 200,
) -> list[Ticket]:
    query = _select().where(where).order_by(*order).limit(limit)
    return [ticket_from_row(row) for row in await conn.execute(query)]


async def count(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> int:
    return int(await conn.scalar(sa.select(sa.func.count()).select_from(tickets).where(where)) or 0)
