"""Conversations and messages: who says what, in which conversation, and its status.

A visitor has many conversations over time and at most one open. Every write commits and
then publishes an event (`porch.conversations.events`) carrying the conversation as it
stands and the actor, so listeners only ever see stored facts. Visitors, operators, the
bot and the system (flows, SLA, email) all post through `post_message` or the visitor
path `send_visitor_message`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.conversations import queries
from porch.conversations.drafts import Drafts, MemoryDrafts
from porch.conversations.events import (
    ConversationAssigned,
    ConversationClosed,
    ConversationEvent,
    ConversationOpened,
    ConversationRead,
    ConversationReopened,
    MessageCreated,
    OperatorTyping,
    VisitorTyping,
)
from porch.conversations.models import (
    Conversation,
    ConversationDetail,
    ConversationSummary,
    Message,
    MessageParts,
    VisitorHello,
)
from porch.conversations.tables import OPEN, conversations, messages
from porch.db.engine import Database
from porch.db.group_commit import GroupCommit
from porch.db.metadata import utcnow
from porch.db.upsert import insert_ignore
from porch.errors import Invalid, NotFound
from porch.events import EventBus, Unit
from porch.operators.tables import operators
from porch.sites import queries as site_queries
from porch.sites.events import SiteUpdated
from porch.visitors import queries as visitor_queries
from porch.visitors.models import Visitor, VisitorSummary
from porch.visitors.service import VisitorService

Opening = type[ConversationOpened] | type[ConversationReopened] | None
"""How a visitor's message found its conversation: opened, reopened, or already open."""


