"""Email: mail in becomes tickets and messages, replies and notifications go out as mail.

Mail is taken in two steps. `receive` (called by the SMTP listener and the IMAP poller)
checks what can be checked at once (a support address, a readable mail, no loop, the
sender's rate) and stores the mail with an `email.inbound` job in one transaction, so the
SMTP answer is quick and a mail once accepted is never lost. The job threads it (reply
address, our Message-IDs, `[#1042]` from a participant) and posts it as the requester's
message in the ticket's conversation, or opens a ticket.

Every outgoing mail is a row of `email_messages` (its full MIME source) written with an
`email.send` job in one transaction; the job sends it through `PORCH_SMTP_URL`.
Operators' replies reach this through `message.created` jobs (`email.reply`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.actors import Actor
from porch.conversations import queries as conversation_queries
from porch.conversations.events import MessageCreated
from porch.db.upsert import insert_ignore
from porch.email import addresses, mailbox, notifications, queries
from porch.email.parse import Inbound, Refused, parse
from porch.email.render import Outgoing, bodies, mime
from porch.email.smtp_out import SmtpServer
from porch.email.tables import email_attachments, email_messages, email_threads
from porch.errors import Invalid, NotFound
from porch.jobs.queue import enqueue
from porch.sites.models import Site
from porch.tickets.models import Ticket
from porch.tickets.service import TicketService
from porch.visitors.names import friendly_name
from porch.visitors.tables import visitors

if TYPE_CHECKING:
    from porch.services import Services

log = logging.getLogger(__name__)
INBOUND = "email.inbound"
SEND = "email.send"
REPLY = "email.reply"
HELD = "held"
"""An outgoing mail's status while this installation has no outbound SMTP server."""
ACTOR = Actor.system("email")
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
RATE_WINDOW = timedelta(hours=1)
RATE_LIMIT = 30
"""Mails one sender may send one site per hour; more are deferred (SMTP 450)."""
ACK_WINDOW = timedelta(days=1)
ACK_CAP = 3
"""Acknowledgements one address gets per day, whatever it sends."""
DEFAULT_FOLLOW_UP_DAYS = 7.0
REFERENCE = re.compile(r"\[#(\d{1,9})\]")
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|wg)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """The conversation a mail threads into; `ticket`, the latest ticket on it."""

    conversation_id: int
    visitor_id: int
    ticket: Ticket | None


