"""One query per searchable source, each ranked by its dialect's score (`porch.db.fulltext`)
and filtered in SQL; `porch.search.service` merges them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.conversations.tables import conversations, messages
from porch.db import fulltext
from porch.search.models import Filters, Hit
from porch.tickets.tables import ticket_events, tickets
from porch.visitors.tables import visitors

RANK_WINDOW = 1000
"""Without filters, matches ranked per source: the newest this many (see `_rows`)."""

OVERFETCH = 4
"""Rows fetched per result wanted: several messages (or notes) of one conversation (or
ticket) collapse into one result."""


def _from(source: Any, match: fulltext.Match, rowid: ColumnElement[int]) -> Any:
    if match.fts is None:
        return source
    return match.fts.join(source, rowid == match.fts.c.rowid)


def _filtered(
    query: sa.Select[Any], filters: Filters, at: ColumnElement[datetime], status: Any
) -> sa.Select[Any]:
    if filters.status is not None and status is not None:
        query = query.where(status == filters.status)
    if filters.since is not None:
        query = query.where(at >= filters.since)
    if filters.until is not None:
        query = query.where(at < filters.until)
    return query


async def _rows(
    conn: AsyncConnection,
    query: sa.Select[Any],
    match: fulltext.Match,
    limit: int,
    source: sa.Table,
    rowid: ColumnElement[int],
    filters: Filters,
) -> list[tuple[sa.Row[Any], str | None]]:
    """The best `limit` rows of `query` (which selects the matched row's id as `rowid`),
    each with its snippet.

    Ranking scores every match, so a word in every tenth message would cost seconds at a
    million messages: without filters, only the newest `RANK_WINDOW` matches are ranked
    (ids grow with time; finding them walks the index, scoring nothing). The costly
    snippet is then made for the rows kept only."""
    own_id = rowid if match.fts is None else match.fts.c.rowid
    query = query.where(match.where)
    if filters.status is None and filters.since is None and filters.until is None:
        query = query.where(await _newest(conn, match, source, rowid, own_id))
    rows = list(await conn.execute(query.order_by(match.score.desc()).limit(limit)))
    if not rows:
        return []
    snippets = sa.select(own_id.label("rowid"), match.snippet.label("snippet")).select_from(
        _from(source, match, rowid)
    )
    found = await conn.execute(snippets.where(match.where, own_id.in_([row.rowid for row in rows])))
    text = {row.rowid: row.snippet for row in found}
    return [(row, text.get(row.rowid)) for row in rows]


async def _newest(
    conn: AsyncConnection,
    match: fulltext.Match,
    source: sa.Table,
    rowid: ColumnElement[int],
    own_id: ColumnElement[int],
) -> ColumnElement[bool]:
    """Only the newest `RANK_WINDOW` matches. FTS5 walks its index in rowid order, so the
    oldest of them is one cheap query; PostgreSQL takes the ids from the GIN index (`+ 0`
    keeps it off the primary key, which it would walk recomputing every row's vector)."""
    newest = sa.select(own_id).select_from(_from(source, match, rowid)).where(match.where)
    if match.fts is not None:
        oldest = await conn.scalar(newest.order_by(own_id.desc()).offset(RANK_WINDOW - 1).limit(1))
        return sa.true() if oldest is None else own_id >= oldest
    return own_id.in_(newest.order_by((own_id + 0).desc()).limit(RANK_WINDOW))


def _label(row: sa.Row[Any]) -> str:
    return f"#{row.reference} {row.subject}"


async def ticket_hits(
    conn: AsyncConnection, words: list[str], filters: Filters, dialect: str
) -> list[Hit]:
    """Subjects and descriptions, then internal notes, of tickets."""
    hits: list[Hit] = []
    match = fulltext.match(dialect, fulltext.TICKETS, words)
    query = sa.select(
        tickets.c.id,
        tickets.c.reference,
        tickets.c.subject,
        tickets.c.status,
        tickets.c.updated_at.label("at"),
        match.score.label("score"),
        tickets.c.id.label("rowid"),
    ).select_from(_from(tickets, match, tickets.c.id))
    query = _filtered(query, filters, tickets.c.updated_at, tickets.c.status)
    for row, snippet in await _rows(
        conn, query, match, filters.limit, tickets, tickets.c.id, filters
    ):
        hits.append(_ticket_hit(row, snippet, "Ticket"))
    match = fulltext.match(dialect, fulltext.NOTES, words)
    query = (
        sa.select(
            tickets.c.id,
            tickets.c.reference,
            tickets.c.subject,
            tickets.c.status,
            ticket_events.c.at,
            match.score.label("score"),
            ticket_events.c.id.label("rowid"),
        )
        .select_from(
            _from(ticket_events, match, ticket_events.c.id).join(
                tickets, tickets.c.id == ticket_events.c.ticket_id
            )
        )
        .where(ticket_events.c.kind == "note")
    )
    query = _filtered(query, filters, ticket_events.c.at, tickets.c.status)
    noted = await _rows(
        conn, query, match, filters.limit * OVERFETCH, ticket_events, ticket_events.c.id, filters
    )
    for row, snippet in noted:
        hits.append(_ticket_hit(row, snippet, "Internal note"))
    return hits


def _ticket_hit(row: sa.Row[Any], snippet: str | None, detail: str) -> Hit:
    return Hit(
        kind="ticket",
        id=row.id,
        title=_label(row),
        snippet=fulltext.segments(snippet),
        score=float(row.score),
        status=row.status,
        at=row.at,
        detail=detail,
        url=f"/panel/tickets/{row.id}",
    )


async def conversation_hits(
    conn: AsyncConnection, words: list[str], filters: Filters, dialect: str
) -> list[Hit]:
    """Messages (internal notes included: operators search), one result per conversation."""
    match = fulltext.match(dialect, fulltext.MESSAGES, words)
    source = (
        _from(messages, match, messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(visitors, visitors.c.id == conversations.c.visitor_id)
    )
    query = sa.select(
        conversations.c.id,
        conversations.c.status,
        visitors.c.name,
        messages.c.internal,
        messages.c.created_at.label("at"),
        match.score.label("score"),
        messages.c.id.label("rowid"),
    ).select_from(source)
    query = _filtered(query, filters, messages.c.created_at, conversations.c.status)
    return [
        Hit(
            kind="conversation",
            id=row.id,
            title=row.name,
            snippet=fulltext.segments(snippet),
            score=float(row.score),
            status=row.status,
            at=row.at,
            detail="Internal note" if row.internal else "Message",
            url=f"/panel?c={row.id}",
        )
        for row, snippet in await _rows(
            conn, query, match, filters.limit * OVERFETCH, messages, messages.c.id, filters
        )
    ]


async def contact_hits(
    conn: AsyncConnection, words: list[str], filters: Filters, dialect: str
) -> list[Hit]:
    """Visitors by name and email; the result opens their latest conversation."""
    if filters.status is not None:
        return []
    match = fulltext.match(dialect, fulltext.CONTACTS, words)
    latest = (
        sa.select(sa.func.max(conversations.c.id))
        .where(conversations.c.visitor_id == visitors.c.id)
        .scalar_subquery()
    )
    query = sa.select(
        visitors.c.id,
        visitors.c.name,
        visitors.c.email,
        visitors.c.last_seen_at.label("at"),
        latest.label("conversation_id"),
        match.score.label("score"),
        visitors.c.id.label("rowid"),
    ).select_from(_from(visitors, match, visitors.c.id))
    query = _filtered(query, filters, visitors.c.last_seen_at, None)
    return [
        Hit(
            kind="contact",
            id=row.id,
            title=row.name,
            snippet=fulltext.segments(snippet),
            score=float(row.score),
            at=row.at,
            detail=row.email or "",
            url=f"/panel?c={row.conversation_id}" if row.conversation_id else "/panel/visitors",
        )
        for row, snippet in await _rows(
            conn, query, match, filters.limit, visitors, visitors.c.id, filters
        )
    ]
