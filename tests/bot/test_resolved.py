"""What the bot resolved alone is counted: a closed conversation the bot answered, with no
handoff and no person, is a `bot_resolved` fact; one it handed off is not."""

from __future__ import annotations

import sqlalchemy as sa

from porch.actors import Actor
from porch.analytics.tables import reporting_events
from tests.bot.conftest import Shop


async def _kinds(shop: Shop, conversation_id: int) -> list[str]:
    query = sa.select(reporting_events.c.kind).where(
        reporting_events.c.conversation_id == conversation_id
    )
    async with shop.services.db.connect() as conn:
        return sorted(await conn.scalars(query))


async def test_a_conversation_the_bot_answered_alone_counts_as_resolved_once(shop: Shop) -> None:
    asked = await shop.ask("How long does shipping take?")
    assert len(await shop.bot_says(asked.conversation_id)) == 1
    await shop.services.conversations.close(asked.conversation_id, Actor.system())
    await shop.services.jobs.run_due()
    assert await _kinds(shop, asked.conversation_id) == ["bot_resolved"]
    await shop.services.conversations.close(asked.conversation_id, Actor.system())
    await shop.services.jobs.run_due()
    assert await _kinds(shop, asked.conversation_id) == ["bot_resolved"]


async def test_a_handed_off_conversation_is_not_resolved_by_the_bot(shop: Shop) -> None:
    await shop.operator_online()
    asked = await shop.ask("How long does shipping take?")
    await shop.ask("Can I talk to a human please?")
    await shop.services.conversations.close(asked.conversation_id, Actor.system())
    await shop.services.jobs.run_due()
    assert "bot_resolved" not in await _kinds(shop, asked.conversation_id)
