"""Event listeners that push chat changes to the right Socket.IO rooms.

Room names: `/visitor` `visitor:<id>` (all tabs of one visitor) and `site:<id>` (every
widget of a site); `/operator` `operators` (every operator), `conversation:<id>` (operators
watching it) and `session:<id>` (the sockets of one sign-in session, by its stored id).
"""

from __future__ import annotations

from functools import partial

from porch.chat.errors import NotFound
from porch.chat.events import (
    VISITOR_VISIBLE_CHANGES,
    ConversationChanged,
    MessageCreated,
    OperatorTyping,
    PageViewed,
    SiteUpdated,
    VisitorsErased,
    VisitorTyping,
    VisitorUpdated,
)
from porch.operators.events import SessionsRevoked
from porch.services import Services

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
    bus.subscribe(ConversationChanged, partial(conversation_changed, services))
    bus.subscribe(VisitorTyping, partial(visitor_typing, services))
    bus.subscribe(OperatorTyping, partial(operator_typing, services))
    bus.subscribe(PageViewed, partial(page_viewed, services))
    bus.subscribe(VisitorUpdated, partial(visitor_updated, services))
    bus.subscribe(SiteUpdated, partial(site_updated, services))
    bus.subscribe(SessionsRevoked, partial(sessions_revoked, services))
    bus.subscribe(VisitorsErased, partial(visitors_erased, services))


async def message_created(services: Services, event: MessageCreated) -> None:
    wire = event.message.to_wire()
    room = conversation_room(event.message.conversation_id)
    await services.sio.emit("message", wire, room=room, namespace=OPERATORS)
    if not event.message.internal:  # notes never leave the operators' side
        await services.sio.emit(
            "message", wire, room=visitor_room(event.visitor_id), namespace=VISITORS
        )


async def conversation_changed(services: Services, event: ConversationChanged) -> None:
    summary = event.summary or await services.chat.conversation_summary(event.conversation.id)
    await services.sio.emit(
        "conversation.updated", summary.to_wire(), room=OPERATORS_ROOM, namespace=OPERATORS
    )
    if event.change in VISITOR_VISIBLE_CHANGES:
        conversation = summary.conversation
        await services.sio.emit(
            "conversation",
            conversation.to_wire(),
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
    services.presence.visitor_pinged(event.visitor_id)  # a page view means they are here
    await visitor_changed(services, event.visitor_id)


async def visitor_updated(services: Services, event: VisitorUpdated) -> None:
    await visitor_changed(services, event.visitor.id)


async def site_updated(services: Services, event: SiteUpdated) -> None:
    """Connected widgets take the new settings (colour, greeting, typing preview) at once."""
    room = site_room(event.site.id)
    await services.sio.emit("site", event.site.to_widget(), room=room, namespace=VISITORS)


async def visitor_changed(services: Services, visitor_id: int) -> None:
    """Tell operators how a visitor looks now (online, page, name…)."""
    online = services.presence.online_visitor_ids()
    try:
        summary = await services.chat.visitor_summary(visitor_id, online)
    except NotFound:  # erased meanwhile (a privacy request): operators were told already
        return
    await services.sio.emit(
        "visitor.updated", summary.to_wire(), room=OPERATORS_ROOM, namespace=OPERATORS
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
    """A signed-out session keeps no socket open. In-process, like presence: once several
    processes serve sockets, the event has to reach them all (see docs/architecture.md)."""
    manager = services.sio.manager
    rooms = [session_room(session_id) for session_id in event.session_ids]
    sids = [sid for room in rooms for sid, _eio in manager.get_participants(OPERATORS, room)]
    for sid in sids:
        await services.sio.disconnect(sid, namespace=OPERATORS)


async def presence_changed(services: Services) -> None:
    """Operators see who is around; visitors only whether anyone is (when that flips)."""
    presence = services.presence
    await services.sio.emit(
        "presence", {"operators": presence.operators()}, room=OPERATORS_ROOM, namespace=OPERATORS
    )
    if presence.online_flipped():
        await services.sio.emit(
            "presence", {"operators_online": presence.operators_online()}, namespace=VISITORS
        )
