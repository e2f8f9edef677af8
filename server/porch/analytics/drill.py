"""The conversations behind a figure (the Analytics page's drill-down) and the
per-conversation export: each conversation opened in the range with its own measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.analytics.figures import Span, opened_query, within
from porch.analytics.tables import reporting_events as events

# figure name → the reporting-event kind behind it ("volume": conversations opened)
FIGURES = {
    "volume": "",
    "first_response": "first_response",
    "resolution": "resolution",
    "reopen": "reopen",
    "bot_resolved": "bot_resolved",
    "bot_handoff": "bot_handoff",
    "rating": "rating",
    "sla_hit": "sla_hit",
    "sla_miss": "sla_miss",
    "flow_triggered": "flow_triggered",
    "flow_goal": "flow_goal",
    "ticket_resolution": "ticket_resolution",
}
LIMIT = 500


@dataclass(frozen=True)
class Behind:
    conversation_id: int
    opened_at: datetime | None
    """None: the conversation was deleted since (facts outlive it)."""
    status: str
    visitor: str


async def behind(conn: AsyncConnection, span: Span, figure: str) -> list[Behind]:
    """The conversations a figure counts, newest first, at most `LIMIT`."""
    from porch.conversations.tables import conversations
    from porch.visitors.tables import visitors

    kind = FIGURES[figure]
    if kind:
        ids = sa.select(events.c.conversation_id).where(
            *within(span), events.c.kind == kind, events.c.conversation_id.is_not(None)
        )
    else:
        ids = sa.select(opened_query(span).subquery().c.id)
    found = (
        await conn.execute(
            sa.select(
                conversations.c.id, conversations.c.created_at, conversations.c.status,
                visitors.c.name,
            )
            .join(visitors, visitors.c.id == conversations.c.visitor_id)
            .where(conversations.c.id.in_(ids))
            .order_by(conversations.c.id.desc())
            .limit(LIMIT)
        )
    ).all()  # fmt: skip
    return [Behind(row.id, row.created_at, row.status, row.name or "") for row in found]


PER_CONVERSATION = [
    "conversation_id", "site_id", "status", "opened_at", "closed_at", "assignee_id",
    "first_response_seconds", "resolution_seconds", "reopens", "rating", "rating_comment",
]  # fmt: skip


async def per_conversation(conn: AsyncConnection, span: Span) -> list[list[str]]:
    """Every conversation opened in the range with its measures, header first."""
    from porch.conversations.tables import conversations as table

    opened = opened_query(span).subquery()
    rows = (
        await conn.execute(
            sa.select(table.c.id, table.c.site_id, table.c.status, table.c.created_at,
                      table.c.closed_at, table.c.assignee_id)
            .where(table.c.id.in_(sa.select(opened.c.id)))
            .order_by(table.c.id)
        )
    ).all()  # fmt: skip
    measures = await _measures(conn, span, sa.select(opened.c.id))
    found = [PER_CONVERSATION]
    for row in rows:
        mine = measures.get(row.id, {})
        found.append(
            [
                str(row.id), str(row.site_id), row.status, row.created_at.isoformat(),
                row.closed_at.isoformat() if row.closed_at else "",
                str(row.assignee_id or ""), _text(mine.get("first_response")),
                _text(mine.get("resolution")), str(mine.get("reopens", 0)),
                _text(mine.get("rating")), str(mine.get("comment") or ""),
            ]
        )  # fmt: skip
    return found


async def _measures(
    conn: AsyncConnection, span: Span, ids: sa.Select[Any]
) -> dict[int, dict[str, Any]]:
    column = events.c.business_seconds if span.business else events.c.seconds
    facts = await conn.execute(
        sa.select(events.c.conversation_id, events.c.kind, column, events.c.value, events.c.comment)
        .where(
            events.c.conversation_id.in_(ids),
            events.c.at >= span.start,  # nothing about a conversation precedes its opening
            events.c.kind.in_(("first_response", "resolution", "reopen", "rating")),
        )
        .order_by(events.c.at)
    )
    found: dict[int, dict[str, Any]] = {}
    for conversation_id, kind, seconds, value, comment in facts:
        mine = found.setdefault(conversation_id, {})
        if kind == "reopen":
            mine["reopens"] = mine.get("reopens", 0) + 1
        elif kind == "rating":
            mine["rating"], mine["comment"] = value, comment
        else:
            mine[kind] = seconds  # the last resolution wins
    return found


def _text(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
