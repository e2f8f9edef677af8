"""People's privacy rights over what Porch holds about them: find a customer's visitors,
export everything about them, erase them, erase a whole site (used by the Shopify app's
compliance webhooks).

A customer is linked to visitors two ways: their verified identity (`visitors.external_id`,
e.g. the Shopify customer id) and their email address. The erasing functions return the
`VisitorsErased` fact for the caller to publish once its transaction has committed, so
open panels drop what is gone.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.tables import conversations, messages
from porch.sites.tables import sites
from porch.visitors.events import VisitorsErased
from porch.visitors.tables import page_views, visitors
from porch.wire import iso


async def customer_visitors(
    conn: AsyncConnection, site_id: int, customer_id: str, email: str | None
) -> list[int]:
    same_customer = [visitors.c.external_id == customer_id]
    if email:
        same_customer.append(sa.func.lower(visitors.c.email) == email.strip().lower())
    query = sa.select(visitors.c.id).where(visitors.c.site_id == site_id, sa.or_(*same_customer))
    return list(await conn.scalars(query.order_by(visitors.c.id)))


async def export(conn: AsyncConnection, visitor_ids: list[int]) -> dict[str, Any]:
    """Everything stored about these visitors, as JSON-ready data."""
    rows = await conn.execute(sa.select(visitors).where(visitors.c.id.in_(visitor_ids)))
    return {"visitors": [await _visitor_export(conn, row) for row in rows]}


async def _visitor_export(conn: AsyncConnection, row: sa.Row[Any]) -> dict[str, Any]:
    views = await conn.execute(
        sa.select(page_views).where(page_views.c.visitor_id == row.id).order_by(page_views.c.id)
    )
    conversation = (
        await conn.execute(sa.select(conversations).where(conversations.c.visitor_id == row.id))
    ).first()
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "customer_id": row.external_id,
        "verified": row.verified,
        "attributes": dict(row.attributes),
        "first_seen_at": iso(row.first_seen_at),
        "last_seen_at": iso(row.last_seen_at),
        # What their browser said last (the inbox's details panel) and the pre-chat form.
        "browser": {
            "language": row.language,
            "time_zone": row.time_zone,
            "user_agent": row.user_agent,
        },
        "prechat_at": iso(row.prechat_at),
        "page_views": [
            {"url": v.url, "title": v.title, "referrer": v.referrer, "at": iso(v.created_at)}
            for v in views
        ],
        "conversation": await _conversation_export(conn, conversation) if conversation else None,
    }


async def _conversation_export(conn: AsyncConnection, row: sa.Row[Any]) -> dict[str, Any]:
    found = await conn.execute(
        sa.select(messages).where(messages.c.conversation_id == row.id).order_by(messages.c.id)
    )
    return {
        "id": row.id,
        "status": row.status,
        "created_at": iso(row.created_at),
        "messages": [
            {"author": m.author, "body": m.body, "internal": m.internal, "at": iso(m.created_at)}
            for m in found
        ],
    }


async def erase_visitors(conn: AsyncConnection, visitor_ids: list[int]) -> VisitorsErased:
    """Delete the visitors with their page views, conversations and messages.

    Spelled out rather than left to ON DELETE CASCADE, so erasure never depends on a
    connection setting (SQLite enforces foreign keys only when asked to).
    """
    if not visitor_ids:
        return VisitorsErased((), ())
    theirs = sa.select(conversations.c.id).where(conversations.c.visitor_id.in_(visitor_ids))
    conversation_ids = tuple(await conn.scalars(theirs.order_by(conversations.c.id)))
    await conn.execute(messages.delete().where(messages.c.conversation_id.in_(theirs)))
    await conn.execute(conversations.delete().where(conversations.c.visitor_id.in_(visitor_ids)))
    await conn.execute(page_views.delete().where(page_views.c.visitor_id.in_(visitor_ids)))
    await conn.execute(visitors.delete().where(visitors.c.id.in_(visitor_ids)))
    return VisitorsErased(tuple(visitor_ids), conversation_ids)


async def erase_site(conn: AsyncConnection, site_id: int) -> VisitorsErased:
    """Delete a site with all its visitors and their conversations."""
    ids = list(await conn.scalars(sa.select(visitors.c.id).where(visitors.c.site_id == site_id)))
    erased = await erase_visitors(conn, ids)
    await conn.execute(conversations.delete().where(conversations.c.site_id == site_id))
    await conn.execute(sites.delete().where(sites.c.id == site_id))
    return erased
