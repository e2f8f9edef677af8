"""Reads shared by the chat service: select builders and row → record mappers.

Every function takes an open connection so callers choose the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.chat.models import (
    Assignee,
    Conversation,
    ConversationSummary,
    Message,
    Page,
    Site,
    Visit,
    Visitor,
    VisitorSummary,
)
from porch.chat.tables import conversations, messages, page_views, sites, visitors
from porch.operators.tables import operators

VISIT_GAP = timedelta(minutes=30)
"""Page views closer together than this belong to the same visit."""
LONGEST_VISIT = timedelta(hours=12)
"""How far back from a visitor's last activity page views are read for their visit."""

_AUTHOR_NAMES = {"bot": "Bot", "system": ""}


def site_from_row(row: sa.Row) -> Site:
    return Site(
        id=row.id,
        key=row.key,
        name=row.name,
        allowed_origins=list(row.allowed_origins),
        settings=dict(row.settings),
        identity_secret=row.identity_secret,
    )


def visitor_from_row(row: sa.Row) -> Visitor:
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
    )


def conversation_from_row(row: sa.Row) -> Conversation:
    return Conversation(
        id=row.id,
        site_id=row.site_id,
        visitor_id=row.visitor_id,
        status=row.status,
        assignee_id=row.assignee_id,
        last_activity_at=row.last_activity_at,
        operator_read_at=row.operator_read_at,
        operator_unread=row.operator_unread,
    )


async def site(conn: AsyncConnection, site_id: int) -> Site | None:
    row = (await conn.execute(sa.select(sites).where(sites.c.id == site_id))).first()
    return site_from_row(row) if row else None


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


async def assignee(conn: AsyncConnection, operator_id: int | None) -> Assignee | None:
    if operator_id is None:
        return None
    query = sa.select(operators.c.name).where(operators.c.id == operator_id)
    name = await conn.scalar(query)
    return Assignee(operator_id, name) if name is not None else None


async def conversation(conn: AsyncConnection, conversation_id: int) -> Conversation | None:
    query = sa.select(conversations).where(conversations.c.id == conversation_id)
    row = (await conn.execute(query)).first()
    return conversation_from_row(row) if row else None


# The message path's statements are built once, with bound parameters: building them
# (and their cache keys) per call cost as much as running them (docs/performance.md).
_VISITOR_CONVERSATION = sa.select(conversations).where(
    conversations.c.visitor_id == sa.bindparam("visitor_id")
)
_TOUCH_VISITOR = (
    visitors.update()
    .where(visitors.c.id == sa.bindparam("visitor_id"))
    .values(last_seen_at=sa.bindparam("now", type_=visitors.c.last_seen_at.type))
    .returning(visitors.c.name)
)
_VISITOR_MESSAGE_ACTIVITY = (
    conversations.update()
    .where(conversations.c.id == sa.bindparam("conversation_id"))
    .values(
        last_activity_at=sa.bindparam("now", type_=conversations.c.last_activity_at.type),
        status="open",
        operator_unread=conversations.c.operator_unread + 1,
    )
)


async def visitor_conversation(conn: AsyncConnection, visitor_id: int) -> Conversation | None:
    """The visitor's conversation (one per visitor, a unique index; reopened, not replaced)."""
    row = (await conn.execute(_VISITOR_CONVERSATION, {"visitor_id": visitor_id})).first()
    return conversation_from_row(row) if row else None


async def touch_visitor(conn: AsyncConnection, visitor_id: int, now: datetime) -> str | None:
    """Mark the visitor seen; their name (None: no such visitor)."""
    result = await conn.execute(_TOUCH_VISITOR, {"visitor_id": visitor_id, "now": now})
    return result.scalar_one_or_none()


async def visitor_message_activity(
    conn: AsyncConnection, conversation_id: int, now: datetime
) -> None:
    """A visitor message makes the conversation active, open and one more unread."""
    params = {"conversation_id": conversation_id, "now": now}
    await conn.execute(_VISITOR_MESSAGE_ACTIVITY, params)


