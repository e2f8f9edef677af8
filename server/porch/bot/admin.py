"""What the panel's Bot page does: settings, knowledge sources, the playground (an answer
without a visitor, with the retrieved passages, their scores and the citations), recent
answers with ratings, turning a good answer into a Q&A pair, and recent handoffs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from porch.bot import client as model
from porch.bot import prompt, settings
from porch.bot.knowledge import sources as knowledge
from porch.bot.knowledge.models import Source
from porch.bot.knowledge.store import KnowledgeBase
from porch.bot.retrieval import retrieve
from porch.bot.service import BotService
from porch.bot.settings import BotSettings, BotSettingsUpdate
from porch.bot.tables import bot_answers, bot_conversations
from porch.conversations.tables import conversations
from porch.db.bot_fulltext import Hit
from porch.errors import Invalid, NotFound

RATINGS = ("good", "wrong")
RECENT = 30


@dataclass(frozen=True)
class Trial:
    """A playground answer."""

    question: str
    passages: list[Hit]
    answer: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    tool: str = ""
    error: str = ""


@dataclass(frozen=True)
class Answer:
    id: int
    conversation_id: int
    question: str
    answer: str
    sources: list[dict[str, str]]
    passages: list[dict[str, Any]]
    rating: str | None
    created_at: datetime


@dataclass(frozen=True)
class Handoff:
    conversation_id: int
    state: str
    reason: str
    at: datetime


class BotAdmin:
    def __init__(self, bot: BotService) -> None:
        self.bot = bot
        self.services = bot.services
        self.kb = KnowledgeBase(bot.services.db, bot.services.clock)

    async def settings(self, site_id: int) -> BotSettings:
        async with self.services.db.connect() as conn:
            return await settings.load(conn, site_id)

    async def save(self, site_id: int, update: BotSettingsUpdate) -> BotSettings:
        async with self.services.db.begin() as conn:
            return await settings.save(conn, site_id, update, self.bot.box)

    async def sources(self, site_id: int) -> list[Source]:
        return await self.kb.sources(site_id)

    async def add_url(self, site_id: int, url: str) -> list[Source]:
        return await knowledge.add_page(self.services, site_id, url)

    async def import_shopify(self, site_id: int) -> list[Source]:
        from porch.bot.knowledge.shopify import import_store
        from porch.integrations.shopify.admin import ShopifyError
        from porch.integrations.shopify.service import ShopifyApp

        s = self.services
        site = await s.sites.get(site_id)
        if site is None:
            raise NotFound(f"no site {site_id}")
        try:
            return await import_store(
                self.kb, ShopifyApp(s.config, s.db, s.events, s.sites, s.locks), site
            )
        except ShopifyError as error:
            raise Invalid(f"Shopify import failed: {error}") from error

    async def refresh(self, site_id: int, source_id: int) -> Source:
        return await knowledge.refresh(self.services, site_id, source_id)

    async def playground(self, site_id: int, question: str) -> Trial:
        question = question.strip()[:2000]
        passages = await retrieve(self.services.db, site_id, question)
        config = await self.settings(site_id)

        async def quiet(_text: str) -> None:
            return None

        async def no_tools(_name: str, _input: dict[str, Any]) -> str | None:
            return None

        try:
            reply = await model.answer(
                self.bot.client_for(config.api_key_sealed),
                model=config.model,
                system=prompt.system(config.name, config.instructions),
                tools=prompt.tools(False),
                messages=prompt.messages([], question, passages),
                passages=passages,
                on_text=quiet,
                run_tool=no_tools,
            )
        except model.ModelFailed as failure:
            return Trial(question, passages, error=failure.reason)
        tool = reply.tool.name if reply.tool else ""
        return Trial(question, passages, reply.text, reply.sources, tool)

    async def answers(self, site_id: int) -> list[Answer]:
        query = (
            sa.select(bot_answers)
            .join(conversations, conversations.c.id == bot_answers.c.conversation_id)
            .where(conversations.c.site_id == site_id)
            .order_by(bot_answers.c.id.desc())
            .limit(RECENT)
        )
        async with self.services.db.connect() as conn:
            rows = await conn.execute(query)
        return [
            Answer(r.id, r.conversation_id, r.question, r.answer, r.sources, r.passages,
                   r.rating, r.created_at)
            for r in rows
        ]  # fmt: skip

    async def answers_of(self, conversation_id: int) -> list[Answer]:
        query = bot_answers.select().where(bot_answers.c.conversation_id == conversation_id)
        async with self.services.db.connect() as conn:
            rows = await conn.execute(query.order_by(bot_answers.c.id))
        return [
            Answer(r.id, r.conversation_id, r.question, r.answer, r.sources, r.passages,
                   r.rating, r.created_at)
            for r in rows
        ]  # fmt: skip

    async def rate(self, answer_id: int, rating: str) -> None:
        if rating not in RATINGS:
            raise Invalid("an answer is rated good or wrong")
        async with self.services.db.begin() as conn:
            update = bot_answers.update().where(bot_answers.c.id == answer_id)
            if (await conn.execute(update.values(rating=rating))).rowcount == 0:
                raise NotFound(f"no bot answer {answer_id}")

    async def to_qa(self, site_id: int, answer_id: int) -> Source:
        """A good answer becomes a Q&A pair of the knowledge base."""
        query = (
            sa.select(bot_answers)
            .join(conversations, conversations.c.id == bot_answers.c.conversation_id)
            .where(bot_answers.c.id == answer_id, conversations.c.site_id == site_id)
        )
        async with self.services.db.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no bot answer {answer_id}")
        if row.rating != "good":
            raise Invalid("only an answer rated good becomes a Q&A pair")
        return await self.kb.add_qa(site_id, row.question, row.answer)

    async def handoffs(self, site_id: int) -> list[Handoff]:
        query = (
            sa.select(bot_conversations)
            .join(conversations, conversations.c.id == bot_conversations.c.conversation_id)
            .where(
                conversations.c.site_id == site_id,
                bot_conversations.c.handoff_reason.is_not(None),
            )
            .order_by(bot_conversations.c.updated_at.desc())
            .limit(RECENT)
        )
        async with self.services.db.connect() as conn:
            rows = await conn.execute(query)
        return [
            Handoff(r.conversation_id, r.state, r.handoff_reason or "", r.updated_at) for r in rows
        ]
