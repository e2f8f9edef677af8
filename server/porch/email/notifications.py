"""Mail to a chat visitor who has left: an operator's replies in a chat (not held by
mail) whose visitor gave an email are gathered for `DELAY` into one mail with the
conversation's recent messages and a link back; replying to it continues the chat."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from porch.conversations import queries as conversation_queries
from porch.conversations.tables import conversations
from porch.email.render import bodies
from porch.email.tables import email_messages
from porch.jobs.queue import enqueue
from porch.visitors.tables import visitors

if TYPE_CHECKING:
    from porch.email.service import EmailService

NOTIFY = "email.notify"
DELAY = timedelta(minutes=2)
"""An operator's replies to a visitor who left are gathered this long into one mail."""


async def schedule(email: EmailService, visitor_id: int, conversation_id: int) -> None:
    """If the visitor has left and gave an email, a notification job after `DELAY` (one
    pending per conversation: replies meanwhile join it)."""
    if await email.services.presence.visitor_online(visitor_id):
        return
    async with email.db.begin() as conn:
        address = await conn.scalar(sa.select(visitors.c.email).where(visitors.c.id == visitor_id))
        if not address:
            return
        run_at = email.clock.now() + DELAY
        key = f"{NOTIFY}:{conversation_id}"
        await enqueue(conn, NOTIFY, {"conversation_id": conversation_id}, run_at=run_at, key=key)
    email.events.jobs_committed()


async def notify(email: EmailService, payload: dict[str, Any]) -> None:
    """An `email.notify` job: the replies the visitor has not seen since the last
    notification, if they are still away."""
    conversation_id = int(payload["conversation_id"])
    async with email.db.connect() as conn:
        conversation = await conversation_queries.conversation(conn, conversation_id)
        if conversation is None:
            return
        address = await conn.scalar(
            sa.select(visitors.c.email).where(visitors.c.id == conversation.visitor_id)
        )
        latest = await conversation_queries.latest_messages(
            conn, conversation_id, include_internal=False
        )
        notified = await conn.scalar(
            sa.select(sa.func.max(email_messages.c.chat_message_id)).where(
                email_messages.c.conversation_id == conversation_id,
                email_messages.c.direction == "out",
            )
        )
        seen: datetime | None = await conn.scalar(
            sa.select(conversations.c.visitor_read_at).where(conversations.c.id == conversation_id)
        )
    site = await email.services.sites.get(conversation.site_id)
    if not address or site is None or not site.settings.get("support_email"):
        return
    if await email.services.presence.visitor_online(conversation.visitor_id):
        return
    unseen = [
        m for m in latest
        if m.author in ("operator", "bot") and m.id > (notified or 0)
        and (seen is None or m.created_at > seen)
    ]  # fmt: skip
    if not unseen:
        return
    text, html = bodies("notify", {
        "name": "", "site_name": site.name, "support": site.settings["support_email"],
        "messages": [{"author": m.author_name or m.author, "body": m.body} for m in latest[-10:]],
        "link": site.allowed_origins[0] if site.allowed_origins else "",
    })  # fmt: skip
    async with email.events.transaction(email.db) as unit:
        unit.staged = await email.queue(
            unit.conn, site, "notify", str(address), conversation_id,
            f"New reply from {site.name}", text, html, unseen[-1].id,
        )  # fmt: skip
