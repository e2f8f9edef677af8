"""Visitors: sessions (who a browser is), page views, what a visitor tells us, and the
live-visitors list. Every write commits, then publishes an event (`porch.visitors.events`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.conversations import queries as conversation_queries
from porch.conversations.events import ConversationOpened
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.errors import Invalid, NotFound
from porch.events import EventBus
from porch.sites.models import Site
from porch.visitors import contacts, queries
from porch.visitors.browser import Browser
from porch.visitors.events import PageViewed, VisitorUpdated
from porch.visitors.identity import Identity
from porch.visitors.models import Page, Visitor, VisitorSummary
from porch.visitors.names import friendly_name
from porch.visitors.tables import page_views, visitors

MAX_ATTRIBUTES = 50
RECENT_VISITORS = timedelta(minutes=30)
"""`list_visitors` shows offline visitors seen this recently."""


class VisitorService:
    def __init__(self, db: Database, events: EventBus) -> None:
        self.db = db
        self.events = events

    async def open_session(
        self,
        site: Site,
        visitor_id: int | None,
        page: Page,
        identity: Identity | None = None,
        browser: Browser | None = None,
        *,
        record_page: bool = True,
    ) -> Visitor:
        """Resume `visitor_id` if it is this site's visitor, else create one; record the page
        (unless `record_page` is False: a visitor who has not consented yet) and what the
        `browser` said of itself.

        With a verified `identity`, the visitor is that user's (see `porch.visitors.contacts`).
        """
        now = utcnow()
        resolve = self._resolve_visitor
        shown = page if record_page else None
        try:
            resolved = await resolve(site, visitor_id, shown, identity, now, browser)
        except IntegrityError:
            if identity is None:
                raise
            # Another session stored this new user first (unique site + user id): once more,
            # now finding their visitor.
            resolved = await resolve(site, visitor_id, shown, identity, now, browser)
        visitor = resolved.visitor
        if identity is not None:
            await self.events.publish(VisitorUpdated(visitor))
        if resolved.moved_conversation is not None:
            await self._conversation_moved(resolved.moved_conversation, visitor)
        if record_page:
            await self.events.publish(PageViewed(visitor.id, page.url))
        return visitor

    async def _conversation_moved(self, conversation_id: int, visitor: Visitor) -> None:
        """Operators see the merged conversation under the signed-in user's name."""
        async with self.db.connect() as conn:
            summary = await conversation_queries.conversation_summary(conn, conversation_id)
        if summary is not None:
            actor = Actor.visitor(visitor.id, visitor.name)
            await self.events.publish(ConversationOpened(summary, actor))

    async def _resolve_visitor(
        self,
        site: Site,
        visitor_id: int | None,
        page: Page | None,
        identity: Identity | None,
        now: datetime,
        browser: Browser | None = None,
    ) -> contacts.Resolved:
        async with self.db.begin() as conn:
            visitor = await queries.visitor(conn, visitor_id) if visitor_id else None
            if visitor is not None and visitor.site_id != site.id:
                visitor = None
            resolved = await self._identify(conn, site.id, visitor, identity, now)
            if page is not None:
                await self._record_page(conn, resolved.visitor.id, page, now)
            if browser is not None:
                resolved = await _remember_browser(conn, resolved, browser)
        return resolved

    async def _identify(
        self,
        conn: AsyncConnection,
        site_id: int,
        current: Visitor | None,
        identity: Identity | None,
        now: datetime,
    ) -> contacts.Resolved:
        if identity is None:
            return contacts.Resolved(current or await self._create_visitor(conn, site_id, now))
        known = await queries.verified_visitor(conn, site_id, identity.user_id)
        if known is None and (current is None or current.verified):
            # No visitor yet, or this browser's visitor is another user: a fresh one.
            current = await self._create_visitor(conn, site_id, now)
        return await contacts.resolve(conn, current, known, identity)

    async def _create_visitor(self, conn: AsyncConnection, site_id: int, now: datetime) -> Visitor:
        values = {
            "site_id": site_id,
            "name": friendly_name(),
            "email": None,
            "attributes": {},
            "first_seen_at": now,
            "last_seen_at": now,
        }
        result = await conn.execute(visitors.insert().values(values))
        new_id = result.inserted_primary_key
        assert new_id is not None
        return Visitor(
            id=new_id[0],
            site_id=site_id,
            name=str(values["name"]),
            email=None,
            attributes={},
            first_seen_at=now,
            last_seen_at=now,
        )

    async def _record_page(
        self, conn: AsyncConnection, visitor_id: int, page: Page, now: datetime
    ) -> None:
        await conn.execute(
            page_views.insert().values(
                visitor_id=visitor_id,
                url=page.url,
                title=page.title,
                referrer=page.referrer,
                created_at=now,
            )
        )
        await queries.touch_visitor(conn, visitor_id, now)

    async def get(self, visitor_id: int) -> Visitor | None:
        async with self.db.connect() as conn:
            return await queries.visitor(conn, visitor_id)

    async def record_page_view(self, visitor_id: int, page: Page) -> None:
        async with self.db.begin() as conn:
            await self._record_page(conn, visitor_id, page, utcnow())
        await self.events.publish(PageViewed(visitor_id, page.url))

    async def update(
        self,
        visitor_id: int,
        *,
        name: str | None = None,
        email: str | None = None,
        attributes: dict[str, Any] | None = None,
        prechat: bool = False,
    ) -> Visitor:
        """Set what the visitor (or the host page) told us; attributes are merged. With
        `prechat`, they told it in the site's pre-chat form (`porch.embed.forms`)."""
        async with self.events.transaction(self.db) as unit:
            visitor = await _visitor_or_raise(unit.conn, visitor_id)
            merged = {**visitor.attributes, **(attributes or {})}
            if len(merged) > MAX_ATTRIBUTES:
                raise Invalid(f"a visitor can have at most {MAX_ATTRIBUTES} attributes")
            if visitor.verified:  # the site vouched for these; the browser cannot change them
                name = email = None
            values = {
                "name": name or visitor.name,
                "email": email or visitor.email,
                "attributes": merged,
                "last_seen_at": utcnow(),
            }
            if prechat:
                values["prechat_at"] = values["last_seen_at"]
            update = visitors.update().where(visitors.c.id == visitor_id)
            await unit.conn.execute(update.values(values))
            visitor = await _visitor_or_raise(unit.conn, visitor_id)
            await unit.record(VisitorUpdated(visitor))
        return visitor

    async def summary(self, visitor_id: int, online: Collection[int]) -> VisitorSummary:
        async with self.db.connect() as conn:
            found = await queries.visitor_summaries(conn, visitors.c.id == visitor_id, online)
        if not found:
            raise NotFound(f"no visitor {visitor_id}")
        return found[0]

    async def list_live(self, online: Collection[int]) -> list[VisitorSummary]:
        """Online visitors and those seen recently, online first."""
        since = utcnow() - RECENT_VISITORS
        where = sa.or_(visitors.c.id.in_(list(online)), visitors.c.last_seen_at >= since)
        async with self.db.connect() as conn:
            return await queries.visitor_summaries(conn, where, online)


async def _remember_browser(
    conn: AsyncConnection, resolved: contacts.Resolved, browser: Browser
) -> contacts.Resolved:
    """Keep what the browser said (only what it said: an older loader sends no time zone)."""
    said = {k: v for k, v in dataclasses.asdict(browser).items() if v is not None}
    visitor = resolved.visitor
    if all(getattr(visitor, key) == value for key, value in said.items()):
        return resolved  # the usual page view: nothing new, no write
    await conn.execute(visitors.update().where(visitors.c.id == visitor.id).values(said))
    return dataclasses.replace(resolved, visitor=dataclasses.replace(visitor, **said))


async def _visitor_or_raise(conn: AsyncConnection, visitor_id: int) -> Visitor:
    visitor = await queries.visitor(conn, visitor_id)
    if visitor is None:
        raise NotFound(f"no visitor {visitor_id}")
    return visitor
