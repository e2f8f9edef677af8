"""The bot's state in each conversation it handles: answering, handed off to people,
waiting for an email (nobody online), or done with a ticket; and its answers in a row
without a source."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.bot.tables import bot_conversations
from porch.conversations.tables import conversations, messages
from porch.db.metadata import utcnow

ANSWERING = "answering"
HANDED_OFF = "handed_off"
AWAITING_EMAIL = "awaiting_email"
TICKETED = "ticketed"


@dataclass(frozen=True)
class BotState:
    conversation_id: int
    state: str = ANSWERING
    misses: int = 0
    handoff_reason: str | None = None


async def load(conn: AsyncConnection, conversation_id: int) -> BotState:
    query = bot_conversations.select().where(bot_conversations.c.conversation_id == conversation_id)
    row = (await conn.execute(query)).first()
    if row is None:
        return BotState(conversation_id)
    return BotState(conversation_id, row.state, row.misses, row.handoff_reason)


async def save(conn: AsyncConnection, state: BotState) -> None:
    values = {
        "state": state.state,
        "misses": state.misses,
        "handoff_reason": state.handoff_reason,
        "updated_at": utcnow(),
    }
    table = bot_conversations
    where = table.c.conversation_id == state.conversation_id
    if await conn.scalar(sa.select(table.c.conversation_id).where(where)) is None:
        await conn.execute(table.insert().values(conversation_id=state.conversation_id, **values))
    else:
        await conn.execute(table.update().where(where).values(values))


async def human_joined(conn: AsyncConnection, conversation_id: int) -> bool:
    """An operator has the conversation or wrote in it: the bot keeps quiet."""
    assignee = await conn.scalar(
        sa.select(conversations.c.assignee_id).where(conversations.c.id == conversation_id)
    )
    if assignee is not None:
        return True
    wrote = await conn.scalar(
        sa.select(messages.c.id)
        .where(messages.c.conversation_id == conversation_id, messages.c.author == "operator")
        .limit(1)
    )
    return wrote is not None
