"""Chat transcripts by mail: a visitor asks from the widget (`transcript.request` on
`/visitor`), an operator sends one (`email.transcript` on `/operator`, or the form on the
panel's mail page). At most `CAP` a day to one address, so the widget cannot be used to
mail strangers in bulk."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import StringConstraints

from porch.actors import Actor
from porch.conversations import queries as conversation_queries
from porch.email import queries
from porch.email.render import bodies
from porch.errors import Invalid, NotFound
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.schemas import Id, Payload
from porch.text import TextOnly

if TYPE_CHECKING:
    from porch.email.service import EmailService
    from porch.realtime.operator import OperatorNamespace
    from porch.realtime.visitor import VisitorNamespace
    from porch.services import Services

CAP = 3
WINDOW = timedelta(days=1)
ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
Address = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), TextOnly
]


async def send_transcript(email: EmailService, conversation_id: int, to: str | None) -> str:
    """Queue the conversation's transcript (notes left out) to `to`, else to the visitor's
    email; the address it goes to."""
    async with email.db.connect() as conn:
        conversation = await conversation_queries.conversation(conn, conversation_id)
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        visitor = await queries.visitor_email(conn, conversation.visitor_id)
        shown = await conversation_queries.latest_messages(
            conn, conversation_id, include_internal=False
        )
    address = (to or visitor or "").strip().lower()
    if not ADDRESS.match(address):
        raise Invalid("a transcript goes to an email address")
    site = await email.services.sites.get(conversation.site_id)
    if site is None or not site.settings.get("support_email"):
        raise Invalid("this site sends no mail (it has no support address)")
    text, html = bodies("transcript", {
        "site_name": site.name, "support": site.settings["support_email"],
        "messages": [
            {"author": m.author_name or m.author, "body": m.body,
             "at": m.created_at.strftime("%Y-%m-%d %H:%M UTC")}
            for m in shown
        ],
    })  # fmt: skip
    now = email.clock.now()
    async with email.events.transaction(email.db) as unit:
        sent = await queries.count_for(unit.conn, site.id, address, "transcript", now - WINDOW)
        if sent >= CAP:
            raise Invalid(f"at most {CAP} transcripts a day to one address")
        unit.staged = await email.queue_mail(
            unit.conn, site, "transcript", address, conversation_id,
            f"Your conversation with {site.name}", text, html,
        )  # fmt: skip
    return address


NO_EMAIL = "No email is known for this visitor: ask them for one, then send the transcript."


async def request_transcript(services: Services, conversation_id: int, actor: Actor) -> str:
    """Mail the conversation's transcript to its visitor's known email, on behalf of an
    operator (the inbox's "Email transcript") or of the visitor themselves (the widget's
    "Email me this conversation"); the address it goes to. Refused (`Invalid`) when no
    email is known, `NotFound` when the conversation is not the visitor's own."""
    from porch.email.service import EmailService
    from porch.tickets.service import TicketService

    async with services.db.connect() as conn:
        conversation = await conversation_queries.conversation(conn, conversation_id)
        if conversation is None or (
            actor.kind == "visitor" and conversation.visitor_id != actor.id
        ):
            raise NotFound(f"no conversation {conversation_id}")
        address = await queries.visitor_email(conn, conversation.visitor_id)
    if not address:
        raise Invalid(NO_EMAIL)
    tickets = TicketService(services.db, services.events, services.clock, services.conversations)
    return await send_transcript(EmailService(services, tickets), conversation_id, address)


class TranscriptRequest(Payload):
    email: Address | None = None


class OperatorTranscript(Payload):
    conversation_id: Id
    email: Address | None = None


class VisitorTranscripts(Routed):
    def __init__(self, sockets: VisitorNamespace, email: EmailService) -> None:
        self.sockets = sockets
        self.email = email

    @handles("transcript.request", TranscriptRequest, limit="visitor_update")
    async def request(self, sid: str, data: TranscriptRequest) -> Ack:
        visitor_id = await self.sockets._visitor_id(sid)
        async with self.email.db.connect() as conn:
            latest = await conversation_queries.latest_conversation(conn, visitor_id)
        if latest is None:
            raise Invalid("there is no conversation to send yet")
        return {"ok": True, "email": await send_transcript(self.email, latest.id, data.email)}


class OperatorTranscripts(Routed):
    def __init__(self, sockets: OperatorNamespace, email: EmailService) -> None:
        self.sockets = sockets
        self.email = email

    @handles("email.transcript", OperatorTranscript, limit="operator")
    async def send(self, sid: str, data: OperatorTranscript) -> Ack:
        operator = await self.sockets.operator(sid)  # signed in (checked on connect)
        if data.email is None:  # the inbox's "Email transcript": the visitor's own email
            actor = Actor.operator(operator.id, operator.name)
            to = await request_transcript(self.email.services, data.conversation_id, actor)
        else:
            to = await send_transcript(self.email, data.conversation_id, data.email)
        return {"ok": True, "email": to}


def attach(services: Services, email: EmailService) -> None:
    """Add the transcript events to `/visitor` and `/operator` (installed by realtime)."""
    from porch.realtime.fanout import OPERATORS, VISITORS

    handlers: Any = services.sio.namespace_handlers
    if VISITORS in handlers:
        handlers[VISITORS].extend(VisitorTranscripts(handlers[VISITORS], email))
    if OPERATORS in handlers:
        handlers[OPERATORS].extend(OperatorTranscripts(handlers[OPERATORS], email))
