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
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar

import sqlalchemy as sa
from pydantic import Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.analytics.tables import reporting_events
from porch.errors import Invalid, NotFound
from porch.events import Unit
from porch.jobs.queue import enqueue
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import VISITORS
from porch.realtime.schemas import Id, Payload
from porch.realtime.visitor import VisitorNamespace
from porch.services import Services
from porch.text import TextOnly

MAX_COMMENT = 1000
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT), TextOnly]


Score = Annotated[int, Field(ge=1, le=5)]


class RatingSubmit(Payload):
    conversation_id: Id
    score: Score
    comment: Comment = ""
    ticket_id: Id | None = None
    """Set when the question was about a resolved ticket (asked in its conversation)."""


@dataclass(frozen=True)
class ConversationRated:
    name: ClassVar[str] = "conversation.rated"
    conversation_id: int
    site_id: int
    visitor_id: int
    score: int
    comment: str
    ticket_id: int | None = None
    """The ticket rated (after it was resolved), if it was a ticket's rating."""


async def rate(services: Services, visitor_id: int, data: RatingSubmit) -> ConversationRated:
    """Store the visitor's rating of their closed conversation, or of a resolved ticket of
    theirs asked about in its conversation; once per conversation or ticket."""
    from porch.conversations.tables import conversations

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
        if data.ticket_id is not None:
            ticket = await _rated_ticket(unit.conn, data.ticket_id)
            if ticket.conversation_id != data.conversation_id:
                raise NotFound("no such ticket")
        elif row.status != "closed":
            raise Invalid("a conversation is rated once it is closed")
        rated = ConversationRated(
            data.conversation_id, row.site_id, visitor_id, data.score, data.comment,
            data.ticket_id,
        )  # fmt: skip
        await store_rating(unit, rated, services.clock.now())
    return rated


async def rate_ticket(services: Services, ticket_id: int, score: int, comment: str) -> None:
    """Store the requester's rating of a resolved ticket from a signed mail link (the
    token names the ticket: the edge checked it)."""
    async with services.events.transaction(services.db) as unit:
        ticket = await _rated_ticket(unit.conn, ticket_id)
        if ticket.conversation_id is None:
            raise NotFound("no such ticket")
        rated = ConversationRated(
            ticket.conversation_id, ticket.site_id, ticket.requester_id, score, comment, ticket.id
        )
        await store_rating(unit, rated, services.clock.now())


async def _rated_ticket(conn: AsyncConnection, ticket_id: int) -> Any:
    """The ticket, if it may be rated now: resolved (or closed since)."""
    from porch.tickets.tables import tickets

    ticket = (await conn.execute(sa.select(tickets).where(tickets.c.id == ticket_id))).first()
    if ticket is None:
        raise NotFound("no such ticket")
    if ticket.status not in ("resolved", "closed"):
        raise Invalid("a ticket is rated once it is resolved")
    return ticket


def key_of(conversation_id: int, ticket_id: int | None) -> str:
    """One rating per conversation, and one per ticket."""
    return f"rating:{conversation_id}" if ticket_id is None else f"rating:ticket:{ticket_id}"


async def store_rating(unit: Unit, rated: ConversationRated, now: datetime) -> None:
    key = key_of(rated.conversation_id, rated.ticket_id)
    taken = await unit.conn.scalar(
        sa.select(reporting_events.c.id).where(reporting_events.c.key == key)
    )
    if taken:
        raise Invalid("this conversation is already rated")
    await unit.conn.execute(
        reporting_events.insert().values(
            key=key, site_id=rated.site_id, kind="rating", at=now,
            conversation_id=rated.conversation_id, ticket_id=rated.ticket_id,
            value=rated.score, comment=rated.comment or None,
        )
    )  # fmt: skip
    await _mark_answered(unit.conn, rated.conversation_id, rated.ticket_id, rated.score)
    await unit.record(rated)


