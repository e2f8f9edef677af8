"""The chat domain: visitors, conversations and messages (sites: `porch.chat.sites`).

Every write commits first and then publishes an event (see `porch.chat.events`), so
listeners only ever see facts that are stored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.chat import contacts, queries
from porch.chat.errors import Invalid, NotFound
from porch.chat.events import (
    ConversationChange,
    ConversationChanged,
    MessageCreated,
    OperatorTyping,
    PageViewed,
    SiteUpdated,
    VisitorTyping,
    VisitorUpdated,
)
from porch.chat.identity import Identity
from porch.chat.models import (
    Conversation,
    ConversationDetail,
    ConversationSummary,
    Message,
    Page,
    Site,
    Visitor,
    VisitorHello,
    VisitorSummary,
)
from porch.chat.names import friendly_name
from porch.chat.tables import conversations, messages, page_views, visitors
from porch.db.engine import Database
from porch.db.group_commit import GroupCommit
from porch.db.metadata import utcnow
from porch.db.upsert import insert_ignore
from porch.events import EventBus
from porch.operators.service import Operator
from porch.operators.tables import operators

MAX_ATTRIBUTES = 50
RECENT_VISITORS = timedelta(minutes=30)
"""`list_visitors` shows offline visitors seen this recently."""


class ChatService:
    def __init__(self, db: Database, events: EventBus) -> None:
        self.db = db
        self.events = events
        # Latest visitor draft per conversation, for operators who open it mid-typing.
        # In-process, like presence; several processes would keep it in Redis.
        self._drafts: dict[int, str] = {}
        self._writes = GroupCommit(db)  # the message path's writes, committed in groups
        events.subscribe(SiteUpdated, self._site_updated)  # the drafts are this service's

    # -- visitors -----------------------------------------------------------------------

    async def open_session(
        self, site: Site, visitor_id: int | None, page: Page, identity: Identity | None = None
    ) -> Visitor:
        """Resume `visitor_id` if it is this site's visitor, else create one; record the page.

        With a verified `identity`, the visitor is that user's (see `porch.chat.contacts`).
        """
        now = utcnow()
        try:
            resolved = await self._resolve_visitor(site, visitor_id, page, identity, now)
        except IntegrityError:
            if identity is None:
                raise
            # Another session stored this new user first (unique site + user id): once more,
            # now finding their visitor.
            resolved = await self._resolve_visitor(site, visitor_id, page, identity, now)
        visitor = resolved.visitor
        if identity is not None:
            await self.events.publish(VisitorUpdated(visitor))
        if resolved.moved_conversation is not None:
            await self._changed(resolved.moved_conversation, "message")
        await self.events.publish(PageViewed(visitor.id, page.url))
        return visitor

    async def _resolve_visitor(
        self,
        site: Site,
        visitor_id: int | None,
        page: Page,
        identity: Identity | None,
        now: datetime,
    ) -> contacts.Resolved:
        async with self.db.begin() as conn:
            visitor = await queries.visitor(conn, visitor_id) if visitor_id else None
            if visitor is not None and visitor.site_id != site.id:
                visitor = None
            resolved = await self._identify(conn, site.id, visitor, identity, now)
            await self._record_page(conn, resolved.visitor.id, page, now)
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
        return Visitor(id=result.inserted_primary_key[0], **values)

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

    async def get_visitor(self, visitor_id: int) -> Visitor | None:
        async with self.db.connect() as conn:
            return await queries.visitor(conn, visitor_id)

    async def record_page_view(self, visitor_id: int, page: Page) -> None:
        async with self.db.begin() as conn:
            await self._record_page(conn, visitor_id, page, utcnow())
        await self.events.publish(PageViewed(visitor_id, page.url))

    async def update_visitor(
        self,
        visitor_id: int,
        *,
        name: str | None = None,
        email: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> Visitor:
        """Set what the visitor (or the host page) told us; attributes are merged."""
        async with self.db.begin() as conn:
            visitor = await self._visitor_or_raise(conn, visitor_id)
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
            await conn.execute(visitors.update().where(visitors.c.id == visitor_id).values(values))
            visitor = await self._visitor_or_raise(conn, visitor_id)
        await self.events.publish(VisitorUpdated(visitor))
        return visitor

    async def _visitor_or_raise(self, conn: AsyncConnection, visitor_id: int) -> Visitor:
        visitor = await queries.visitor(conn, visitor_id)
        if visitor is None:
            raise NotFound(f"no visitor {visitor_id}")
        return visitor

    async def visitor_hello(self, visitor_id: int) -> VisitorHello:
        async with self.db.connect() as conn:
            visitor = await self._visitor_or_raise(conn, visitor_id)
            site = await queries.site(conn, visitor.site_id)
            assert site is not None  # visitors.site_id is a cascading foreign key
            conversation = await queries.visitor_conversation(conn, visitor_id)
            history = (
                await queries.latest_messages(conn, conversation.id, include_internal=False)
                if conversation
                else []
            )
            unread = await queries.visitor_unread(conn, visitor_id) if conversation else 0
        return VisitorHello(visitor, site, conversation, history, unread)

    async def visitor_unread(self, visitor_id: int) -> int:
        """Replies the visitor has not read yet (see `queries.visitor_unread`)."""
        async with self.db.connect() as conn:
            return await queries.visitor_unread(conn, visitor_id)

    async def visitor_summary(self, visitor_id: int, online: Collection[int]) -> VisitorSummary:
        async with self.db.connect() as conn:
            found = await queries.visitor_summaries(conn, visitors.c.id == visitor_id, online)
        if not found:
            raise NotFound(f"no visitor {visitor_id}")
        return found[0]

    async def list_visitors(self, online: Collection[int]) -> list[VisitorSummary]:
        """Online visitors and those seen recently, online first."""
        since = utcnow() - RECENT_VISITORS
        where = sa.or_(visitors.c.id.in_(list(online)), visitors.c.last_seen_at >= since)
        async with self.db.connect() as conn:
            return await queries.visitor_summaries(conn, where, online)

    # -- messages -----------------------------------------------------------------------

    async def send_visitor_message(self, visitor_id: int, client_id: str, body: str) -> Message:
        """Store a visitor's message in their conversation, creating or reopening it.

        Idempotent on `client_id`: a resend returns the stored message and publishes nothing.
        Concurrent senders share one transaction (see `porch.db.group_commit`).
        """
        message, summary, change = await self._writes.run(
            partial(self._store_visitor_message, visitor_id, client_id, body)
        )
        if summary is None or change is None:  # a resend: already published
            return message
        self._drafts.pop(message.conversation_id, None)
        await self._published_message(summary.conversation, change, message, summary)
        return message

    async def _store_visitor_message(
        self, visitor_id: int, client_id: str, body: str, conn: AsyncConnection
    ) -> tuple[Message, ConversationSummary | None, ConversationChange | None]:
        """The writes of `send_visitor_message`: (stored message, None, None) for a resend.

        Four statements for a message in an existing, unassigned conversation (touch the
        visitor, find the conversation, insert the message, mark the conversation active
        and open); a resend stops at the insert.
        """
        now = utcnow()
        name = await queries.touch_visitor(conn, visitor_id, now)
        if name is None:
            raise NotFound(f"no visitor {visitor_id}")
        conversation, created = await self._visitor_conversation(conn, visitor_id, create=True)
        assert conversation is not None  # create=True always yields one
        message = await self._insert_message(
            conn, conversation, client_id, body, "visitor", name, now
        )
        if message is None:  # a resend (or a concurrent resend won the race)
            return await self._stored(conn, conversation.id, client_id), None, None
        change: ConversationChange = "message"
        if created:
            change = "created"
        elif conversation.status == "closed":
            change = "reopened"
        conversation = replace(
            conversation,
            status="open",
            last_activity_at=now,
            operator_unread=conversation.operator_unread + 1,
        )
        # The inbox line as of this message, from what is at hand: re-reading it after
        # every message cost more than storing the message (docs/performance.md).
        summary = ConversationSummary(
            conversation,
            visitor_name=message.author_name,
            assignee=await queries.assignee(conn, conversation.assignee_id),
            last_message=message,
            unread=conversation.operator_unread,
        )
        return message, summary, change

    async def send_operator_message(
        self, conversation_id: int, operator: Operator, client_id: str, body: str, internal: bool
    ) -> Message:
        """An operator's reply (reopens a closed conversation) or internal note.

        Idempotent on `client_id` like visitor messages. Replying also marks it read.
        """
        now = utcnow()
        async with self.db.begin() as conn:
            conversation = await self._conversation_or_raise(conn, conversation_id)
            stored = await queries.message_by_client_id(conn, conversation_id, client_id)
            if stored:
                return stored
            change: ConversationChange = "message"
            if conversation.status == "closed" and not internal:
                await self._set_status(conn, conversation_id, "open")
                change = "reopened"
            message = await self._insert_message(
                conn,
                conversation,
                client_id,
                body,
                "operator",
                operator.name,
                now,
                operator.id,
                internal,
            )
            if message is None:
                return await self._stored(conn, conversation_id, client_id)
            await self._mark_read(conn, conversation_id, now)
            conversation = await self._conversation_or_raise(conn, conversation_id)
        await self._published_message(conversation, change, message)
        return message

    async def _published_message(
        self,
        conversation: Conversation,
        change: ConversationChange,
        message: Message,
        summary: ConversationSummary | None = None,
    ) -> None:
        # The conversation first, so a visitor learns its id before the message in it.
        await self.events.publish(ConversationChanged(conversation, change, summary))
        await self.events.publish(MessageCreated(message, conversation.visitor_id))

    async def _open_for_visitor(
        self, conn: AsyncConnection, visitor_id: int
    ) -> tuple[Conversation, ConversationChange]:
        """The visitor's conversation, open: created if they have none, else reopened."""
        conversation, created = await self._visitor_conversation(conn, visitor_id, create=True)
        assert conversation is not None  # create=True always yields one
        if created:
            return conversation, "created"
        if conversation.status == "closed":
            await self._set_status(conn, conversation.id, "open")
            return conversation, "reopened"
        return conversation, "message"

    async def _visitor_conversation(
        self, conn: AsyncConnection, visitor_id: int, *, create: bool
    ) -> tuple[Conversation | None, bool]:
        """The visitor's one conversation and whether this call created it.

        Race-safe: `conversations.visitor_id` is unique, so when two requests (two tabs)
        create it at once the loser's insert is skipped and it reads the winner's row.
        """
        existing = await queries.visitor_conversation(conn, visitor_id)
        if existing is not None or not create:
            return existing, False
        visitor = await self._visitor_or_raise(conn, visitor_id)
        now = utcnow()
        values = {
            "site_id": visitor.site_id,
            "visitor_id": visitor_id,
            "status": "open",
            "created_at": now,
            "last_activity_at": now,
        }
        new_id = await insert_ignore(conn, conversations, values, ["visitor_id"])
        if new_id is None:
            return await queries.visitor_conversation(conn, visitor_id), False
        return await self._conversation_or_raise(conn, new_id), True

    async def _insert_message(
        self,
        conn: AsyncConnection,
        conversation: Conversation,
        client_id: str,
        body: str,
        author: str,
        author_name: str,
        now: datetime,
        operator_id: int | None = None,
        internal: bool = False,
    ) -> Message | None:
        """Insert unless `client_id` is taken (None then); the conversation becomes active
        (and open again, for a visitor's message). The message is built, not read back:
        one statement less on the busiest path."""
        values = {
            "conversation_id": conversation.id,
            "client_id": client_id,
            "author": author,
            "operator_id": operator_id,
            "body": body,
            "internal": internal,
            "created_at": now,
        }
        message_id = await insert_ignore(conn, messages, values, ["conversation_id", "client_id"])
        if message_id is None:
            return None
        if author == "visitor":  # the busiest path: one prebuilt statement
            await queries.visitor_message_activity(conn, conversation.id, now)
        else:
            update = conversations.update().where(conversations.c.id == conversation.id)
            await conn.execute(update.values(last_activity_at=now))
        return Message(
            message_id, conversation.id, client_id, author, author_name, body, internal, now
        )

    async def _stored(self, conn: AsyncConnection, conversation_id: int, client_id: str) -> Message:
        stored = await queries.message_by_client_id(conn, conversation_id, client_id)
        assert stored is not None  # the insert was skipped because this row exists
        return stored

    # -- typing -------------------------------------------------------------------------

    async def visitor_typing(self, visitor_id: int, draft: str) -> None:
        """Share a visitor's draft with watching operators, if the site allows it.

        The first non-empty draft opens the conversation, so the preview works before
        the first message is sent.
        """
        async with self.db.begin() as conn:
            visitor = await self._visitor_or_raise(conn, visitor_id)
            site = await queries.site(conn, visitor.site_id)
            if site is None or not site.typing_preview:
                return
            conversation, created = await self._visitor_conversation(
                conn, visitor_id, create=bool(draft.strip())
            )
        if conversation is None:
            return
        if created:
            await self.events.publish(ConversationChanged(conversation, "created"))
        self._remember_draft(conversation.id, draft)
        await self.events.publish(VisitorTyping(conversation.id, draft))

    def _remember_draft(self, conversation_id: int, draft: str) -> None:
        if draft.strip():
            self._drafts[conversation_id] = draft
        else:
            self._drafts.pop(conversation_id, None)

    async def _site_updated(self, event: SiteUpdated) -> None:
        """Typing preview turned off: forget the site's drafts, clear operators' screens."""
        if event.site.typing_preview or not self._drafts:
            return
        query = sa.select(conversations.c.id).where(
            conversations.c.site_id == event.site.id, conversations.c.id.in_(list(self._drafts))
        )
        async with self.db.connect() as conn:
            hushed = list(await conn.scalars(query))
        for conversation_id in hushed:
            self._drafts.pop(conversation_id, None)
            await self.events.publish(VisitorTyping(conversation_id, ""))

    async def operator_typing(self, conversation_id: int, operator: Operator, typing: bool) -> None:
        async with self.db.connect() as conn:
            conversation = await self._conversation_or_raise(conn, conversation_id)
        await self.events.publish(OperatorTyping(conversation.visitor_id, operator.name, typing))

    # -- conversations ------------------------------------------------------------------

    async def _conversation_or_raise(
        self, conn: AsyncConnection, conversation_id: int
    ) -> Conversation:
        conversation = await queries.conversation(conn, conversation_id)
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        return conversation

    async def list_conversations(self, status: str = "open") -> list[ConversationSummary]:
        """Newest activity first."""
        async with self.db.connect() as conn:
            return await queries.conversation_summaries(conn, status)

    async def conversation_summary(self, conversation_id: int) -> ConversationSummary:
        async with self.db.connect() as conn:
            summary = await queries.conversation_summary(conn, conversation_id)
        if summary is None:
            raise NotFound(f"no conversation {conversation_id}")
        return summary

    async def messages(self, conversation_id: int, *, include_internal: bool) -> list[Message]:
        async with self.db.connect() as conn:
            return await queries.latest_messages(
                conn, conversation_id, include_internal=include_internal
            )

    def draft(self, conversation_id: int) -> str:
        return self._drafts.get(conversation_id, "")

    async def watch_conversation(
        self, conversation_id: int, online: Collection[int]
    ) -> ConversationDetail:
        """What an operator sees on opening a conversation; also marks it read."""
        summary = await self.mark_read(conversation_id)
        return ConversationDetail(
            summary=summary,
            messages=await self.messages(conversation_id, include_internal=True),
            visitor=await self.visitor_summary(summary.conversation.visitor_id, online),
            draft=self.draft(conversation_id),
        )

    async def mark_read(self, conversation_id: int) -> ConversationSummary:
        """An operator has seen the conversation up to now (every operator's list agrees)."""
        async with self.db.begin() as conn:
            await self._conversation_or_raise(conn, conversation_id)
            await self._mark_read(conn, conversation_id, utcnow())
        return await self._changed(conversation_id, "read")

    async def _mark_read(self, conn: AsyncConnection, conversation_id: int, now: datetime) -> None:
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation_id)
            .values(operator_read_at=now, operator_unread=0)
        )

    async def mark_visitor_read(self, visitor_id: int) -> None:
        async with self.db.begin() as conn:
            await conn.execute(
                conversations.update()
                .where(conversations.c.visitor_id == visitor_id)
                .values(visitor_read_at=utcnow())
            )

    async def assign(self, conversation_id: int, operator_id: int | None) -> ConversationSummary:
        async with self.db.begin() as conn:
            await self._conversation_or_raise(conn, conversation_id)
            if operator_id is not None and not await self._operator_exists(conn, operator_id):
                raise NotFound(f"no operator {operator_id}")
            await conn.execute(
                conversations.update()
                .where(conversations.c.id == conversation_id)
                .values(assignee_id=operator_id)
            )
        return await self._changed(conversation_id, "assigned")

    async def _operator_exists(self, conn: AsyncConnection, operator_id: int) -> bool:
        query = sa.select(operators.c.id).where(operators.c.id == operator_id)
        return await conn.scalar(query) is not None

    async def close(self, conversation_id: int) -> ConversationSummary:
        return await self._change_status(conversation_id, "closed")

    async def reopen(self, conversation_id: int) -> ConversationSummary:
        return await self._change_status(conversation_id, "open")

    async def _change_status(self, conversation_id: int, status: str) -> ConversationSummary:
        async with self.db.begin() as conn:
            conversation = await self._conversation_or_raise(conn, conversation_id)
            unchanged = conversation.status == status
            if not unchanged:
                await self._set_status(conn, conversation_id, status)
        if unchanged:
            return await self.conversation_summary(conversation_id)
        return await self._changed(conversation_id, "closed" if status == "closed" else "reopened")

    async def _set_status(self, conn: AsyncConnection, conversation_id: int, status: str) -> None:
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation_id)
            .values(status=status)
        )

    async def start_conversation(self, visitor_id: int, operator_id: int) -> ConversationSummary:
        """An operator reaches out to a visitor: open their conversation (creating or
        reopening it) and take it if nobody has."""
        async with self.db.begin() as conn:
            conversation, change = await self._open_for_visitor(conn, visitor_id)
            if conversation.assignee_id is None:
                await conn.execute(
                    conversations.update()
                    .where(conversations.c.id == conversation.id)
                    .values(assignee_id=operator_id)
                )
        return await self._changed(conversation.id, "started" if change == "message" else change)

    async def _changed(
        self, conversation_id: int, change: ConversationChange
    ) -> ConversationSummary:
        summary = await self.conversation_summary(conversation_id)
        await self.events.publish(ConversationChanged(summary.conversation, change))
        return summary
