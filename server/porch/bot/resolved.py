"""Counting what the bot resolved alone: a conversation closed (by anyone, or by the
inactivity timer) in which the bot answered, never handed off, and no person joined
becomes a `bot_resolved` reporting fact, next to the `bot_handoff` facts the analytics
recorder writes from `BotHandedOff`; the Analytics page's bot resolution rate is their
ratio."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.bot import state
from porch.bot.tables import bot_answers
from porch.conversations.events import ConversationClosed
from porch.services import Services

RESOLVED_JOB = "bot.resolved"


async def resolved_by_bot(conn: AsyncConnection, event: Any) -> bool:
    assert isinstance(event, ConversationClosed)
    conversation_id = event.conversation.conversation.id
    current = await state.load(conn, conversation_id)
    if current.state != state.ANSWERING or await state.human_joined(conn, conversation_id):
        return False
    answered = await conn.scalar(
        sa.select(bot_answers.c.id).where(bot_answers.c.conversation_id == conversation_id)
    )
    return answered is not None


async def record(services: Services, payload: dict[str, Any]) -> None:
    from porch.analytics.recorder import Fact, store

    conversation = payload["data"]["conversation"]["conversation"]
    at = datetime.fromisoformat(conversation["closed_at"] or conversation["last_activity_at"])
    key = f"bot_resolved:{conversation['id']}:{at.isoformat()}"
    fact = Fact(key, conversation["site_id"], "bot_resolved", at, conversation["id"])
    async with services.db.begin() as conn:
        await store(conn, fact)


def install(services: Services) -> None:
    async def job(payload: dict[str, Any]) -> None:
        await record(services, payload)

    services.jobs.register(RESOLVED_JOB, job)
    services.events.enqueue_on(ConversationClosed, RESOLVED_JOB, only_if=resolved_by_bot)