class EmailService:
    def __init__(self, services: Services, tickets: TicketService) -> None:
        self.services = services
        self.db = services.db
        self.events = services.events
        self.clock = services.clock
        self.conversations = services.conversations
        self.tickets = tickets
        self.secret = services.config.secret_key
        self.imap_secrets = mailbox.box(services.config.secret_key)
        self.smtp = (
            SmtpServer.from_url(services.config.smtp_url) if services.config.smtp_url else None
        )

    # -- which site ---------------------------------------------------------------------

    async def site_for(self, recipient: str) -> Site | None:
        """The site whose support address this is (with or without a tag)."""
        for site in await self.services.sites.all():
            support = site.settings.get("support_email")
            if support and addresses.same_mailbox(recipient, support):
                return site
        return None

    # -- receiving ----------------------------------------------------------------------

    async def receive(self, mail_from: str | None, recipients: list[str], raw: bytes) -> str:
        """Take a mail for the support addresses among `recipients`: the SMTP reply, or
        `Refused` saying why not. Stores it with its `email.inbound` job."""
        if len(raw) > MAX_MESSAGE_BYTES:
            raise Refused(552, f"5.3.4 Message too big: at most {MAX_MESSAGE_BYTES} bytes")
        site = None
        for recipient in recipients:
            site = site or await self.site_for(recipient)
        if site is None:
            raise Refused(550, "5.1.1 No support mailbox here for these recipients")
        mail = parse(raw, mail_from)
        return await self._store(site, recipients, mail, raw)

    async def _store(self, site: Site, recipients: list[str], mail: Inbound, raw: bytes) -> str:
        support = str(site.settings["support_email"])
        if mail.loop or addresses.same_mailbox(mail.sender, support):
            raise Refused(550, "5.7.1 Mail loop: this message came from Porch")
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            conn = unit.conn
            ours = await queries.by_message_ids(conn, site.id, [mail.message_id])
            if any(row.direction == "out" for row in ours):
                raise Refused(550, "5.7.1 Mail loop: this message came from Porch")
            sent = await queries.count_for(conn, site.id, mail.sender, "mail", now - RATE_WINDOW)
            if sent >= RATE_LIMIT:
                raise Refused(450, "4.7.1 Too many messages from this sender: try again later")
            email_id = await insert_ignore(
                conn, email_messages, _inbound_values(site, recipients, mail, raw, now),
                ["site_id", "message_id", "direction"],
            )  # fmt: skip
            if email_id is None:
                return "250 2.0.0 Already received"
            for attachment in mail.attachments:
                await conn.execute(
                    email_attachments.insert().values(
                        email_id=email_id,
                        filename=attachment.filename,
                        content_type=attachment.content_type,
                        size=len(attachment.data),
                        data=attachment.data,
                    )
                )
            if mail.bounce:
                return "250 2.0.0 Bounce noted, not stored as a message"
            await enqueue(conn, INBOUND, {"email_id": email_id}, key=f"{INBOUND}:{email_id}")
            unit.staged = True
        return "250 2.0.0 Received"

    # -- threading a received mail (job) ------------------------------------------------

    async def inbound(self, payload: dict[str, Any]) -> None:
        """An `email.inbound` job: thread the stored mail, or open a ticket. Idempotent:
        the chat message is keyed by the mail, and a conversation with an open ticket
        gets no second one."""
        async with self.db.connect() as conn:
            row = await queries.email(conn, int(payload["email_id"]))
        if row is None or row.status != "received":
            return
        site = await self.services.sites.get(int(row.site_id))
        if site is None:
            return
        # One sender's mails one at a time: two at once would both open a contact and a
        # ticket for what is one customer's one request.
        async with self.services.locks.hold(f"email.sender:{site.id}:{row.address}"):
            async with self.db.connect() as conn:
                row = await queries.email(conn, int(row.id))
            if row is not None and row.status == "received":
                await self._take(site, row)

    async def _take(self, site: Site, row: Any) -> None:
        found = await self._thread(site, row)
        follow_up_of = None
        closed = (
            found.ticket if found and found.ticket and found.ticket.status == "closed" else None
        )
        if closed is not None:
            if self._past_window(site, closed):
                follow_up_of, found = closed, None
            else:
                await self.tickets.update(closed.id, ACTOR, status="open")
        if found is None:
            await self._open_ticket(site, row, follow_up_of)
            return
        await self._post(found.conversation_id, found.visitor_id, row)

    async def _thread(self, site: Site, row: Any) -> Found | None:
        """The conversation a mail answers: its reply address, then our Message-IDs it
        refers to, then `[#1042]` in the subject. A reference that anyone could write (the
        subject, a customer's own Message-ID) counts only from a participant."""
        support = str(site.settings["support_email"])
        async with self.db.connect() as conn:
            for recipient in row.recipients:
                tag = addresses.tag_of(recipient, support, self.secret, site.id)
                if tag is not None and (found := await self._tagged(conn, site, tag)):
                    return found
            for mail in await queries.by_message_ids(conn, site.id, row.headers["references"]):
                found = await self._found(conn, int(mail.conversation_id))
                if found and (mail.direction == "out" or await _participant(conn, found, row)):
                    return found
            reference = REFERENCE.search(row.subject)
            if reference is None:
                return None
            ticket = await queries.ticket_by_reference(conn, site.id, int(reference.group(1)))
            found = await self._of_ticket(conn, ticket)
            return found if found and await _participant(conn, found, row) else None

    async def _tagged(self, conn: AsyncConnection, site: Site, tag: addresses.Tag) -> Found | None:
        if tag.kind == "c":
            return await self._found(conn, tag.number, site.id)
        ticket = await queries.ticket_by_reference(conn, site.id, tag.number)
        return await self._of_ticket(conn, ticket)

    async def _of_ticket(self, conn: AsyncConnection, ticket: Ticket | None) -> Found | None:
        if ticket is None or ticket.conversation_id is None:
            return None
        found = await self._found(conn, ticket.conversation_id)
        return Found(found.conversation_id, found.visitor_id, ticket) if found else None

    async def _found(
        self, conn: AsyncConnection, conversation_id: int, site_id: int | None = None
    ) -> Found | None:
        conversation = await conversation_queries.conversation(conn, conversation_id)
        if conversation is None or (site_id is not None and conversation.site_id != site_id):
            return None
        ticket = await queries.latest_ticket(conn, conversation_id)
        return Found(conversation_id, conversation.visitor_id, ticket)

    def _past_window(self, site: Site, ticket: Ticket) -> bool:
        days = float(site.settings.get("email_follow_up_days", DEFAULT_FOLLOW_UP_DAYS))
        closed = ticket.closed_at or ticket.updated_at
        return self.clock.now() - closed > timedelta(days=days)

    async def _post(self, conversation_id: int, visitor_id: int, row: Any) -> None:
        """The mail as the requester's message in the conversation (reopened if closed)."""
        summary = await self.conversations.summary(conversation_id)
        if summary.conversation.status == "closed":
            # The visitor may have a newer open conversation: then the mail goes there.
            with contextlib.suppress(Invalid):
                await self.conversations.reopen(conversation_id, ACTOR)
        message = await self.conversations.send_visitor_message(
            visitor_id, f"email-{row.id}", await self._body(row)
        )
        await self._stored(row.id, message.conversation_id, message.id)

    async def _open_ticket(self, site: Site, row: Any, follow_up_of: Ticket | None) -> None:
        visitor_id = await self._contact(site, row)
        summary = await self.conversations.start(visitor_id, ACTOR)
        conversation_id = summary.conversation.id
        message = await self.conversations.send_visitor_message(
            visitor_id, f"email-{row.id}", await self._body(row)
        )
        async with self.db.connect() as conn:
            ticket = await queries.latest_ticket(conn, message.conversation_id)
        created = ticket is None or ticket.status == "closed"
        if created:
            # In parallel with other senders' mails: the reference comes from the site's
            # counter row (porch.tickets.references), so a burst cannot clash.
            ticket = await self._create_ticket(site, row, visitor_id, message.conversation_id)
            if follow_up_of is not None:
                note = f"Follow-up to #{follow_up_of.reference} (closed), from a reply by email."
                await self.tickets.add_note(ticket.id, ACTOR, note)
        assert ticket is not None
        await self._ensure_thread(site, conversation_id, row, follow_up_of)
        await self._stored(row.id, message.conversation_id, message.id)
        if created and not row.headers.get("automatic") and site.settings.get("email_ack", True):
            await self._acknowledge(site, row, ticket)

    async def _create_ticket(
        self, site: Site, row: Any, visitor_id: int, conversation_id: int
    ) -> Ticket:
        """A ticket by the site's email rules: priority, assignee, tags by subject words."""
        settings = site.settings
        subject = REPLY_PREFIX.sub("", row.subject).strip()[:200] or "(no subject)"
        words = subject.lower()
        tags = [
            tag for word, tag in settings.get("email_tags", {}).items() if word.lower() in words
        ]
        ticket = await self.tickets.create(
            site.id, visitor_id, subject, row.text[:20_000],
            settings.get("email_priority", "medium"), ACTOR,
            conversation_id=conversation_id, tags=tags,
        )  # fmt: skip
        assignee = settings.get("email_assignee_id")
        if assignee:
            # The operator may have been removed since: the ticket stays unassigned.
            with contextlib.suppress(NotFound):
                ticket = await self.tickets.update(ticket.id, ACTOR, assignee_id=int(assignee))
        return ticket

    async def _contact(self, site: Site, row: Any) -> int:
        """The visitor with the sender's email (merged with any who gave it), or a new one."""
        async with self.db.begin() as conn:
            known = await queries.contact(conn, site.id, row.address)
            if known is not None:
                return int(known.id)
            now = self.clock.now()
            values = {
                "site_id": site.id,
                "name": row.headers.get("sender_name") or friendly_name(),
                "email": row.address,
                "attributes": {},
                "first_seen_at": now,
                "last_seen_at": now,
            }
            result = await conn.execute(visitors.insert().values(values).returning(visitors.c.id))
            return int(result.scalar_one())

    async def _ensure_thread(
        self, site: Site, conversation_id: int, row: Any, follow_up_of: Ticket | None
    ) -> None:
        async with self.db.begin() as conn:
            if await queries.thread(conn, conversation_id) is not None:
                return
            await conn.execute(
                email_threads.insert().values(
                    conversation_id=conversation_id,
                    site_id=site.id,
                    address=row.address,
                    subject=REPLY_PREFIX.sub("", row.subject).strip()[:200] or "(no subject)",
                    follow_up_of=follow_up_of.id if follow_up_of else None,
                    created_at=self.clock.now(),
                )
            )

    async def _body(self, row: Any) -> str:
        async with self.db.connect() as conn:
            files = await queries.attachments(conn, [row.id])
        lines = [f"📎 {file.filename} ({_size(file.size)})" for file in files]
        return "\n".join([row.text or "(no text)", *(["", *lines] if lines else [])])

    async def _stored(self, email_id: int, conversation_id: int, message_id: int) -> None:
        async with self.db.begin() as conn:
            await conn.execute(
                email_messages.update()
                .where(email_messages.c.id == email_id)
                .values(
                    status="stored", conversation_id=conversation_id, chat_message_id=message_id
                )
            )

    # -- sending ------------------------------------------------------------------------

    async def _acknowledge(self, site: Site, row: Any, ticket: Ticket) -> None:
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            if (
                await queries.count_for(unit.conn, site.id, row.address, "ack", now - ACK_WINDOW)
                >= ACK_CAP
            ):
                return
            due = ticket.first_response_due_at
            text, html = bodies("ack", {
                "name": row.headers.get("sender_name") or row.address,
                "subject": ticket.subject, "reference": ticket.reference,
                "due": due.strftime("%a %d %b %Y, %H:%M UTC") if due else "",
                "site_name": site.name, "support": site.settings["support_email"],
            })  # fmt: skip
            await self._queue(unit.conn, site, "ack", row.address, ticket.conversation_id,
                              _subject(ticket.subject, ticket.reference), text, html,
                              ticket=ticket, automatic=True, answering=row.message_id)  # fmt: skip
            unit.staged = True

    async def reply(self, payload: dict[str, Any]) -> None:
        """An `email.reply` job (a `message.created` by an operator or the bot in a
        conversation held by email, or whose visitor gave an email): the reply as mail,
        or, for a chat, a notification if the visitor has left."""
        data = payload["data"]
        message = data["message"]
        conversation_id = int(message["conversation_id"])
        async with self.db.connect() as conn:
            thread = await queries.thread(conn, conversation_id)
            conversation = await conversation_queries.conversation(conn, conversation_id)
        if conversation is None:
            return
        site = await self.services.sites.get(conversation.site_id)
        if site is None or not site.settings.get("support_email"):
            return
        if thread is None:
            await notifications.schedule(self, conversation.visitor_id, conversation_id)
            return
        async with self.db.connect() as conn:
            ticket = await queries.latest_ticket(conn, conversation_id)
        reference = ticket.reference if ticket else None
        author = str(data["actor"].get("name") or site.name)
        text, html = bodies("reply", {
            "body": message["body"], "author": author, "reference": reference,
            "site_name": site.name, "support": site.settings["support_email"],
        })  # fmt: skip
        async with self.events.transaction(self.db) as unit:
            queued = await self._queue(
                unit.conn, site, "reply", str(thread.address), conversation_id,
                _subject(str(thread.subject), reference), text, html,
                ticket=ticket, chat_message_id=int(message["id"]),
            )  # fmt: skip
            unit.staged = queued

    async def _queue(
        self,
        conn: AsyncConnection,
        site: Site,
        kind: str,
        to: str,
        conversation_id: int | None,
        subject: str,
        text: str,
        html: str,
        *,
        ticket: Ticket | None = None,
        automatic: bool = False,
        answering: str | None = None,
        chat_message_id: int | None = None,
        once: str | None = None,
    ) -> bool:
        """Write an outgoing mail and its `email.send` job; False if this chat message's
        mail was written already (the job ran twice)."""
        support = str(site.settings["support_email"])
        thread = await queries.thread_mails(conn, conversation_id) if conversation_id else []
        ids = [str(mail.message_id) for mail in thread]
        received = [str(m.message_id) for m in thread if m.direction == "in"]
        in_reply_to = answering or (received[-1] if received else (ids[-1] if ids else None))
        if ticket is not None:
            reply_to = addresses.reply_address(support, self.secret, site.id, "t", ticket.reference)
        elif conversation_id is not None:
            reply_to = addresses.reply_address(support, self.secret, site.id, "c", conversation_id)
        else:
            reply_to = support
        now = self.clock.now()
        message_id = addresses.new_message_id(support, once)
        outgoing = Outgoing(
            site_name=site.name, support=support, to=to, subject=subject, text=text, html=html,
            message_id=message_id, reply_to=reply_to, at=now, in_reply_to=in_reply_to,
            references=ids, automatic=automatic,
            thread_topic=REPLY_PREFIX.sub("", subject).strip() if conversation_id else "",
            thread_index=addresses.thread_index(conversation_id or 0, 0.0),
        )  # fmt: skip
        source = mime(outgoing).as_string()
        values = {
            "site_id": site.id, "direction": "out", "message_id": message_id,
            "conversation_id": conversation_id, "chat_message_id": chat_message_id,
            "kind": kind, "address": to, "recipients": [to], "subject": subject,
            "headers": {"in_reply_to": in_reply_to, "references": ids, "reply_to": reply_to},
            "text": text, "full_text": text, "source": source, "status": "queued",
            "created_at": now,
        }  # fmt: skip
        if chat_message_id is not None:
            email_id = await insert_ignore(conn, email_messages, values, ["chat_message_id"])
        elif once is not None:  # the Message-ID is made from `once`: a second try adds none
            conflict = ["site_id", "message_id", "direction"]
            email_id = await insert_ignore(conn, email_messages, values, conflict)
        else:
            email_id = (
                await conn.execute(
                    email_messages.insert().values(values).returning(email_messages.c.id)
                )
            ).scalar_one()
        if email_id is None:
            return False
        await enqueue(conn, SEND, {"email_id": email_id}, key=f"{SEND}:{email_id}")
        return True

    async def queue(self, conn: AsyncConnection, site: Site, kind: str, to: str,
                    conversation_id: int, subject: str, text: str, html: str,
                    chat_message_id: int) -> bool:  # fmt: skip
        """A notification in a conversation, once per chat message it covers up to."""
        return await self._queue(
            conn, site, kind, to, conversation_id, subject, text, html,
            automatic=True, chat_message_id=chat_message_id,
        )  # fmt: skip

    async def queue_mail(
        self,
        conn: AsyncConnection,
        site: Site,
        kind: str,
        to: str,
        conversation_id: int,
        subject: str,
        text: str,
        html: str,
    ) -> bool:
        """A mail in a conversation (a transcript): replies to it continue the conversation."""
        return await self._queue(conn, site, kind, to, conversation_id, subject, text, html)

    async def queue_once(
        self,
        conn: AsyncConnection,
        site: Site,
        kind: str,
        to: str,
        subject: str,
        text: str,
        html: str,
        key: str,
        conversation_id: int | None = None,
    ) -> bool:
        """A mail written once per `key`: outside any conversation (to an operator), or in
        `conversation_id` (a flow's mail to the visitor)."""
        return await self._queue(
            conn, site, kind, to, conversation_id, subject, text, html, automatic=True, once=key
        )

    async def send(self, payload: dict[str, Any]) -> None:
        """An `email.send` job: hand the stored mail to the SMTP server (retried by the
        queue while the server fails; a mail once sent is not sent again)."""
        async with self.db.connect() as conn:
            row = await queries.email(conn, int(payload["email_id"]))
        if row is None or row.sent_at is not None:
            return
        if self.smtp is None:
            await self._hold(int(row.id))
            return
        site = await self.services.sites.get(int(row.site_id))
        sender = str(site.settings.get("support_email")) if site else ""
        await self.smtp.send(row.source.encode(), sender, list(row.recipients))
        async with self.db.begin() as conn:
            await conn.execute(
                email_messages.update()
                .where(email_messages.c.id == row.id)
                .values(status="sent", sent_at=self.clock.now())
            )

    async def _hold(self, email_id: int) -> None:
        """No `PORCH_SMTP_URL` here: the mail is kept as `held` (shown on the panel's Mail
        and Jobs pages, "outbound mail not configured"), not retried and logged over and
        over; a process started with it set sends it (`release_held`)."""
        async with self.db.begin() as conn:
            await conn.execute(
                email_messages.update()
                .where(email_messages.c.id == email_id, email_messages.c.status == "queued")
                .values(status=HELD)
            )
        log.info("mail %s held: outbound mail not configured (PORCH_SMTP_URL)", email_id)

    async def release_held(self) -> None:
        """At start-up with `PORCH_SMTP_URL` set: the held mails are queued to send."""
        if self.smtp is None:
            return
        async with self.events.transaction(self.db) as unit:
            held = email_messages.c.status == HELD
            ids = list(await unit.conn.scalars(sa.select(email_messages.c.id).where(held)))
            for email_id in ids:
                await enqueue(unit.conn, SEND, {"email_id": email_id}, key=f"{SEND}:{email_id}")
            queued = email_messages.update().where(email_messages.c.id.in_(ids), held)
            await unit.conn.execute(queued.values(status="queued"))
            unit.staged = bool(ids)
        if ids:
            log.info("%d held mails queued to send", len(ids))


