"""The `/visitor` namespace: the widget's socket. A visitor only ever reaches their own
conversation: the token names the visitor, no ids from the client are trusted."""

from __future__ import annotations

from typing import Any

from porch.chat.models import Page, VisitorHello
from porch.chat.tokens import read_visitor_token
from porch.realtime import fanout, schemas
from porch.realtime.dispatch import Ack, EventNamespace, Refused, handles, when_connected
from porch.realtime.fanout import site_room, visitor_room


class VisitorNamespace(EventNamespace):
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        claim = read_visitor_token(self.services.config.secret_key, token)
        if claim is None:
            raise Refused("invalid visitor token")
        visitor = await self.services.chat.get_visitor(claim.visitor_id)
        if visitor is None or visitor.site_id != claim.site_id:
            raise Refused("invalid visitor token")
        hello = await self.services.chat.visitor_hello(visitor.id)
        await self.save_session(sid, {"visitor_id": visitor.id})
        await self.enter_room(sid, visitor_room(visitor.id))
        await self.enter_room(sid, site_room(visitor.site_id))
        self.services.presence.visitor_connected(visitor.id, sid)
        self.server.start_background_task(self._greet, sid, hello)

    async def _greet(self, sid: str, hello: VisitorHello) -> None:
        await when_connected(self.server, sid, self.namespace)
        await self.emit("hello", self._hello_wire(hello), to=sid)
        await fanout.visitor_changed(self.services, hello.visitor.id)

    def _hello_wire(self, hello: VisitorHello) -> dict[str, Any]:
        return {
            "visitor": hello.visitor.to_wire(),
            "conversation": hello.conversation.to_wire() if hello.conversation else None,
            "messages": [m.to_wire() for m in hello.messages],
            "unread": hello.unread,
            "operators_online": self.services.presence.operators_online(),
            "settings": {"typing_preview": hello.site.typing_preview},
        }

    async def on_disconnect(self, sid: str, reason: str | None = None) -> None:
        visitor_id = self.services.presence.visitor_disconnected(sid)
        if visitor_id is not None:
            await fanout.visitor_changed(self.services, visitor_id)

    async def rate_key(self, sid: str) -> str:
        return f"visitor:{await self._visitor_id(sid)}"

    async def _visitor_id(self, sid: str) -> int:
        return (await self.get_session(sid))["visitor_id"]

    @handles("message.send", schemas.VisitorMessageSend, limit="message")
    async def send(self, sid: str, data: schemas.VisitorMessageSend) -> Ack:
        visitor_id = await self._visitor_id(sid)
        message = await self.services.chat.send_visitor_message(
            visitor_id, data.client_id, data.body
        )
        return {"ok": True, "message": message.to_wire()}

    @handles("typing", schemas.VisitorTyping, limit="typing")
    async def typing(self, sid: str, data: schemas.VisitorTyping) -> Ack:
        await self.services.chat.visitor_typing(await self._visitor_id(sid), data.draft)
        return None

    @handles("page.view", schemas.PageView, limit="page_view")
    async def page_view(self, sid: str, data: schemas.PageView) -> Ack:
        page = Page(url=data.url, title=data.title, referrer=data.referrer)
        await self.services.chat.record_page_view(await self._visitor_id(sid), page)
        return None

    @handles("visitor.update", schemas.VisitorUpdate, limit="visitor_update")
    async def update(self, sid: str, data: schemas.VisitorUpdate) -> Ack:
        await self.services.chat.update_visitor(
            await self._visitor_id(sid),
            name=data.name,
            email=data.email,
            attributes=data.attributes,
        )
        return {"ok": True}

    @handles("read", schemas.Empty, limit="read")
    async def read(self, sid: str, data: schemas.Empty) -> Ack:
        await self.services.chat.mark_visitor_read(await self._visitor_id(sid))
        return None
