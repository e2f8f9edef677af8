"""Read receipts: a visitor's widget hears when operators have read the conversation, and
marks its messages "Seen" (docs/widget.md, "Read receipts")."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.conversations.events import ConversationRead
    from porch.services import Services


def install(services: Services) -> None:
    from porch.conversations.events import ConversationRead

    services.events.subscribe(ConversationRead, partial(conversation_read, services))


async def conversation_read(services: Services, event: ConversationRead) -> None:
    """`seen {conversation_id, at}` to the visitor: operators read everything before `at`."""
    from porch import wire
    from porch.realtime.fanout import VISITORS, visitor_room

    conversation = event.conversation.conversation
    payload = {"conversation_id": conversation.id, "at": wire.iso(conversation.operator_read_at)}
    room = visitor_room(conversation.visitor_id)
    await services.sio.emit("seen", payload, room=room, namespace=VISITORS)
