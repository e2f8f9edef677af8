"""Inbox tools: tags on conversations and snoozes (docs/inbox.md).

A snooze is a row while the conversation sleeps and a job at its `until` that wakes it;
a visitor message wakes it earlier (a job written with the message, see `__init__`). The
wake job carries the `until` it was made for, so a conversation snoozed again (a new
`until`) is not woken by the old job."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.actors import Actor
from porch.clock import Clock
from porch.conversations import queries as conversation_queries
from porch.conversations.models import ConversationSummary
from porch.conversations.tables import conversations
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.events import EventBus
from porch.inbox import presets
from porch.inbox.events import ConversationSnoozed, ConversationTagsChanged, ConversationWoke
from porch.inbox.tables import conversation_snoozes, conversation_tags
from porch.jobs.queue import enqueue
from porch.sites.tables import sites

WAKE = "inbox.snooze_wake"
WAKE_ON_MESSAGE = "inbox.snooze_message"
TAG = re.compile(r"^[\w][\w \-]{0,39}$")
MAX_TAGS = 20

SNOOZED = sa.exists().where(conversation_snoozes.c.conversation_id == conversations.c.id)


def normal_tag(tag: str) -> str:
    tag = " ".join(tag.split()).casefold()
    if not TAG.match(tag):
        raise Invalid("a tag is 1 to 40 letters, digits, spaces, - or _")
    return tag


class InboxTools:
    def __init__(self, db: Database, events: EventBus, clock: Clock) -> None:
        self.db = db
        self.events = events
        self.clock = clock

    # -- the list ------------------------------------------------------------------

    async def inbox(
        self, status: str = "open", tag: str | None = None
    ) -> list[ConversationSummary]:
        """`open` leaves snoozed conversations out; `snoozed` is only those (open ones)."""
        where: list[sa.ColumnElement[bool]] = [
            conversations.c.status == ("open" if status == "snoozed" else status)
        ]
        if status == "open":
            where.append(~SNOOZED)
        elif status == "snoozed":
            where.append(SNOOZED)
        if tag:
            where.append(
                conversations.c.id.in_(
                    sa.select(conversation_tags.c.conversation_id).where(
                        conversation_tags.c.tag == normal_tag(tag)
                    )
                )
            )
        async with self.db.connect() as conn:
            return await conversation_queries.summaries_where(conn, *where)

    async def marks(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Tags and snooze time of each conversation, for the wire."""
        found: dict[int, dict[str, Any]] = {i: {"tags": [], "snoozed_until": None} for i in ids}
        async with self.db.connect() as conn:
            tags = await conn.execute(
                sa.select(conversation_tags)
                .where(conversation_tags.c.conversation_id.in_(ids))
                .order_by(conversation_tags.c.tag)
            )
            for row in tags:
                found[row.conversation_id]["tags"].append(row.tag)
            snoozes = await conn.execute(
                sa.select(conversation_snoozes).where(
                    conversation_snoozes.c.conversation_id.in_(ids)
                )
            )
            for row in snoozes:
                found[row.conversation_id]["snoozed_until"] = row.until
        return found

    async def all_tags(self) -> list[str]:
        query = sa.select(conversation_tags.c.tag).distinct().order_by(conversation_tags.c.tag)
        async with self.db.connect() as conn:
            return list((await conn.scalars(query.limit(200))).all())

    # -- tags ----------------------------------------------------------------------

    async def tags(self, conversation_id: int) -> list[str]:
        return (await self.marks([conversation_id]))[conversation_id]["tags"]  # type: ignore[no-any-return]

    async def add_tag(self, conversation_id: int, tag: str, actor: Actor) -> list[str]:
        tag = normal_tag(tag)
        async with self.events.transaction(self.db) as unit:
            await _existing(unit.conn, conversation_id)
            present = await _tags(unit.conn, conversation_id)
            if tag not in present:
                if len(present) >= MAX_TAGS:
                    raise Invalid(f"a conversation has at most {MAX_TAGS} tags")
                await unit.conn.execute(
                    conversation_tags.insert().values(conversation_id=conversation_id, tag=tag)
                )
                present = sorted([*present, tag])
                await unit.record(ConversationTagsChanged(conversation_id, tuple(present), actor))
        return present

    async def remove_tag(self, conversation_id: int, tag: str, actor: Actor) -> list[str]:
        tag = normal_tag(tag)
        async with self.events.transaction(self.db) as unit:
            await _existing(unit.conn, conversation_id)
            gone = await unit.conn.execute(
                conversation_tags.delete().where(
                    conversation_tags.c.conversation_id == conversation_id,
                    conversation_tags.c.tag == tag,
                )
            )
            present = await _tags(unit.conn, conversation_id)
            if gone.rowcount:
                await unit.record(ConversationTagsChanged(conversation_id, tuple(present), actor))
        return present

    # -- snooze --------------------------------------------------------------------

    async def preset(self, conversation_id: int, preset: presets.Preset) -> datetime:
        """When `preset` ends for this conversation's site."""
        query = (
            sa.select(sites.c.settings)
            .select_from(conversations.join(sites, sites.c.id == conversations.c.site_id))
            .where(conversations.c.id == conversation_id)
        )
        async with self.db.connect() as conn:
            settings = await conn.scalar(query)
        if settings is None:
            raise NotFound("no such conversation")
        return presets.until(preset, self.clock.now(), settings)

    async def snooze(self, conversation_id: int, until: datetime, actor: Actor) -> datetime:
        if until.tzinfo is None:
            raise Invalid("a snooze time needs its time zone")
        if until <= self.clock.now():
            raise Invalid("a snooze ends in the future")
        async with self.events.transaction(self.db) as unit:
            conversation = await _existing(unit.conn, conversation_id)
            if conversation.status != "open":
                raise Invalid("only open conversations can be snoozed")
            await unit.conn.execute(
                conversation_snoozes.delete().where(
                    conversation_snoozes.c.conversation_id == conversation_id
                )
            )
            await unit.conn.execute(
                conversation_snoozes.insert().values(
                    conversation_id=conversation_id,
                    until=until,
                    operator_id=actor.id if actor.kind == "operator" else None,
                    created_at=self.clock.now(),
                )
            )
            stamp = until.isoformat()
            await enqueue(
                unit.conn,
                WAKE,
                {"conversation_id": conversation_id, "until": stamp},
                run_at=until,
                key=f"snooze:{conversation_id}:{stamp}",
            )
            await unit.record(ConversationSnoozed(conversation_id, until, actor))
        return until

    async def wake(self, conversation_id: int, actor: Actor, until: datetime | None = None) -> bool:
        """Back to the open list; `until` given, only if that snooze still stands (an old
        job for a conversation snoozed again does nothing). Whether it woke."""
        where = [conversation_snoozes.c.conversation_id == conversation_id]
        if until is not None:
            where.append(conversation_snoozes.c.until == until)
        async with self.events.transaction(self.db) as unit:
            gone = await unit.conn.execute(conversation_snoozes.delete().where(*where))
            if gone.rowcount:
                await unit.record(ConversationWoke(conversation_id, actor))
        return bool(gone.rowcount)

    async def wake_due(self, payload: dict[str, Any]) -> None:
        """The WAKE job."""
        until = datetime.fromisoformat(payload["until"])
        await self.wake(int(payload["conversation_id"]), Actor.system("snooze"), until)

    async def wake_on_message(self, payload: dict[str, Any]) -> None:
        """The WAKE_ON_MESSAGE job (a visitor wrote in a snoozed conversation)."""
        data = payload["data"]
        who = data.get("actor") or {}
        actor = Actor.visitor(int(who["id"]), who.get("name", "")) if who.get("id") else None
        await self.wake(int(data["message"]["conversation_id"]), actor or Actor.system("snooze"))


async def _existing(conn: AsyncConnection, conversation_id: int) -> Any:
    found = await conversation_queries.conversation(conn, conversation_id)
    if found is None:
        raise NotFound("no such conversation")
    return found


async def _tags(conn: AsyncConnection, conversation_id: int) -> list[str]:
    query = (
        sa.select(conversation_tags.c.tag)
        .where(conversation_tags.c.conversation_id == conversation_id)
        .order_by(conversation_tags.c.tag)
    )
    return list((await conn.scalars(query)).all())


def snoozed_visitor_message(event: Any) -> bool | ColumnElement[bool]:
    """The filter of WAKE_ON_MESSAGE: a visitor's message in a snoozed conversation (an
    indexed lookup on the message path, read with the other features' filters)."""
    if event.message.author != "visitor":
        return False
    return sa.exists().where(
        conversation_snoozes.c.conversation_id == event.message.conversation_id
    )
