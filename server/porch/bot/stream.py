"""The live side of an answer: a typing state, then the text growing (`bot.stream`) in
the visitor's widget and for operators watching the conversation in the panel, before
the stored message arrives as an ordinary `message` (stored once, at the end)."""

from __future__ import annotations

from porch.realtime.fanout import OPERATORS, VISITORS, conversation_room, visitor_room
from porch.services import Services


class AnswerStream:
    def __init__(self, services: Services, visitor_id: int, conversation_id: int, name: str):
        self.services = services
        self.room = visitor_room(visitor_id)
        self.watchers = conversation_room(conversation_id)
        self.conversation_id = conversation_id
        self.name = name
        self.sent = ""

    async def typing(self, on: bool) -> None:
        payload = {"typing": on, "name": self.name}
        await self.services.sio.emit("operator.typing", payload, room=self.room, namespace=VISITORS)

    async def grow(self, text: str) -> None:
        if text == self.sent:
            return
        self.sent = text
        payload = {"conversation_id": self.conversation_id, "name": self.name, "text": text}
        sio = self.services.sio
        await sio.emit("bot.stream", payload, room=self.room, namespace=VISITORS)
        await sio.emit("bot.stream", payload, room=self.watchers, namespace=OPERATORS)

    async def stop(self) -> None:
        """The stream ended without an answer (a handoff): clear the growing text."""
        if self.sent:
            await self.grow("")
        await self.typing(False)