async def _participant(conn: AsyncConnection, found: Found, row: Any) -> bool:
    if row.address in await queries.participants(conn, found.conversation_id):
        return True
    email = await conn.scalar(sa.select(visitors.c.email).where(visitors.c.id == found.visitor_id))
    return bool(email) and str(email).lower() == row.address


def wants_mail(event: MessageCreated) -> bool | ColumnElement[bool]:
    """The filter of `email.reply`: a reply an operator or the bot made, not a note, in a
    conversation held by email or whose visitor gave an email."""
    if event.actor.kind not in ("operator", "bot") or event.message.internal:
        return False
    conversation = event.conversation.conversation
    return sa.or_(
        sa.exists().where(email_threads.c.conversation_id == conversation.id),
        sa.exists().where(
            visitors.c.id == conversation.visitor_id,
            visitors.c.email.is_not(None),
            visitors.c.email != "",
        ),
    )


def _inbound_values(
    site: Site, recipients: list[str], mail: Inbound, raw: bytes, now: datetime
) -> dict[str, Any]:
    return {
        "site_id": site.id,
        "direction": "in",
        "message_id": mail.message_id,
        "kind": "mail",
        "address": mail.sender,
        "recipients": [r.lower() for r in recipients][:50],
        "subject": mail.subject,
        "headers": {
            **mail.headers,
            "references": mail.references,
            "sender_name": mail.sender_name,
            "automatic": mail.automatic,
            "bounce": mail.bounce,
        },
        "text": mail.text,
        "full_text": mail.full_text,
        "source": raw.decode("utf-8", "replace").replace("\x00", ""),
        "status": "ignored" if mail.bounce else "received",
        "created_at": now,
    }


def _subject(subject: str, reference: int | None) -> str:
    base = REPLY_PREFIX.sub("", REFERENCE.sub("", subject)).strip() or "(no subject)"
    return f"Re: {base} [#{reference}]" if reference else f"Re: {base}"


def _size(size: int) -> str:
    return (
        f"{size} B"
        if size < 1024
        else f"{size / 1024:.0f} KB"
        if size < 1 << 20
        else f"{size / (1 << 20):.1f} MB"
    )
