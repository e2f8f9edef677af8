"""Which visitor a verified identity belongs to (docs/identity.md).

One visitor per verified user and site: a user who signs in on a second browser gets their
existing visitor (and conversation) back. An anonymous visitor who then signs in becomes
that user; if the user already had a visitor, the anonymous one's conversation and page
views move over, so nothing typed before signing in is lost. A claimed email never links
visitors: only a valid identity hash does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.chat import queries
from porch.chat.identity import Identity
from porch.chat.models import Visitor
from porch.chat.tables import conversations, messages, page_views, visitors


@dataclass(frozen=True)
class Resolved:
    visitor: Visitor
    moved_conversation: int | None = None
    """The conversation that now holds what the anonymous visitor had said, if any moved."""


async def resolve(
    conn: AsyncConnection, current: Visitor | None, known: Visitor | None, identity: Identity
) -> Resolved:
    """`current`: this browser's visitor (None: new); `known`: the user's existing visitor."""
    if known is None:
        return Resolved(await _adopt(conn, current, identity))
    visitor = await _refresh(conn, known, identity)
    if current is None or current.id == known.id or current.verified:
        return Resolved(visitor)  # a verified visitor is someone else: never merged
    return Resolved(visitor, await _merge(conn, current.id, known.id))


async def _adopt(conn: AsyncConnection, current: Visitor | None, identity: Identity) -> Visitor:
    """Make this browser's anonymous visitor the user (a fresh one if it was another user)."""
    assert current is not None and not current.verified, "caller creates a visitor first"
    values = {
        "external_id": identity.user_id,
        "verified": True,
        "name": identity.name or current.name,
        "email": identity.email,  # an unverified claim is replaced, never promoted
    }
    await conn.execute(visitors.update().where(visitors.c.id == current.id).values(values))
    visitor = await queries.visitor(conn, current.id)
    assert visitor is not None
    return visitor


async def _refresh(conn: AsyncConnection, known: Visitor, identity: Identity) -> Visitor:
    """The site's latest word on name and email wins."""
    values = {"name": identity.name or known.name, "email": identity.email or known.email}
    if values == {"name": known.name, "email": known.email}:
        return known
    await conn.execute(visitors.update().where(visitors.c.id == known.id).values(values))
    visitor = await queries.visitor(conn, known.id)
    assert visitor is not None
    return visitor


async def _merge(conn: AsyncConnection, anonymous_id: int, user_id: int) -> int | None:
    """Move the anonymous visitor's conversation and page views to the user's visitor."""
    moved_pages = page_views.update().where(page_views.c.visitor_id == anonymous_id)
    await conn.execute(moved_pages.values(visitor_id=user_id))
    theirs = await queries.visitor_conversation(conn, anonymous_id)
    if theirs is None:
        return None
    mine = await queries.visitor_conversation(conn, user_id)
    if mine is None:
        await conn.execute(
            conversations.update().where(conversations.c.id == theirs.id).values(visitor_id=user_id)
        )
        return theirs.id
    await conn.execute(
        messages.update()
        .where(messages.c.conversation_id == theirs.id)
        .values(conversation_id=mine.id)
    )
    values = {
        "last_activity_at": max(mine.last_activity_at, theirs.last_activity_at),
        "status": "open" if "open" in (mine.status, theirs.status) else mine.status,
        "operator_unread": conversations.c.operator_unread + theirs.operator_unread,
    }
    await conn.execute(conversations.update().where(conversations.c.id == mine.id).values(values))
    await conn.execute(conversations.delete().where(conversations.c.id == theirs.id))
    return mine.id
