"""The `/visitor` namespace: the widget's socket. A visitor only ever reaches their own
conversation: the token names the visitor, no ids from the client are trusted."""

from __future__ import annotations

from typing import Any

from porch import wire
from porch.conversations.models import VisitorHello
from porch.errors import Forbidden
from porch.realtime import schemas
from porch.realtime.attached import claim_attachments
from porch.realtime.dispatch import Ack, EventNamespace, Refused, handles, when_connected
from porch.realtime.fanout import site_room, visitor_room
from porch.visitors.events import PresenceChanged
from porch.visitors.models import Page
from porch.visitors.tokens import read_visitor_token


class VisitorNamespace(EventNamespace):
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        claim = read_visitor_token(self.services.config.secret_key, token)
        if claim is None:
            raise Refused("invalid visitor token")
        visitor = await self.services.visitors.get(claim.visitor_id)
        if visitor is None or visitor.site_id != claim.site_id:
            raise Refused("invalid visitor token")
        hello = await self.services.conversations.visitor_hello(visitor.id)
        held = await self._held(visitor)
        await self.save_session(sid, {"visitor_id": visitor.id, "held": held})
        await self.enter_room(sid, visitor_room(visitor.id))
        await self.enter_room(sid, site_room(visitor.site_id))
        await self.services.presence.visitor_connected(visitor.id, sid)
        self.server.start_background_task(self._greet, sid, hello)

    async def _greet(self, sid: str, hello: VisitorHello) -> None:
        await when_connected(self.server, sid, self.namespace)
        await self.emit("hello", await self._hello_wire(hello), to=sid)
        await self.services.events.publish(PresenceChanged(hello.visitor.id, online=True))

    async def _hello_wire(self, hello: VisitorHello) -> dict[str, Any]:
        return wire.visitor_hello(hello, await self.services.presence.operators_online())

    async def on_disconnect(self, sid: str, reason: str | None = None) -> None:
        visitor_id = await self.services.presence.visitor_disconnected(sid)
        if visitor_id is not None:
            online = await self.services.presence.visitor_online(visitor_id)
            await self.services.events.publish(PresenceChanged(visitor_id, online=online))

    async def _held(self, visitor: Any) -> str | None:
        """Why the visitor may not write yet, by the features' gates (None: they may)."""
        for gate in self.services.visitor_gates:
            if reason := await gate(visitor):
                return reason
        return None

    async def lift_gate(self, sid: str) -> None:
        """The visitor did what a gate waited for (agreed to the notice): they may write."""
        async with self.session(sid) as session:
            session["held"] = None

    async def rate_key(self, sid: str) -> str:
        return f"visitor:{await self._visitor_id(sid)}"

    async def _visitor_id(self, sid: str) -> int:
        visitor_id: int = (await self.get_session(sid))["visitor_id"]
        return visitor_id

    @handles("message.send", schemas.VisitorMessageSend, limit="message")
    async def send(self, sid: str, data: schemas.VisitorMessageSend) -> Ack:
        session = await self.get_session(sid)
        visitor_id: int = session["visitor_id"]
        if session.get("held"):  # asked again: they may have agreed in another tab
            visitor = await self.services.visitors.get(visitor_id)
            if visitor is None or (reason := await self._held(visitor)):
                raise Forbidden(reason or "unknown visitor")
            await self.lift_gate(sid)
        body, parts = data.body, None
        if data.choice is not None:  # a click: stored as the label the visitor saw
            from porch.flows import choices

            choice = data.choice
            body = await choices.offered_label(
                self.services.db, visitor_id, choice.message_id, choice.choice_id
            )
            parts = choices.answer_parts(choice.message_id, choice.choice_id)
        else:
            parts = await claim_attachments(self.services, "visitor", visitor_id, data)
        message = await self.services.conversations.send_visitor_message(
            visitor_id, data.client_id, body, parts=parts
        )
        if parts and self.services.attachments is not None:
            await self.services.attachments.placed(data.client_id, visitor_id, message)
        return {"ok": True, "message": wire.message(message)}

    @handles("conversation.transcript", schemas.ConversationRef, limit="read")
    async def transcript(self, sid: str, data: schemas.ConversationRef) -> Ack:
        """One of the visitor's earlier conversations, to read again."""
        found = await self.services.conversations.visitor_transcript(
            await self._visitor_id(sid), data.conversation_id
        )
        return {"ok": True, "messages": [wire.message(m) for m in found]}

    @handles("typing", schemas.VisitorTyping, limit="typing")
    async def typing(self, sid: str, data: schemas.VisitorTyping) -> Ack:
        await self.services.conversations.visitor_typing(await self._visitor_id(sid), data.draft)
        return None

    @handles("page.view", schemas.PageView, limit="page_view")
    async def page_view(self, sid: str, data: schemas.PageView) -> Ack:
        page = Page(url=data.url, title=data.title, referrer=data.referrer)
        await self.services.visitors.record_page_view(await self._visitor_id(sid), page)
        return None

    @handles("visitor.update", schemas.VisitorUpdate, limit="visitor_update")
    async def update(self, sid: str, data: schemas.VisitorUpdate) -> Ack:
        await self.services.visitors.update(
            await self._visitor_id(sid),
            name=data.name,
            email=data.email,
            attributes=data.attributes,
        )
        return {"ok": True}

    @handles("read", schemas.Empty, limit="read")
    async def read(self, sid: str, data: schemas.Empty) -> Ack:
        await self.services.conversations.mark_visitor_read(await self._visitor_id(sid))
        return None
