"""Which visitor a verified identity belongs to (docs/identity.md).

One visitor per verified user and site: a user who signs in on a second browser gets their
existing visitor (and conversations) back. An anonymous visitor who then signs in becomes
that user; if the user already had a visitor, the anonymous one's conversations and page
views move over, so nothing typed before signing in is lost. A claimed email never links
visitors: only a valid identity hash does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations import queries as conversation_queries
from porch.conversations.models import Conversation
from porch.conversations.tables import conversations, messages
from porch.errors import Invalid, NotFound
from porch.visitors import queries
from porch.visitors.identity import Identity
from porch.visitors.models import Visitor
from porch.visitors.tables import page_views, visitors


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
    return Resolved(visitor, await move_activity(conn, current.id, known.id))


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


async def merge(conn: AsyncConnection, from_id: int, into_id: int) -> Visitor:
    """Merge two contacts of one site (an operator's or the API's decision): `from_id`'s
    page views and conversations move to `into_id` (`move_activity`), which keeps its own
    properties, name and email and takes those it lacks; then `from_id` is deleted. What
    other features keep for `from_id` must be moved first, in the same transaction
    (tickets: `porch.tickets.service.move_requester`). Publish `VisitorUpdated` and
    `VisitorsErased((from_id,), ())` after it."""
    into = await queries.visitor(conn, into_id)
    other = await queries.visitor(conn, from_id)
    if into is None or other is None or into.site_id != other.site_id:
        raise NotFound(f"no contact {from_id if into else into_id}")
    if into_id == from_id:
        raise Invalid("a contact cannot be merged into itself")
    await move_activity(conn, from_id, into_id)
    values = {
        "attributes": {**other.attributes, **into.attributes},
        "email": into.email or other.email,
        "first_seen_at": min(into.first_seen_at, other.first_seen_at),
        "last_seen_at": max(into.last_seen_at, other.last_seen_at),
    }
    await conn.execute(visitors.update().where(visitors.c.id == into_id).values(values))
    await conn.execute(visitors.delete().where(visitors.c.id == from_id))
    merged = await queries.visitor(conn, into_id)
    assert merged is not None
    return merged


async def move_activity(conn: AsyncConnection, anonymous_id: int, user_id: int) -> int | None:
    """Move the anonymous visitor's conversations and page views to the user's visitor.

    Both open: the anonymous one's messages join the user's open conversation (a visitor
    has at most one open). The conversation now holding what was said, if any moved.
    """
    moved_pages = page_views.update().where(page_views.c.visitor_id == anonymous_id)
    await conn.execute(moved_pages.values(visitor_id=user_id))
    theirs = await conversation_queries.open_conversation(conn, anonymous_id)
    mine = await conversation_queries.open_conversation(conn, user_id)
    if theirs is not None and mine is not None:
        await _join(conn, theirs, mine)
    await conn.execute(
        conversations.update()
        .where(conversations.c.visitor_id == anonymous_id)
        .values(visitor_id=user_id)
    )
    if theirs is None:
        return None
    return mine.id if mine is not None else theirs.id


async def _join(conn: AsyncConnection, theirs: Conversation, mine: Conversation) -> None:
    await conn.execute(
        messages.update()
        .where(messages.c.conversation_id == theirs.id)
        .values(conversation_id=mine.id)
    )
    values = {
        "last_activity_at": max(mine.last_activity_at, theirs.last_activity_at),
        "operator_unread": conversations.c.operator_unread + theirs.operator_unread,
    }
    await conn.execute(conversations.update().where(conversations.c.id == mine.id).values(values))
    await conn.execute(conversations.delete().where(conversations.c.id == theirs.id))
