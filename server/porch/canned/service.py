"""Canned replies: shared per site or personal, found by `/shortcut` in the reply box and
filled for the conversation they go into (docs/inbox.md, "Canned replies")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from porch.canned.models import MAX_BODY, MAX_TITLE, SHORTCUT, CannedReply, fill
from porch.canned.tables import canned_replies
from porch.clock import Clock
from porch.conversations.tables import conversations
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.operators.tables import operators
from porch.sites.tables import sites
from porch.visitors.tables import visitors


def _reply(row: sa.Row[Any]) -> CannedReply:
    return CannedReply(**{c.name: getattr(row, c.name) for c in canned_replies.c})


def _mine_or_shared(operator_id: int | None) -> sa.ColumnElement[bool]:
    shared = canned_replies.c.operator_id.is_(None)
    return shared if operator_id is None else shared | (canned_replies.c.operator_id == operator_id)


def _check(shortcut: str, title: str, body: str) -> None:
    if not SHORTCUT.match(shortcut):
        raise Invalid("a shortcut is 1 to 32 lowercase letters, digits, - or _")
    if not 0 < len(title.strip()) <= MAX_TITLE:
        raise Invalid(f"a title is 1 to {MAX_TITLE} characters")
    if not 0 < len(body.strip()) <= MAX_BODY:
        raise Invalid(f"a reply is 1 to {MAX_BODY} characters")


class CannedReplies:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def replies(self, site_id: int, operator_id: int | None = None) -> list[CannedReply]:
        """The site's shared replies and, given an operator, their own; by shortcut."""
        query = (
            sa.select(canned_replies)
            .where(canned_replies.c.site_id == site_id, _mine_or_shared(operator_id))
            .order_by(canned_replies.c.shortcut, canned_replies.c.operator_id)
        )
        async with self.db.connect() as conn:
            return [_reply(r) for r in await conn.execute(query)]

    async def add(
        self, site_id: int, shortcut: str, title: str, body: str, operator_id: int | None = None
    ) -> CannedReply:
        """A shared reply (`operator_id` None) or an operator's own. A shortcut is unique
        among what one operator sees: their own and the shared ones."""
        shortcut = shortcut.strip().lstrip("/").lower()
        _check(shortcut, title, body)
        now = self.clock.now()
        values = {
            "site_id": site_id,
            "operator_id": operator_id,
            "shortcut": shortcut,
            "title": title.strip(),
            "body": body.strip(),
            "created_at": now,
            "updated_at": now,
        }
        async with self.db.begin() as conn:
            if await conn.scalar(sa.select(sites.c.id).where(sites.c.id == site_id)) is None:
                raise NotFound("no such site")
            if await self._taken(conn, site_id, shortcut, operator_id):
                raise Invalid(f"/{shortcut} is already a canned reply here")
            new_id = await conn.scalar(
                canned_replies.insert().values(values).returning(canned_replies.c.id)
            )
        return CannedReply(id=int(new_id or 0), **values)  # type: ignore[arg-type]

    async def _taken(self, conn: Any, site_id: int, shortcut: str, operator_id: int | None) -> bool:
        query = sa.select(canned_replies.c.id).where(
            canned_replies.c.site_id == site_id,
            canned_replies.c.shortcut == shortcut,
            # A shared one clashes with anyone's; a personal one with the shared and theirs.
            sa.true() if operator_id is None else _mine_or_shared(operator_id),
        )
        return (await conn.scalar(query.limit(1))) is not None

    async def remove(self, reply_id: int, operator_id: int | None = None) -> None:
        """Remove a reply; given an operator, only a shared one or their own."""
        query = canned_replies.delete().where(
            canned_replies.c.id == reply_id, _mine_or_shared(operator_id)
        )
        async with self.db.begin() as conn:
            if (await conn.execute(query)).rowcount == 0:
                raise NotFound("no such canned reply")

    async def remove_shortcut(self, site_id: int, shortcut: str) -> None:
        """Remove the site's shared `/shortcut` (the CLI's way)."""
        query = canned_replies.delete().where(
            canned_replies.c.site_id == site_id,
            canned_replies.c.shortcut == shortcut.lstrip("/"),
            canned_replies.c.operator_id.is_(None),
        )
        async with self.db.begin() as conn:
            if (await conn.execute(query)).rowcount == 0:
                raise NotFound(f"no shared canned reply /{shortcut.lstrip('/')}")

    async def for_conversation(
        self, conversation_id: int, operator_id: int
    ) -> list[tuple[CannedReply, str]]:
        """What the operator may insert in this conversation, each with its text filled for
        this contact, operator and site."""
        query = (
            sa.select(
                conversations.c.site_id,
                visitors.c.name.label("contact_name"),
                visitors.c.email.label("contact_email"),
                sites.c.name.label("site_name"),
            )
            .select_from(
                conversations.join(visitors).join(sites, sites.c.id == conversations.c.site_id)
            )
            .where(conversations.c.id == conversation_id)
        )
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
            me = await conn.scalar(sa.select(operators.c.name).where(operators.c.id == operator_id))
        if row is None:
            raise NotFound("no such conversation")
        values = {
            "contact.name": row.contact_name,
            "contact.email": row.contact_email,
            "operator.name": me,
            "site.name": row.site_name,
        }
        return [(r, fill(r.body, values)) for r in await self.replies(row.site_id, operator_id)]

    async def get(self, site_id: int, reply_id: int) -> CannedReply:
        """One of the site's replies (shared or an operator's own)."""
        query = sa.select(canned_replies).where(
            canned_replies.c.id == reply_id, canned_replies.c.site_id == site_id
        )
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound("no such canned reply")
        return _reply(row)

    async def update(
        self,
        site_id: int,
        reply_id: int,
        *,
        shortcut: str | None = None,
        title: str | None = None,
        body: str | None = None,
    ) -> CannedReply:
        """Change what is given; the shortcut stays unique among what its owner sees."""
        before = await self.get(site_id, reply_id)
        new_shortcut = before.shortcut if shortcut is None else shortcut.strip().lstrip("/").lower()
        new_title = before.title if title is None else title.strip()
        new_body = before.body if body is None else body.strip()
        _check(new_shortcut, new_title, new_body)
        values = {
            "shortcut": new_shortcut,
            "title": new_title,
            "body": new_body,
            "updated_at": self.clock.now(),
        }
        async with self.db.begin() as conn:
            if new_shortcut != before.shortcut and await self._taken(
                conn, site_id, new_shortcut, before.operator_id
            ):
                raise Invalid(f"/{new_shortcut} is already a canned reply here")
            update = canned_replies.update().where(canned_replies.c.id == reply_id)
            await conn.execute(update.values(values))
        return await self.get(site_id, reply_id)
