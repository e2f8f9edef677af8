"""Reads of visitors: select builders and row → record mappers.

Every function takes an open connection so callers choose the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.tables import conversations
from porch.visitors.models import Page, Visit, Visitor, VisitorSummary
from porch.visitors.tables import page_views, visitors

VISIT_GAP = timedelta(minutes=30)
"""Page views closer together than this belong to the same visit."""
LONGEST_VISIT = timedelta(hours=12)
"""How far back from a visitor's last activity page views are read for their visit."""

_TOUCH_VISITOR = (
    visitors.update()
    .where(visitors.c.id == sa.bindparam("visitor_id"))
    .values(last_seen_at=sa.bindparam("now", type_=visitors.c.last_seen_at.type))
    .returning(visitors.c.name)
)


def visitor_from_row(row: sa.Row[Any]) -> Visitor:
    return Visitor(
        id=row.id,
        site_id=row.site_id,
        name=row.name,
        email=row.email,
        attributes=dict(row.attributes),
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        external_id=row.external_id,
        verified=row.verified,
        language=row.language,
        time_zone=row.time_zone,
        user_agent=row.user_agent,
        prechat_at=row.prechat_at,
    )


async def visitor(conn: AsyncConnection, visitor_id: int) -> Visitor | None:
    row = (await conn.execute(sa.select(visitors).where(visitors.c.id == visitor_id))).first()
    return visitor_from_row(row) if row else None


async def verified_visitor(conn: AsyncConnection, site_id: int, user_id: str) -> Visitor | None:
    """The site's visitor proven to be its user `user_id` (unique per site)."""
    query = sa.select(visitors).where(
        visitors.c.site_id == site_id, visitors.c.external_id == user_id
    )
    row = (await conn.execute(query)).first()
    return visitor_from_row(row) if row else None


async def touch_visitor(conn: AsyncConnection, visitor_id: int, now: datetime) -> str | None:
    """Mark the visitor seen; their name (None: no such visitor)."""
    result = await conn.execute(_TOUCH_VISITOR, {"visitor_id": visitor_id, "now": now})
    name: str | None = result.scalar_one_or_none()
    return name


def _visit(views: Sequence[sa.Row[Any]]) -> Visit:
    """Walk back from the newest page view while gaps stay under `VISIT_GAP`."""
    if not views:
        return Visit()
    started, count = views[0].created_at, 0
    for view in views:
        if started - view.created_at >= VISIT_GAP:
            break
        started, count = view.created_at, count + 1
    newest = views[0]
    return Visit(started, count, Page(newest.url, newest.title, newest.referrer))


async def _visits(conn: AsyncConnection, rows: Sequence[sa.Row[Any]]) -> dict[int, Visit]:
    """The current visit of each visitor row, reading only page views recent enough to be
    part of it (the list and one visitor's summary must agree, and stay cheap)."""
    if not rows:
        return {}
    since = min(row.last_seen_at for row in rows) - LONGEST_VISIT
    query = (
        sa.select(page_views)
        .where(page_views.c.visitor_id.in_([row.id for row in rows]))
        .where(page_views.c.created_at >= since)
        .order_by(page_views.c.created_at.desc(), page_views.c.id.desc())
    )
    grouped: dict[int, list[sa.Row[Any]]] = {}
    for row in await conn.execute(query):
        grouped.setdefault(row.visitor_id, []).append(row)
    return {vid: _visit(views) for vid, views in grouped.items()}


def _visitors_select() -> sa.Select[Any]:
    conversation_id = (
        sa.select(sa.func.max(conversations.c.id))
        .where(conversations.c.visitor_id == visitors.c.id)
        .scalar_subquery()
    )
    return sa.select(visitors, conversation_id.label("conversation_id"))


async def visitor_summaries(
    conn: AsyncConnection,
    where: sa.ColumnElement[bool],
    online: Collection[int],
    *,
    limit: int = 200,
) -> list[VisitorSummary]:
    """Summaries of matching visitors, online first, then most recently seen."""
    query = _visitors_select().where(where).order_by(visitors.c.last_seen_at.desc()).limit(limit)
    rows = (await conn.execute(query)).all()
    visits = await _visits(conn, rows)
    summaries = [
        VisitorSummary(
            visitor=visitor_from_row(row),
            online=row.id in online,
            visit=visits.get(row.id, Visit()),
            conversation_id=row.conversation_id,
        )
        for row in rows
    ]
    return sorted(summaries, key=lambda s: not s.online)  # stable: keeps recency order