class ConversationService:
    def __init__(
        self,
        db: Database,
        events: EventBus,
        visitors: VisitorService,
        drafts: Drafts | None = None,
    ) -> None:
        self.db = db
        self.events = events
        self.visitors = visitors
        self.drafts: Drafts = MemoryDrafts() if drafts is None else drafts
        self._writes = GroupCommit(db)  # the message path's writes, committed in groups
        events.subscribe(SiteUpdated, self._site_updated)  # the drafts are this service's

    # -- the visitor's side -------------------------------------------------------------

    async def visitor_hello(self, visitor_id: int) -> VisitorHello:
        """The visitor's latest conversation with its messages, and their earlier ones."""
        async with self.db.connect() as conn:
            visitor = await _visitor_or_raise(conn, visitor_id)
            site = await site_queries.site(conn, visitor.site_id)
            assert site is not None  # visitors.site_id is a cascading foreign key
            summaries = await queries.visitor_conversations(conn, visitor_id)
            current = summaries[0].conversation if summaries else None
            history = (
                await queries.latest_messages(conn, current.id, include_internal=False)
                if current
                else []
            )
            unread = await queries.visitor_unread(conn, visitor_id) if current else 0
        return VisitorHello(visitor, site, current, history, unread, summaries[1:])

    async def visitor_transcript(self, visitor_id: int, conversation_id: int) -> list[Message]:
        """One of the visitor's own conversations (never internal notes)."""
        async with self.db.connect() as conn:
            conversation = await queries.conversation(conn, conversation_id)
            if conversation is None or conversation.visitor_id != visitor_id:
                raise NotFound(f"no conversation {conversation_id}")
            return await queries.latest_messages(conn, conversation_id, include_internal=False)

    async def visitor_unread(self, visitor_id: int) -> int:
        """Replies the visitor has not read yet (see `queries.visitor_unread`)."""
        async with self.db.connect() as conn:
            return await queries.visitor_unread(conn, visitor_id)

    async def mark_visitor_read(self, visitor_id: int) -> None:
        async with self.db.begin() as conn:
            await conn.execute(
                conversations.update()
                .where(conversations.c.visitor_id == visitor_id)
                .values(visitor_read_at=utcnow())
            )

    async def send_visitor_message(
        self, visitor_id: int, client_id: str, body: str, parts: MessageParts | None = None
    ) -> Message:
        """Store a visitor's message in their open conversation, opening one (or reopening
        the last within the site's window) if they have none.

        Idempotent on `client_id`: a resend returns the stored message and publishes nothing.
        Concurrent senders share one transaction (see `porch.db.group_commit`).
        """
        message, events, staged = await self._writes.run(
            partial(self._store_visitor_message, visitor_id, client_id, body, parts)
        )
        if staged:
            self.events.jobs_committed()
        if events:
            await self.drafts.forget(message.conversation_id)
        for event in events:
            await self.events.publish(event)
        return message

    async def _store_visitor_message(
        self,
        visitor_id: int,
        client_id: str,
        body: str,
        parts: MessageParts | None,
        conn: AsyncConnection,
    ) -> tuple[Message, list[object], bool]:
        """The writes of `send_visitor_message`: the stored message, the events to publish
        after the commit (none for a resend) and whether they wrote jobs.

        Four statements for a message in an open, unassigned conversation (touch the
        visitor, find the conversation, insert the message, count it unread); a resend
        stops at the insert. The events are built from what is at hand: re-reading the
        inbox line after every message cost more than storing it (docs/performance.md).
        """
        now = utcnow()
        name = await visitor_queries.touch_visitor(conn, visitor_id, now)
        if name is None:
            raise NotFound(f"no visitor {visitor_id}")
        conversation, opening = await self._open_for_visitor(conn, visitor_id, now)
        actor = Actor.visitor(visitor_id, name)
        message = await self._insert_message(
            conn, conversation, client_id, body, actor, now, parts=parts
        )
        if message is None:  # a resend (or a concurrent resend won the race)
            return await self._stored(conn, conversation.id, client_id), [], False
        conversation = replace(
            conversation,
            status="open",
            last_activity_at=now,
            operator_unread=conversation.operator_unread + 1,
        )
        summary = ConversationSummary(
            conversation,
            visitor_name=name,
            assignee=await queries.assignee(conn, conversation.assignee_id),
            last_message=message,
            unread=conversation.operator_unread,
        )
        # The conversation first, so a visitor learns its id before the message in it.
        events: list[object] = [opening(summary, actor)] if opening else []
        events.append(MessageCreated(message, summary, actor))
        staged = False
        for event in events:
            staged = await self.events.stage(conn, event) or staged
        return message, events, staged

    async def _open_for_visitor(
        self, conn: AsyncConnection, visitor_id: int, now: datetime
    ) -> tuple[Conversation, Opening]:
        """The visitor's open conversation; else their last, reopened if it closed within
        the site's reopen window; else a new one.

        Race-safe: at most one conversation per visitor is open (a partial unique index),
        so when two tabs open one at once the loser's insert is skipped and it reads the
        winner's; a reopen only changes a conversation that is still closed.
        """
        current = await queries.open_conversation(conn, visitor_id)
        if current is not None:
            return current, None
        latest = await queries.latest_conversation(conn, visitor_id)
        if latest is not None and await self._within_reopen_window(conn, latest, now):
            reopened = await conn.execute(
                conversations.update()
                .where(conversations.c.id == latest.id, conversations.c.status == "closed")
                .values(status="open", closed_at=None)
            )
            if reopened.rowcount == 1:
                return replace(latest, status="open", closed_at=None), ConversationReopened
        visitor = await _visitor_or_raise(conn, visitor_id)
        values = {
            "site_id": visitor.site_id,
            "visitor_id": visitor_id,
            "status": "open",
            "created_at": now,
            "last_activity_at": now,
        }
        new_id = await insert_ignore(conn, conversations, values, ["visitor_id"], OPEN)
        if new_id is None:
            winner = await queries.open_conversation(conn, visitor_id)
            assert winner is not None  # the insert was skipped because it exists
            return winner, None
        return await _conversation_or_raise(conn, new_id), ConversationOpened

    async def _within_reopen_window(
        self, conn: AsyncConnection, latest: Conversation, now: datetime
    ) -> bool:
        if latest.closed_at is None:
            return False
        site = await site_queries.site(conn, latest.site_id)
        hours = site.reopen_window_hours if site else 0
        return hours > 0 and now - latest.closed_at <= timedelta(hours=hours)

    # -- posting ------------------------------------------------------------------------

    async def post_message(
        self,
        actor: Actor,
        conversation_id: int,
        client_id: str,
        body: str,
        *,
        internal: bool = False,
        parts: MessageParts | None = None,
        reopen: bool = True,
    ) -> Message:
        """A reply (or, with `internal`, a note operators alone see) by an operator, the
        bot or the system, with its `parts` (buttons, sources, files…) if any. A reply
        reopens a closed conversation (unless `reopen` is False: a rating request after the
        close); an operator's reply also marks it read. Idempotent on `client_id` like
        visitor messages."""
        if actor.kind == "visitor":
            raise Invalid("visitors post with send_visitor_message")
        now = utcnow()
        async with self.events.transaction(self.db) as unit:
            conversation = await _conversation_or_raise(unit.conn, conversation_id)
            stored = await queries.message_by_client_id(unit.conn, conversation_id, client_id)
            if stored:
                return stored
            reopened = conversation.status == "closed" and not internal and reopen
            if reopened:
                await self._reopen(unit.conn, conversation)
            message = await self._insert_message(
                unit.conn, conversation, client_id, body, actor, now, internal, parts
            )
            if message is None:
                return await self._stored(unit.conn, conversation_id, client_id)
            if actor.kind == "operator":
                await self._mark_read(unit.conn, conversation_id, now)
            summary = await _summary_or_raise(unit.conn, conversation_id)
            if reopened:
                await unit.record(ConversationReopened(summary, actor))
            await unit.record(MessageCreated(message, summary, actor))
        return message

    async def _insert_message(
        self,
        conn: AsyncConnection,
        conversation: Conversation,
        client_id: str,
        body: str,
        actor: Actor,
        now: datetime,
        internal: bool = False,
        parts: MessageParts | None = None,
    ) -> Message | None:
        """Insert unless `client_id` is taken (None then); the conversation becomes active
        (and counts one more unread, for a visitor's message). The message is built, not
        read back: one statement less on the busiest path."""
        values = {
            "conversation_id": conversation.id,
            "client_id": client_id,
            "author": actor.kind,
            "author_name": actor.name if actor.kind in ("bot", "system") else None,
            "operator_id": actor.id if actor.kind == "operator" else None,
            "body": body,
            "internal": internal,
            "created_at": now,
            "parts": parts or None,
        }
        message_id = await insert_ignore(conn, messages, values, ["conversation_id", "client_id"])
        if message_id is None:
            return None
        if actor.kind == "visitor":  # the busiest path: one prebuilt statement
            await queries.visitor_message_activity(conn, conversation.id, now)
        else:
            update = conversations.update().where(conversations.c.id == conversation.id)
            await conn.execute(update.values(last_activity_at=now))
        avatar = None
        if actor.kind == "operator":  # their replies show it: read now, not on every view
            avatar = await conn.scalar(
                sa.select(operators.c.avatar_digest).where(operators.c.id == actor.id)
            )
        return Message(
            message_id,
            conversation.id,
            client_id,
            actor.kind,
            actor.name,
            body,
            internal,
            now,
            parts or None,
            avatar,
        )

    async def _stored(self, conn: AsyncConnection, conversation_id: int, client_id: str) -> Message:
        stored = await queries.message_by_client_id(conn, conversation_id, client_id)
        assert stored is not None  # the insert was skipped because this row exists
        return stored

    # -- typing -------------------------------------------------------------------------

    async def visitor_typing(self, visitor_id: int, draft: str) -> None:
        """Share a visitor's draft with watching operators, if the site allows it.

        The first non-empty draft opens a conversation, so the preview works before the
        first message is sent.
        """
        async with self.events.transaction(self.db) as unit:
            visitor = await _visitor_or_raise(unit.conn, visitor_id)
            site = await site_queries.site(unit.conn, visitor.site_id)
            if site is None or not site.typing_preview:
                return
            conversation = await queries.open_conversation(unit.conn, visitor_id)
            if conversation is None and draft.strip():
                conversation, opening = await self._open_for_visitor(
                    unit.conn, visitor_id, utcnow()
                )
                if opening is not None:
                    summary = await _summary_or_raise(unit.conn, conversation.id)
                    await unit.record(opening(summary, Actor.visitor(visitor_id, visitor.name)))
        if conversation is None:
            return
        await self.drafts.set(conversation.id, draft)
        await self.events.publish(VisitorTyping(conversation.id, draft))

    async def _site_updated(self, event: SiteUpdated) -> None:
        """Typing preview turned off: forget the site's drafts, clear operators' screens."""
        drafted = await self.drafts.conversation_ids()
        if event.site.typing_preview or not drafted:
            return
        query = sa.select(conversations.c.id).where(
            conversations.c.site_id == event.site.id, conversations.c.id.in_(drafted)
        )
        async with self.db.connect() as conn:
            hushed = list(await conn.scalars(query))
        for conversation_id in hushed:
            await self.drafts.forget(conversation_id)
            await self.events.publish(VisitorTyping(conversation_id, ""))

    async def operator_typing(self, conversation_id: int, actor: Actor, typing: bool) -> None:
        async with self.db.connect() as conn:
            conversation = await _conversation_or_raise(conn, conversation_id)
        event = OperatorTyping(conversation.id, conversation.visitor_id, actor.name, typing)
        await self.events.publish(event)

    # -- the operators' side ------------------------------------------------------------

    async def inbox(self, status: str = "open") -> list[ConversationSummary]:
        """Newest activity first."""
        async with self.db.connect() as conn:
            return await queries.conversation_summaries(conn, status)

    async def summary(self, conversation_id: int) -> ConversationSummary:
        async with self.db.connect() as conn:
            return await _summary_or_raise(conn, conversation_id)

    async def messages(self, conversation_id: int, *, include_internal: bool) -> list[Message]:
        async with self.db.connect() as conn:
            return await queries.latest_messages(
                conn, conversation_id, include_internal=include_internal
            )

    async def watch(
        self, conversation_id: int, actor: Actor, online: Collection[int]
    ) -> ConversationDetail:
        """What an operator sees on opening a conversation (with the visitor's other
        conversations); also marks it read."""
        summary = await self.mark_read(conversation_id, actor)
        visitor_id = summary.conversation.visitor_id
        async with self.db.connect() as conn:
            everything = await queries.visitor_conversations(conn, visitor_id)
        visitor: VisitorSummary = await self.visitors.summary(visitor_id, online)
        return ConversationDetail(
            summary=summary,
            messages=await self.messages(conversation_id, include_internal=True),
            visitor=visitor,
            draft=await self.drafts.get(conversation_id),
            history=[s for s in everything if s.conversation.id != conversation_id],
        )

    async def mark_read(self, conversation_id: int, actor: Actor) -> ConversationSummary:
        """Operators have seen the conversation up to now (every operator's list agrees)."""
        async with self.events.transaction(self.db) as unit:
            await _conversation_or_raise(unit.conn, conversation_id)
            await self._mark_read(unit.conn, conversation_id, utcnow())
            return await self._record(unit, ConversationRead, conversation_id, actor)

    async def _mark_read(self, conn: AsyncConnection, conversation_id: int, now: datetime) -> None:
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation_id)
            .values(operator_read_at=now, operator_unread=0)
        )

    async def assign(
        self, conversation_id: int, operator_id: int | None, actor: Actor
    ) -> ConversationSummary:
        async with self.events.transaction(self.db) as unit:
            await _conversation_or_raise(unit.conn, conversation_id)
            if operator_id is not None and not await _operator_exists(unit.conn, operator_id):
                raise NotFound(f"no operator {operator_id}")
            await unit.conn.execute(
                conversations.update()
                .where(conversations.c.id == conversation_id)
                .values(assignee_id=operator_id)
            )
            return await self._record(unit, ConversationAssigned, conversation_id, actor)

    async def close(self, conversation_id: int, actor: Actor) -> ConversationSummary:
        async with self.events.transaction(self.db) as unit:
            conversation = await _conversation_or_raise(unit.conn, conversation_id)
            if conversation.status == "closed":
                return await _summary_or_raise(unit.conn, conversation_id)
            await unit.conn.execute(
                conversations.update()
                .where(conversations.c.id == conversation_id)
                .values(status="closed", closed_at=utcnow())
            )
            return await self._record(unit, ConversationClosed, conversation_id, actor)

    async def reopen(self, conversation_id: int, actor: Actor) -> ConversationSummary:
        async with self.events.transaction(self.db) as unit:
            conversation = await _conversation_or_raise(unit.conn, conversation_id)
            if conversation.status == "open":
                return await _summary_or_raise(unit.conn, conversation_id)
            await self._reopen(unit.conn, conversation)
            return await self._record(unit, ConversationReopened, conversation_id, actor)

    async def _reopen(self, conn: AsyncConnection, conversation: Conversation) -> None:
        """Open a closed conversation again, unless the visitor has another one open."""
        current = await queries.open_conversation(conn, conversation.visitor_id)
        if current is not None and current.id != conversation.id:
            raise Invalid("the visitor has a newer open conversation: reply there instead")
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation.id)
            .values(status="open", closed_at=None)
        )

    async def start(self, visitor_id: int, actor: Actor) -> ConversationSummary:
        """An operator reaches out to a visitor: their open conversation (opened, or the
        last reopened within the window, if they have none), taken if nobody has it."""
        async with self.events.transaction(self.db) as unit:
            conversation, opening = await self._open_for_visitor(unit.conn, visitor_id, utcnow())
            taken = conversation.assignee_id is None and actor.kind == "operator"
            if taken:
                await unit.conn.execute(
                    conversations.update()
                    .where(conversations.c.id == conversation.id)
                    .values(assignee_id=actor.id)
                )
            summary = await _summary_or_raise(unit.conn, conversation.id)
            if opening is not None:
                await unit.record(opening(summary, actor))
            if taken:
                await unit.record(ConversationAssigned(summary, actor))
        return summary

    async def _record(
        self, unit: Unit, event_type: type[ConversationEvent], conversation_id: int, actor: Actor
    ) -> ConversationSummary:
        summary = await _summary_or_raise(unit.conn, conversation_id)
        await unit.record(event_type(summary, actor))
        return summary


async def _conversation_or_raise(conn: AsyncConnection, conversation_id: int) -> Conversation:
    conversation = await queries.conversation(conn, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id}")
    return conversation


async def _summary_or_raise(conn: AsyncConnection, conversation_id: int) -> ConversationSummary:
    summary = await queries.conversation_summary(conn, conversation_id)
    if summary is None:
        raise NotFound(f"no conversation {conversation_id}")
    return summary


async def _visitor_or_raise(conn: AsyncConnection, visitor_id: int) -> Visitor:
    visitor = await visitor_queries.visitor(conn, visitor_id)
    if visitor is None:
        raise NotFound(f"no visitor {visitor_id}")
    return visitor


async def _operator_exists(conn: AsyncConnection, operator_id: int) -> bool:
    query = sa.select(operators.c.id).where(operators.c.id == operator_id)
    query = query.where(operators.c.deactivated_at.is_(None))  # no new work for them
    return await conn.scalar(query) is not None
