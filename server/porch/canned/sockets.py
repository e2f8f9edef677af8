"""`canned.list` on the `/operator` socket: what the reply box offers after `/`, already
filled for the conversation (placeholders are never filled in the browser)."""

from __future__ import annotations

from porch.canned.service import CannedReplies
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import OPERATORS
from porch.realtime.operator import OperatorNamespace
from porch.realtime.schemas import ConversationRef
from porch.services import Services


class CannedEvents(Routed):
    def __init__(self, sockets: OperatorNamespace, canned: CannedReplies) -> None:
        self.sockets = sockets
        self.canned = canned

    @handles("canned.list", ConversationRef, limit="operator")
    async def list(self, sid: str, data: ConversationRef) -> Ack:
        operator = await self.sockets.operator(sid)
        found = await self.canned.for_conversation(data.conversation_id, operator.id)
        replies = [
            {"id": r.id, "shortcut": r.shortcut, "title": r.title, "text": text, "shared": r.shared}
            for r, text in found
        ]
        return {"ok": True, "replies": replies}


def attach(services: Services, canned: CannedReplies) -> None:
    sockets = services.sio.namespace_handlers[OPERATORS]
    assert isinstance(sockets, OperatorNamespace)
    sockets.extend(CannedEvents(sockets, canned))
