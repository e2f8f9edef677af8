"""Routing: who gets each new chat and ticket (round-robin among online operators with
room, skills, business hours, a fallback; a person's assignment always wins). Rules are a
site setting (`routing`); see docs/team.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from porch.conversations.events import ConversationOpened
    from porch.routing import flow_requests, service
    from porch.routing.filters import wants_chats, wants_tickets
    from porch.tickets.events import TicketCreated

    router = service.Router(services)
    services.jobs.register(service.CHAT, router.route_chat)
    services.jobs.register(service.TICKET, router.route_ticket)
    services.events.enqueue_on(ConversationOpened, service.CHAT, only_if=wants_chats(services))
    services.events.enqueue_on(TicketCreated, service.TICKET, only_if=wants_tickets)
    flow_requests.attach(services, router)
