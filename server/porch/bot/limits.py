"""Cost guards around the model: a conversation gets at most `PER_CONVERSATION` answers
(a visitor cannot keep the bot talking forever), and a site at most its `daily_limit`
answers a day (UTC). Past either, the bot hands off instead of calling the model. The
visitor's own pace is bounded earlier, by the message rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.bot.settings import BotSettings
from porch.bot.tables import bot_answers
from porch.conversations.tables import conversations

PER_CONVERSATION = 20


async def reached(
    conn: AsyncConnection, config: BotSettings, conversation_id: int, now: datetime
) -> str | None:
    """Why the bot must not answer again now (the handoff reason), or None."""
    in_conversation = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(bot_answers)
        .where(bot_answers.c.conversation_id == conversation_id)
    )
    if (in_conversation or 0) >= PER_CONVERSATION:
        return f"The bot answered {PER_CONVERSATION} times in this conversation (its limit)."
    if config.daily_limit and await _today(conn, config.site_id, now) >= config.daily_limit:
        return f"The bot reached its daily limit of answers ({config.daily_limit})."
    return None


async def _today(conn: AsyncConnection, site_id: int, now: datetime) -> int:
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    count = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(bot_answers)
        .join(conversations, conversations.c.id == bot_answers.c.conversation_id)
        .where(conversations.c.site_id == site_id, bot_answers.c.created_at >= midnight)
    )
    return int(count or 0)
