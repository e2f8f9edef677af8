"""A contact's data export and erasure from the panel, on top of `porch.visitors.privacy`
(the functions the REST API and the Shopify app use), completed with what those leave
out: every conversation with its messages, tickets, ratings, consents, mail, files."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.visitors import privacy
from porch.wire import iso


async def find(conn: AsyncConnection, site_id: int, email: str) -> list[int]:
    """The visitors of a site with this email address (any case)."""
    from porch.visitors.tables import visitors

    query = sa.select(visitors.c.id).where(
        visitors.c.site_id == site_id, sa.func.lower(visitors.c.email) == email.strip().lower()
    )
    return list(await conn.scalars(query.order_by(visitors.c.id)))


async def export(conn: AsyncConnection, visitor_ids: list[int]) -> dict[str, Any]:
    """`porch.visitors.privacy.export`, with each visitor's conversations, tickets,
    ratings and consents."""
    data = await privacy.export(conn, visitor_ids)
    for visitor in data["visitors"]:
        visitor.update(await _more(conn, visitor["id"]))
    return data


async def _more(conn: AsyncConnection, visitor_id: int) -> dict[str, Any]:
    from porch.analytics.tables import reporting_events as facts
    from porch.conversations.tables import conversations, messages
    from porch.privacy.tables import consents
    from porch.tickets.tables import tickets

    theirs = sa.select(conversations.c.id).where(conversations.c.visitor_id == visitor_id)
    chats = []
    for row in await conn.execute(
        sa.select(conversations).where(conversations.c.visitor_id == visitor_id).order_by("id")
    ):
        said = await conn.execute(
            sa.select(messages)
            .where(messages.c.conversation_id == row.id, messages.c.internal.is_(False))
            .order_by(messages.c.id)
        )
        chats.append(
            {
                "id": row.id,
                "status": row.status,
                "created_at": iso(row.created_at),
                "closed_at": iso(row.closed_at) if row.closed_at else None,
                "messages": [
                    {"author": m.author, "body": m.body, "at": iso(m.created_at)} for m in said
                ],
            }
        )
    asked = await conn.execute(
        sa.select(tickets).where(tickets.c.requester_id == visitor_id).order_by(tickets.c.id)
    )
    rated = await conn.execute(
        sa.select(facts).where(facts.c.kind == "rating", facts.c.conversation_id.in_(theirs))
    )
    agreed = await conn.execute(sa.select(consents).where(consents.c.visitor_id == visitor_id))
    return {
        "conversations": chats,
        "tickets": [
            {"id": t.id, "subject": t.subject, "status": t.status, "created_at": iso(t.created_at)}
            for t in asked
        ],
        "ratings": [
            {
                "conversation_id": r.conversation_id,
                "score": r.value,
                "comment": r.comment,
                "at": iso(r.at),
            }
            for r in rated
        ],
        "consents": [{"at": iso(c.at), "notice": c.notice, "link": c.link} for c in agreed],
    }


async def files_of(conn: AsyncConnection, visitor_ids: list[int]) -> list[str]:
    """The stored files (and thumbnails) in these visitors' conversations, to delete once
    their rows are gone."""
    from porch.attachments.tables import attachments
    from porch.conversations.tables import conversations

    theirs = sa.select(conversations.c.id).where(conversations.c.visitor_id.in_(visitor_ids))
    rows = await conn.execute(
        sa.select(attachments.c.storage_key, attachments.c.thumbnail_key).where(
            sa.or_(
                attachments.c.conversation_id.in_(theirs),
                sa.and_(attachments.c.uploader_kind == "visitor",
                        attachments.c.uploader_id.in_(visitor_ids)),
            )
        )
    )  # fmt: skip
    return [key for row in rows for key in row if key]


async def erase(conn: AsyncConnection, visitor_ids: list[int]) -> Any:
    """`porch.visitors.privacy.erase_visitors`, first removing what outlives a visitor's
    rows there: their mail (kept by address), uploads, ratings (anonymous facts about
    their conversations stay, without the conversation's id). Returns `VisitorsErased`."""
    from porch.analytics.tables import reporting_events as facts
    from porch.attachments.tables import attachments
    from porch.conversations.tables import conversations
    from porch.email.tables import email_messages
    from porch.visitors.tables import visitors

    theirs = sa.select(conversations.c.id).where(conversations.c.visitor_id.in_(visitor_ids))
    addresses = [
        a.lower()
        for a in await conn.scalars(
            sa.select(visitors.c.email).where(
                visitors.c.id.in_(visitor_ids), visitors.c.email.is_not(None)
            )
        )
    ]
    mail = email_messages.c
    await conn.execute(
        email_messages.delete().where(
            sa.or_(mail.conversation_id.in_(theirs), sa.func.lower(mail.address).in_(addresses))
        )
    )
    await conn.execute(
        attachments.delete().where(
            attachments.c.uploader_kind == "visitor", attachments.c.uploader_id.in_(visitor_ids)
        )
    )
    await conn.execute(
        facts.delete().where(facts.c.kind == "rating", facts.c.conversation_id.in_(theirs))
    )
    await conn.execute(
        facts.update().where(facts.c.conversation_id.in_(theirs)).values(conversation_id=None)
    )
    return await privacy.erase_visitors(conn, visitor_ids)