async def visitor_unread(conn: AsyncConnection, visitor_id: int) -> int:
    """Operator and bot replies (never internal notes) the visitor has not read: those
    newer than the conversation's `visitor_read_at`, every one of them if it is unset."""
    query = (
        sa.select(sa.func.count())
        .select_from(messages.join(conversations, conversations.c.id == messages.c.conversation_id))
        .where(
            conversations.c.visitor_id == visitor_id,
            messages.c.author.in_(("operator", "bot")),
            messages.c.internal.is_(False),
            sa.or_(
                conversations.c.visitor_read_at.is_(None),
                messages.c.created_at > conversations.c.visitor_read_at,
            ),
        )
    )
    return (await conn.scalar(query)) or 0


def _messages_select() -> sa.Select:
    return sa.select(
        messages,
        visitors.c.name.label("visitor_name"),
        operators.c.name.label("operator_name"),
    ).select_from(
        messages.join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(visitors, visitors.c.id == conversations.c.visitor_id)
        .outerjoin(operators, operators.c.id == messages.c.operator_id)
    )


def _message_from_row(row: sa.Row) -> Message:
    if row.author == "visitor":
        author_name = row.visitor_name
    elif row.author == "operator":
        author_name = row.operator_name or "Operator"
    else:
        author_name = _AUTHOR_NAMES.get(row.author, "")
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        client_id=row.client_id,
        author=row.author,
        author_name=author_name,
        body=row.body,
        internal=row.internal,
        created_at=row.created_at,
    )


async def message_by_client_id(
    conn: AsyncConnection, conversation_id: int, client_id: str
) -> Message | None:
    query = _messages_select().where(
        messages.c.conversation_id == conversation_id, messages.c.client_id == client_id
    )
    row = (await conn.execute(query)).first()
    return _message_from_row(row) if row else None


async def latest_messages(
    conn: AsyncConnection, conversation_id: int, *, include_internal: bool, limit: int = 100
) -> list[Message]:
    """The newest `limit` messages, oldest first."""
    query = _messages_select().where(messages.c.conversation_id == conversation_id)
    if not include_internal:
        query = query.where(messages.c.internal.is_(False))
    rows = await conn.execute(query.order_by(messages.c.id.desc()).limit(limit))
    return [_message_from_row(row) for row in reversed(rows.all())]


def _summaries_select() -> sa.Select:
    last_id = (
        sa.select(sa.func.max(messages.c.id))
        .where(messages.c.conversation_id == conversations.c.id)
        .scalar_subquery()
    )
    return sa.select(
        conversations,
        visitors.c.name.label("visitor_name"),
        operators.c.name.label("assignee_name"),
        last_id.label("last_message_id"),
    ).select_from(
        conversations.join(visitors, visitors.c.id == conversations.c.visitor_id).outerjoin(
            operators, operators.c.id == conversations.c.assignee_id
        )
    )


async def _summaries(conn: AsyncConnection, rows: Sequence[sa.Row]) -> list[ConversationSummary]:
    last_ids = [row.last_message_id for row in rows if row.last_message_id is not None]
    found = await conn.execute(_messages_select().where(messages.c.id.in_(last_ids)))
    last = {m.id: m for m in map(_message_from_row, found)}
    return [
        ConversationSummary(
            conversation=conversation_from_row(row),
            visitor_name=row.visitor_name,
            assignee=Assignee(row.assignee_id, row.assignee_name) if row.assignee_name else None,
            last_message=last.get(row.last_message_id),
            unread=row.operator_unread,
        )
        for row in rows
    ]


async def conversation_summaries(
    conn: AsyncConnection, status: str, limit: int = 200
) -> list[ConversationSummary]:
    query = (
        _summaries_select()
        .where(conversations.c.status == status)
        .order_by(conversations.c.last_activity_at.desc(), conversations.c.id.desc())
        .limit(limit)
    )
    return await _summaries(conn, (await conn.execute(query)).all())


async def conversation_summary(
    conn: AsyncConnection, conversation_id: int
) -> ConversationSummary | None:
    query = _summaries_select().where(conversations.c.id == conversation_id)
    rows = (await conn.execute(query)).all()
    return (await _summaries(conn, rows))[0] if rows else None


def _visit(views: Sequence[sa.Row]) -> Visit:
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


async def _visits(conn: AsyncConnection, rows: Sequence[sa.Row]) -> dict[int, Visit]:
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
    grouped: dict[int, list[sa.Row]] = {}
    for row in await conn.execute(query):
        grouped.setdefault(row.visitor_id, []).append(row)
    return {vid: _visit(views) for vid, views in grouped.items()}


def _visitors_select() -> sa.Select:
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
