"""Tickets: requests that outlive a chat, with priorities, views, history and SLA clocks
(docs/tickets.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services
    from porch.tickets.service import TicketService


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> TicketService:
    """The ticket service, its timers and its reaction to messages in ticket conversations
    (`install`, which returns nothing; tests that build services call this for the
    service)."""
    from porch.conversations.events import MessageCreated
    from porch.tickets import panel, queries, settings_page, sockets, timers
    from porch.tickets.service import DEFAULT_RESOLVE_MESSAGE, TicketService

    tickets = TicketService(services.db, services.events, services.clock, services.conversations)
    services.jobs.register(timers.SLA_DUE, tickets.sla_due)
    services.jobs.register(timers.AUTO_CLOSE, tickets.auto_close)
    services.jobs.register(timers.MESSAGE_POSTED, tickets.message_posted)
    services.jobs.register(timers.RESOLVED_NOTICE, tickets.resolved_notice)
    services.events.enqueue_on(
        MessageCreated, timers.MESSAGE_POSTED, when=queries.conversation_has_ticket
    )
    sockets.attach(services, tickets)
    services.routes += panel.routes(services)
    services.routes += settings_page.routes(services, DEFAULT_RESOLVE_MESSAGE)
    return tickets
