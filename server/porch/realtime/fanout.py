"""Event listeners that push chat changes to the right Socket.IO rooms.

Room names: `/visitor` `visitor:<id>` (all tabs of one visitor) and `site:<id>` (every
widget of a site); `/operator` `operators` (every operator), `conversation:<id>` (operators
watching it) and `session:<id>` (the sockets of one sign-in session, by its stored id).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

from porch import wire
from porch.conversations.events import (
    ConversationAssigned,
    ConversationClosed,
    ConversationEvent,
    ConversationOpened,
    ConversationRead,
    ConversationReopened,
    MessageCreated,
    OperatorTyping,
    VisitorTyping,
)
from porch.errors import NotFound
from porch.operators.events import OperatorPresenceChanged, SessionsRevoked
from porch.realtime.managers import disconnect_room
from porch.services import Services
from porch.sites.events import SiteUpdated
from porch.visitors.events import PageViewed, PresenceChanged, VisitorsErased, VisitorUpdated

VISITORS = "/visitor"
OPERATORS = "/operator"
OPERATORS_ROOM = "operators"


def visitor_room(visitor_id: int) -> str:
    return f"visitor:{visitor_id}"


def site_room(site_id: int) -> str:
    return f"site:{site_id}"


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def session_room(session_id: str) -> str:
    return f"session:{session_id}"


def subscribe(services: Services) -> None:
    bus = services.events
    bus.subscribe(MessageCreated, partial(message_created, services))
    for conversation_event in (
        ConversationOpened,
        ConversationReopened,
        ConversationAssigned,
        ConversationClosed,
        ConversationRead,
    ):
        bus.subscribe(conversation_event, partial(conversation_changed, services))
    bus.subscribe(VisitorTyping, partial(visitor_typing, services))
    bus.subscribe(OperatorTyping, partial(operator_typing, services))
    bus.subscribe(PageViewed, partial(page_viewed, services))
    bus.subscribe(VisitorUpdated, partial(visitor_updated, services))
    bus.subscribe(SiteUpdated, partial(site_updated, services))
    bus.subscribe(SessionsRevoked, partial(sessions_revoked, services))
    bus.subscribe(VisitorsErased, partial(visitors_erased, services))
    bus.subscribe(PresenceChanged, partial(visitor_presence_changed, services))
    bus.subscribe(OperatorPresenceChanged, partial(operator_presence_changed, services))


VISITOR_VISIBLE = (ConversationOpened, ConversationReopened, ConversationClosed)
"""Conversation changes the visitor's widget hears about as a `conversation` event."""


async def message_created(services: Services, event: MessageCreated) -> None:
    """Operators get the inbox line and, if watching, the message; the visitor the message
    unless it is an internal note."""
    message = wire.message(event.message)
    await services.sio.emit(
        "conversation.updated",
        wire.conversation_summary(event.conversation),
        room=OPERATORS_ROOM,
        namespace=OPERATORS,
    )
    room = conversation_room(event.message.conversation_id)
    await services.sio.emit("message", message, room=room, namespace=OPERATORS)
    if not event.message.internal:  # notes never leave the operators' side
        visitor_id = event.conversation.conversation.visitor_id
        await services.sio.emit(
            "message", message, room=visitor_room(visitor_id), namespace=VISITORS
        )


async def conversation_changed(services: Services, event: ConversationEvent) -> None:
    summary = event.conversation
    await services.sio.emit(
        "conversation.updated",
        wire.conversation_summary(summary),
        room=OPERATORS_ROOM,
        namespace=OPERATORS,
    )
    if isinstance(event, VISITOR_VISIBLE):
        conversation = summary.conversation
        await services.sio.emit(
            "conversation",
            wire.conversation_for_visitor(conversation),
            room=visitor_room(conversation.visitor_id),
            namespace=VISITORS,
        )


async def visitor_typing(services: Services, event: VisitorTyping) -> None:
    payload = {"conversation_id": event.conversation_id, "draft": event.draft}
    room = conversation_room(event.conversation_id)
    await services.sio.emit("visitor.typing", payload, room=room, namespace=OPERATORS)


async def operator_typing(services: Services, event: OperatorTyping) -> None:
    payload = {"typing": event.typing, "name": event.operator_name}
    room = visitor_room(event.visitor_id)
    await services.sio.emit("operator.typing", payload, room=room, namespace=VISITORS)


async def page_viewed(services: Services, event: PageViewed) -> None:
    await services.presence.visitor_pinged(event.visitor_id)  # a page view: they are here
    await visitor_changed(services, event.visitor_id)


async def visitor_updated(services: Services, event: VisitorUpdated) -> None:
    await visitor_changed(services, event.visitor.id)


async def site_updated(services: Services, event: SiteUpdated) -> None:
    """Connected widgets take the new settings (colour, greeting, typing preview) at once."""
    room = site_room(event.site.id)
    await services.sio.emit("site", wire.site_for_widget(event.site), room=room, namespace=VISITORS)


async def visitor_changed(services: Services, visitor_id: int) -> None:
    """Tell operators how a visitor looks now (online, page, name…)."""
    online = {visitor_id} if await services.presence.visitor_online(visitor_id) else set()
    try:
        summary = await services.visitors.summary(visitor_id, online)
    except NotFound:  # erased meanwhile (a privacy request): operators were told already
        return
    await services.sio.emit(
        "visitor.updated", wire.visitor_summary(summary), room=OPERATORS_ROOM, namespace=OPERATORS
    )


async def visitors_erased(services: Services, event: VisitorsErased) -> None:
    """Open inboxes and visitor lists drop what a privacy erasure deleted."""
    if event.conversation_ids:
        payload = {"ids": list(event.conversation_ids)}
        await services.sio.emit(
            "conversations.removed", payload, room=OPERATORS_ROOM, namespace=OPERATORS
        )
    if event.visitor_ids:
        payload = {"ids": list(event.visitor_ids)}
        await services.sio.emit(
            "visitors.removed", payload, room=OPERATORS_ROOM, namespace=OPERATORS
        )


async def sessions_revoked(services: Services, event: SessionsRevoked) -> None:
    """A signed-out session keeps no socket open, on whichever process holds it: the
    Socket.IO manager carries the request to every process with sockets in the room."""
    for session_id in event.session_ids:
        await disconnect_room(services.sio, session_room(session_id), OPERATORS)


async def visitor_presence_changed(services: Services, event: PresenceChanged) -> None:
    await visitor_changed(services, event.visitor_id)


async def operator_presence_changed(services: Services, _event: OperatorPresenceChanged) -> None:
    await presence_changed(services)


async def presence_changed(services: Services) -> None:
    """Operators see who is around; visitors only whether anyone is (when that flips)."""
    presence = services.presence
    operators = await presence.operators()
    await services.sio.emit(
        "presence", {"operators": operators}, room=OPERATORS_ROOM, namespace=OPERATORS
    )
    if await presence.online_flipped():
        online = await presence.operators_online()
        await services.sio.emit("presence", {"operators_online": online}, namespace=VISITORS)


async def unseen(
    services: Services, visitor_ids: Collection[int], operator_ids: Collection[int]
) -> None:
    """Presence changed without a socket event here: another process died (its entries
    expired) or this one came back after being taken for dead. Tell everyone as if the
    sockets had closed or opened."""
    presence = services.presence
    for visitor_id in visitor_ids:
        online = await presence.visitor_online(visitor_id)
        await services.events.publish(PresenceChanged(visitor_id, online=online))
    for operator_id in operator_ids:
        status = await presence.operator_status(operator_id)
        await services.events.publish(OperatorPresenceChanged(operator_id, status))
