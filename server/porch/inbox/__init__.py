"""Inbox tools: conversation tags, snooze and the panel's keyboard shortcuts
(docs/inbox.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.inbox.service import InboxTools
    from porch.services import Services


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> InboxTools:
    """The service, its wake jobs and socket events (tests call this for the service)."""
    from porch.conversations.events import MessageCreated
    from porch.inbox import service, sockets

    tools = service.InboxTools(services.db, services.events, services.clock)
    services.jobs.register(service.WAKE, tools.wake_due)
    services.jobs.register(service.WAKE_ON_MESSAGE, tools.wake_on_message)
    services.events.enqueue_on(
        MessageCreated, service.WAKE_ON_MESSAGE, when=service.snoozed_visitor_message
    )
    sockets.attach(services, tools)
    return tools
