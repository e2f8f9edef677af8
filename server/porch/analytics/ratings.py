"""Satisfaction ratings (CSAT): a visitor rates a closed conversation of theirs once, 1–5
with an optional comment, over the `/visitor` socket (`rating.submit`). The rating is
stored as a reporting event (`kind="rating"`, `value`, `comment`) and published as
`ConversationRated`.

When a conversation closes (site setting `csat_enabled`, on by default; `csat_human_only`
asks only after an operator answered), a job posts "How did we do?" a few seconds later
with the `rating_request` part into the closed conversation without reopening it; the
widget draws it as the rating form. Once rated, a job posts the rating as an internal note with the
`rating` part, so operators see it in the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, ClassVar

import sqlalchemy as sa
from pydantic import Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.analytics.tables import reporting_events
from porch.errors import Invalid, NotFound
from porch.jobs.queue import enqueue
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import VISITORS
from porch.realtime.schemas import Id, Payload
from porch.realtime.visitor import VisitorNamespace
from porch.services import Services
from porch.text import TextOnly

MAX_COMMENT = 1000
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT), TextOnly]


class RatingSubmit(Payload):
    conversation_id: Id
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Comment = ""


@dataclass(frozen=True)
class ConversationRated:
    name: ClassVar[str] = "conversation.rated"
    conversation_id: int
    site_id: int
    visitor_id: int
    score: int
    comment: str


async def rate(services: Services, visitor_id: int, data: RatingSubmit) -> ConversationRated:
    """Store the visitor's rating of their closed conversation; once per conversation."""
    from porch.conversations.tables import conversations

    now = services.clock.now()
    async with services.events.transaction(services.db) as unit:
        row = (
            await unit.conn.execute(
                sa.select(conversations.c.site_id, conversations.c.status).where(
                    conversations.c.id == data.conversation_id,
                    conversations.c.visitor_id == visitor_id,
                )
            )
        ).first()
        if row is None:
            raise NotFound("no such conversation")
        if row.status != "closed":
            raise Invalid("a conversation is rated once it is closed")
        key = f"rating:{data.conversation_id}"
        taken = await unit.conn.scalar(
            sa.select(reporting_events.c.id).where(reporting_events.c.key == key)
        )
        if taken:
            raise Invalid("this conversation is already rated")
        await unit.conn.execute(
            reporting_events.insert().values(
                key=key, site_id=row.site_id, kind="rating", at=now,
                conversation_id=data.conversation_id, value=data.score,
                comment=data.comment or None,
            )
        )  # fmt: skip
        await _mark_answered(unit.conn, data.conversation_id, data.score)
        rated = ConversationRated(
            data.conversation_id, row.site_id, visitor_id, data.score, data.comment
        )
        await unit.record(rated)
    return rated


async def _mark_answered(conn: AsyncConnection, conversation_id: int, score: int) -> None:
    """The question's part says it was answered, so a widget drawn again thanks instead of
    asking twice."""
    from porch.conversations.tables import messages

    where = (messages.c.conversation_id == conversation_id) & (
        messages.c.client_id == f"rating-request:{conversation_id}"
    )
    parts = await conn.scalar(sa.select(messages.c.parts).where(where))
    if isinstance(parts, dict) and isinstance(parts.get("rating_request"), dict):
        answered = {**parts, "rating_request": {**parts["rating_request"], "rated": score}}
        await conn.execute(messages.update().where(where).values(parts=answered))


class RatingEvents(Routed):
    def __init__(self, sockets: VisitorNamespace, services: Services) -> None:
        self.sockets = sockets
        self.services = services

    @handles("rating.submit", RatingSubmit, limit="read")
    async def submit(self, sid: str, data: RatingSubmit) -> Ack:
        visitor_id: int = (await self.sockets.get_session(sid))["visitor_id"]
        await rate(self.services, visitor_id, data)
        return {"ok": True}


def attach(services: Services) -> None:
    sockets = services.sio.namespace_handlers.get(VISITORS)
    if isinstance(sockets, VisitorNamespace):  # absent in service-only test setups
        sockets.extend(RatingEvents(sockets, services))
    _subscribe(services)


# -- asking and showing ----------------------------------------------------------------

REQUEST = "analytics.rating_request"
ASK = "analytics.rating_ask"
ASK_AFTER = timedelta(seconds=5)
"""The question waits a moment after the close: a visitor's quick last word reopens the
chat (within the site's reopen window) without a rating form in the middle."""
NOTE = "analytics.rating_note"
QUESTION = "How did we do?"
SYSTEM = Actor.system("Porch")


def _subscribe(services: Services) -> None:
    from porch.conversations.events import ConversationClosed

    services.events.enqueue_on(ConversationClosed, REQUEST, only_if=_asks)
    services.events.enqueue_on(ConversationRated, NOTE)

    async def later(payload: dict[str, Any]) -> None:
        conversation_id = payload["data"]["conversation"]["conversation"]["id"]
        async with services.db.begin() as conn:
            await enqueue(
                conn, ASK, {"conversation_id": conversation_id},
                run_at=services.clock.now() + ASK_AFTER, key=f"{ASK}:{conversation_id}",
            )  # fmt: skip
        services.jobs.notify()

    async def ask(payload: dict[str, Any]) -> None:
        await request_rating(services, int(payload["conversation_id"]))

    async def note(payload: dict[str, Any]) -> None:
        await show_rating(services, payload["data"])

    services.jobs.register(REQUEST, later)
    services.jobs.register(ASK, ask)
    services.jobs.register(NOTE, note)


async def _asks(conn: AsyncConnection, event: Any) -> bool:
    """The site asks for ratings (`csat_enabled`, default on), and, with
    `csat_human_only`, an operator answered in this conversation."""
    from porch.conversations.tables import messages
    from porch.sites import queries as site_queries

    conversation = event.conversation.conversation
    site = await site_queries.site(conn, conversation.site_id)
    settings = site.settings if site else {}
    if settings.get("csat_enabled", True) is False:
        return False
    if not settings.get("csat_human_only", False):
        return True
    answered = await conn.scalar(
        sa.select(messages.c.id)
        .where(
            messages.c.conversation_id == conversation.id,
            messages.c.author == "operator",
            messages.c.internal.is_(False),
        )
        .limit(1)
    )
    return answered is not None


async def request_rating(services: Services, conversation_id: int) -> None:
    """The job: "How did we do?" in the closed conversation, once (a client id per
    conversation); nothing if it was reopened meanwhile or is already rated."""
    from porch.conversations.tables import conversations

    async with services.db.connect() as conn:
        status = await conn.scalar(
            sa.select(conversations.c.status).where(conversations.c.id == conversation_id)
        )
        rated = await conn.scalar(
            sa.select(reporting_events.c.id).where(
                reporting_events.c.key == f"rating:{conversation_id}"
            )
        )
    if status != "closed" or rated:
        return
    await services.conversations.post_message(
        SYSTEM,
        conversation_id,
        f"rating-request:{conversation_id}",
        QUESTION,
        parts={"rating_request": {"conversation_id": conversation_id, "scale": 5}},
        reopen=False,
    )


async def show_rating(services: Services, rated: dict[str, Any]) -> None:
    """The job: the rating as an internal note in the conversation (never reopens it)."""
    score, comment = int(rated["score"]), str(rated.get("comment") or "")
    text = f"Rated {score}/5" + (f": {comment}" if comment else "")
    await services.conversations.post_message(
        SYSTEM,
        int(rated["conversation_id"]),
        f"rating-note:{rated['conversation_id']}",
        text,
        internal=True,
        parts={"rating": {"score": score, "comment": comment}},
    )
