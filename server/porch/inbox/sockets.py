"""The inbox tools' events on the `/operator` socket and their fan-out to operators."""

from __future__ import annotations

from functools import partial
from typing import Any

from porch import wire
from porch.errors import Invalid
from porch.inbox import schemas
from porch.inbox.events import ConversationSnoozed, ConversationTagsChanged, ConversationWoke
from porch.inbox.service import InboxTools
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import OPERATORS, OPERATORS_ROOM
from porch.realtime.operator import OperatorNamespace
from porch.services import Services


class InboxEvents(Routed):
    def __init__(self, sockets: OperatorNamespace, tools: InboxTools) -> None:
        self.sockets = sockets
        self.tools = tools

    @handles("inbox.query", schemas.InboxQuery, limit="operator")
    async def query(self, sid: str, data: schemas.InboxQuery) -> Ack:
        """The inbox list by status (`open` without snoozed ones, or `snoozed`) and tag;
        each summary carries its `tags` and `snoozed_until`."""
        summaries = await self.tools.inbox(data.status, data.tag)
        marks = await self.tools.marks([s.conversation.id for s in summaries])
        shapes = []
        for summary in summaries:
            mark = marks[summary.conversation.id]
            shape: dict[str, Any] = wire.conversation_summary(summary)
            shape["tags"] = mark["tags"]
            shape["snoozed_until"] = wire.iso(mark["snoozed_until"])
            if data.status == "snoozed":  # the panel keeps a list per status
                shape["status"] = "snoozed"
            shapes.append(shape)
        return {"ok": True, "conversations": shapes, "all_tags": await self.tools.all_tags()}

    @handles("conversation.tag", schemas.TagChange, limit="operator")
    async def tag(self, sid: str, data: schemas.TagChange) -> Ack:
        actor = await self.sockets.actor(sid)
        tags = await self.tools.add_tag(data.conversation_id, data.tag, actor)
        return {"ok": True, "tags": tags}

    @handles("conversation.untag", schemas.TagChange, limit="operator")
    async def untag(self, sid: str, data: schemas.TagChange) -> Ack:
        actor = await self.sockets.actor(sid)
        tags = await self.tools.remove_tag(data.conversation_id, data.tag, actor)
        return {"ok": True, "tags": tags}

    @handles("conversation.marks", schemas.Wake, limit="operator")
    async def marks(self, sid: str, data: schemas.Wake) -> Ack:
        mark = (await self.tools.marks([data.conversation_id]))[data.conversation_id]
        return {
            "ok": True,
            "tags": mark["tags"],
            "snoozed_until": wire.iso(mark["snoozed_until"]),
        }

    @handles("conversation.snooze", schemas.Snooze, limit="operator")
    async def snooze(self, sid: str, data: schemas.Snooze) -> Ack:
        if data.preset is not None:
            until = await self.tools.preset(data.conversation_id, data.preset)
        elif data.until is not None:
            until = data.until
        else:
            raise Invalid("snooze until a preset or a time")
        actor = await self.sockets.actor(sid)
        until = await self.tools.snooze(data.conversation_id, until, actor)
        return {"ok": True, "snoozed_until": wire.iso(until)}

    @handles("conversation.wake", schemas.Wake, limit="operator")
    async def wake(self, sid: str, data: schemas.Wake) -> Ack:
        await self.tools.wake(data.conversation_id, await self.sockets.actor(sid))
        return {"ok": True}


async def _tags_changed(services: Services, event: ConversationTagsChanged) -> None:
    payload = {"conversation_id": event.conversation_id, "tags": list(event.tags)}
    await services.sio.emit("conversation.tags", payload, room=OPERATORS_ROOM, namespace=OPERATORS)


async def _snoozed(services: Services, event: ConversationSnoozed) -> None:
    payload = {"conversation_id": event.conversation_id, "until": wire.iso(event.until)}
    await services.sio.emit(
        "conversation.snoozed", payload, room=OPERATORS_ROOM, namespace=OPERATORS
    )


async def _woke(services: Services, event: ConversationWoke) -> None:
    """Operators hear it with the summary, so the conversation comes back in their list."""
    summary = wire.conversation_summary(await services.conversations.summary(event.conversation_id))
    payload = {"conversation_id": event.conversation_id, "conversation": summary}
    await services.sio.emit("conversation.woke", payload, room=OPERATORS_ROOM, namespace=OPERATORS)


def attach(services: Services, tools: InboxTools) -> None:
    sockets = services.sio.namespace_handlers[OPERATORS]
    assert isinstance(sockets, OperatorNamespace)
    sockets.extend(InboxEvents(sockets, tools))
    services.events.subscribe(ConversationTagsChanged, partial(_tags_changed, services))
    services.events.subscribe(ConversationSnoozed, partial(_snoozed, services))
    services.events.subscribe(ConversationWoke, partial(_woke, services))
