"""Email: tickets from mail, replies by mail, and mail when the visitor has left
(docs/email.md)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.email.service import EmailService
    from porch.services import Services


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> EmailService:
    """The email service, its jobs, its reaction to replies, the SMTP listener (when
    `--smtp-listen` is set), the IMAP poller and the panel's mail pages."""
    from porch.config import parse_address
    from porch.conversations.events import MessageCreated
    from porch.email import (
        flow_mail,
        imap,
        mailbox,
        notifications,
        operators,
        panel,
        rating_mail,
        transcripts,
    )
    from porch.email.service import INBOUND, REPLY, SEND, EmailService, wants_mail
    from porch.email.smtp_in import Listener
    from porch.tickets.events import SlaWarning, TicketUpdated
    from porch.tickets.service import TicketService

    tickets = TicketService(services.db, services.events, services.clock, services.conversations)
    email = EmailService(services, tickets)
    services.jobs.register(INBOUND, email.inbound)
    services.jobs.register(SEND, email.send)
    services.jobs.register(REPLY, email.reply)
    services.jobs.register(notifications.NOTIFY, partial(notifications.notify, email))
    services.events.enqueue_on(MessageCreated, REPLY, when=wants_mail)
    services.jobs.register(operators.NOTICE, partial(operators.notice, email))
    services.events.enqueue_on(TicketUpdated, operators.NOTICE, only_if=operators.assigned)
    services.events.enqueue_on(SlaWarning, operators.NOTICE)
    if services.config.smtp_listen:
        host, port = parse_address(services.config.smtp_listen)
        listener = Listener(email, host, port)
        services.on_startup.append(listener.start)
        services.on_shutdown.append(listener.stop)
    services.on_startup.append(partial(mailbox.seal_stored, services))
    services.on_startup.append(email.release_held)
    imap.install(services, email)
    transcripts.attach(services, email)
    flow_mail.attach(services, email)
    rating_mail.attach(services, email)
    services.routes += panel.routes(services, email)
    return email
