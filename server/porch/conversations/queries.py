"""Reads of conversations and messages: select builders and row → record mappers.

Every function takes an open connection so callers choose the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.models import Assignee, Conversation, ConversationSummary, Message
from porch.conversations.tables import conversations, messages
from porch.operators.tables import operators
from porch.visitors.tables import visitors

_AUTHOR_NAMES = {"bot": "Bot", "system": ""}


def conversation_from_row(row: sa.Row[Any]) -> Conversation:
    return Conversation(
        id=row.id,
        site_id=row.site_id,
        visitor_id=row.visitor_id,
        status=row.status,
        assignee_id=row.assignee_id,
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
        operator_read_at=row.operator_read_at,
        operator_unread=row.operator_unread,
        closed_at=row.closed_at,
    )


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
_OPEN_CONVERSATION = sa.select(conversations).where(
    conversations.c.visitor_id == sa.bindparam("visitor_id"), conversations.c.status == "open"
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


async def open_conversation(conn: AsyncConnection, visitor_id: int) -> Conversation | None:
    """The visitor's open conversation (at most one: a partial unique index)."""
    row = (await conn.execute(_OPEN_CONVERSATION, {"visitor_id": visitor_id})).first()
    return conversation_from_row(row) if row else None


async def latest_conversation(conn: AsyncConnection, visitor_id: int) -> Conversation | None:
    """The visitor's newest conversation, open or closed."""
    query = (
        sa.select(conversations)
        .where(conversations.c.visitor_id == visitor_id)
        .order_by(conversations.c.id.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    return conversation_from_row(row) if row else None


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


def _messages_select() -> sa.Select[Any]:
    return sa.select(
        messages,
        visitors.c.name.label("visitor_name"),
        operators.c.name.label("operator_name"),
        operators.c.avatar_digest.label("operator_avatar"),
    ).select_from(
        messages.join(conversations, conversations.c.id == messages.c.conversation_id)
        .join(visitors, visitors.c.id == conversations.c.visitor_id)
        .outerjoin(operators, operators.c.id == messages.c.operator_id)
    )


def _message_from_row(row: sa.Row[Any]) -> Message:
    if row.author == "visitor":
        author_name = row.visitor_name
    elif row.author == "operator":
        author_name = row.operator_name or "Operator"
    else:
        author_name = row.author_name or _AUTHOR_NAMES.get(row.author, "")
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        client_id=row.client_id,
        author=row.author,
        author_name=author_name,
        body=row.body,
        internal=row.internal,
        created_at=row.created_at,
        parts=row.parts,
        author_avatar=row.operator_avatar if row.author == "operator" else None,
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


def _summaries_select() -> sa.Select[Any]:
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


async def _summaries(
    conn: AsyncConnection, rows: Sequence[sa.Row[Any]]
) -> list[ConversationSummary]:
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


async def visitor_conversations(
    conn: AsyncConnection, visitor_id: int, limit: int = 50
) -> list[ConversationSummary]:
    """The visitor's conversations, newest first."""
    query = (
        _summaries_select()
        .where(conversations.c.visitor_id == visitor_id)
        .order_by(conversations.c.id.desc())
        .limit(limit)
    )
    return await _summaries(conn, (await conn.execute(query)).all())


async def conversation_summary(
    conn: AsyncConnection, conversation_id: int
) -> ConversationSummary | None:
    query = _summaries_select().where(conversations.c.id == conversation_id)
    rows = (await conn.execute(query)).all()
    return (await _summaries(conn, rows))[0] if rows else None


async def summaries_where(
    conn: AsyncConnection, *conditions: sa.ColumnElement[bool], limit: int = 200
) -> list[ConversationSummary]:
    """Summaries of the conversations meeting `conditions`, latest activity first (for
    features that filter the inbox further: tags, snoozes)."""
    query = (
        _summaries_select()
        .where(*conditions)
        .order_by(conversations.c.last_activity_at.desc(), conversations.c.id.desc())
        .limit(limit)
    )
    return await _summaries(conn, (await conn.execute(query)).all())


async def summaries_page(
    conn: AsyncConnection, where: sa.ColumnElement[bool], limit: int
) -> list[ConversationSummary]:
    """Matching conversations, newest first by id (the REST API's pages)."""
    query = _summaries_select().where(where).order_by(conversations.c.id.desc()).limit(limit)
    return await _summaries(conn, (await conn.execute(query)).all())


async def messages_where(
    conn: AsyncConnection, where: sa.ColumnElement[bool], limit: int
) -> list[Message]:
    """Matching messages, newest first by id (the REST API's pages)."""
    query = _messages_select().where(where).order_by(messages.c.id.desc()).limit(limit)
    return [_message_from_row(row) for row in await conn.execute(query)]