async def _mark_answered(
    conn: AsyncConnection, conversation_id: int, ticket_id: int | None, score: int
) -> None:
    """The question's part says it was answered, so a widget drawn again thanks instead of
    asking twice."""
    from porch.conversations.tables import messages

    where = (messages.c.conversation_id == conversation_id) & (
        messages.c.client_id == _question_id(conversation_id, ticket_id)
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
    _subscribe_tickets(services)


async def _asks(conn: AsyncConnection, event: Any) -> bool:
    conversation = event.conversation.conversation
    return await _site_asks(conn, conversation.site_id, conversation.id)


async def _site_asks(conn: AsyncConnection, site_id: int, conversation_id: int) -> bool:
    """The site asks for ratings (`csat_enabled`, default on), and, with
    `csat_human_only`, an operator answered in this conversation."""
    from porch.conversations.tables import messages
    from porch.sites import queries as site_queries

    site = await site_queries.site(conn, site_id)
    settings = site.settings if site else {}
    if settings.get("csat_enabled", True) is False:
        return False
    if not settings.get("csat_human_only", False):
        return True
    answered = await conn.scalar(
        sa.select(messages.c.id)
        .where(
            messages.c.conversation_id == conversation_id,
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
    ticket_id = rated.get("ticket_id")
    text = ("Ticket rated" if ticket_id else "Rated") + f" {score}/5"
    text += f": {comment}" if comment else ""
    note_id = f"rating-note:{rated['conversation_id']}"
    part: dict[str, Any] = {"score": score, "comment": comment}
    if ticket_id:
        part["ticket_id"] = ticket_id  # the ticket page shows its own rating
    await services.conversations.post_message(
        SYSTEM,
        int(rated["conversation_id"]),
        note_id if ticket_id is None else f"rating-note:ticket:{ticket_id}",
        text,
        internal=True,
        parts={"rating": part},
    )


def _question_id(conversation_id: int, ticket_id: int | None) -> str:
    if ticket_id is None:
        return f"rating-request:{conversation_id}"
    return f"rating-request:ticket:{ticket_id}"


# -- after a ticket is resolved ---------------------------------------------------------

TICKET_ASK = "analytics.ticket_rating"


@dataclass(frozen=True)
class TicketRatingRequested:
    """A resolved ticket that came by email asks its requester to rate it: the email
    feature mails the signed rating links (a ticket from chat is asked in the widget)."""

    name: ClassVar[str] = "ticket.rating_requested"
    site_id: int
    ticket_id: int
    conversation_id: int


def _subscribe_tickets(services: Services) -> None:
    from porch.tickets.events import TicketStatusChanged

    def resolved(event: Any) -> bool:
        return bool(event.new == "resolved" and event.old != "resolved")

    services.events.enqueue_on(TicketStatusChanged, TICKET_ASK, when=resolved)

    async def ask(payload: dict[str, Any]) -> None:
        await request_ticket_rating(services, int(payload["data"]["ticket"]["id"]))

    services.jobs.register(TICKET_ASK, ask)


async def request_ticket_rating(services: Services, ticket_id: int) -> None:
    """The job: the requester of a resolved ticket is asked to rate it once, where the
    ticket came from: "How did we do?" in its conversation (the widget draws the form),
    or by mail with signed links when the conversation is held by email. Nothing if it
    was reopened meanwhile, merged, already rated, or the site asks for no ratings."""
    from porch.conversations.tables import messages
    from porch.email.tables import email_threads
    from porch.tickets.tables import tickets

    async with services.db.connect() as conn:
        ticket = (await conn.execute(sa.select(tickets).where(tickets.c.id == ticket_id))).first()
        if ticket is None or ticket.status != "resolved" or ticket.conversation_id is None:
            return
        conversation_id = int(ticket.conversation_id)
        rated = await conn.scalar(
            sa.select(reporting_events.c.id).where(
                reporting_events.c.key == key_of(conversation_id, ticket.id)
            )
        )
        if rated or ticket.merged_into_id is not None:
            return
        if not await _site_asks(conn, ticket.site_id, conversation_id):
            return
        asked = await conn.scalar(  # the chat's own question covers its ticket too
            sa.select(messages.c.id).where(
                messages.c.conversation_id == conversation_id,
                messages.c.client_id == _question_id(conversation_id, None),
            )
        )
        by_mail = await conn.scalar(
            sa.select(email_threads.c.address).where(
                email_threads.c.conversation_id == conversation_id
            )
        )
    if by_mail:  # the chat's question never reached a requester who wrote by mail
        async with services.events.transaction(services.db) as unit:
            await unit.record(TicketRatingRequested(ticket.site_id, ticket.id, conversation_id))
        return
    if asked:
        return
    part = {"conversation_id": conversation_id, "ticket_id": ticket.id, "scale": 5}
    await services.conversations.post_message(
        SYSTEM, conversation_id, _question_id(conversation_id, ticket.id), QUESTION,
        parts={"rating_request": part}, reopen=False,
    )  # fmt: skip
