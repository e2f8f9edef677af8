"""The `/operator` namespace: the panel's socket, authenticated by the session cookie."""

from __future__ import annotations

from typing import Any

from porch.chat.origins import is_own_origin
from porch.operators.service import Operator
from porch.panel.sessions import resolve_cookie_header
from porch.realtime import fanout, schemas
from porch.realtime.dispatch import Ack, EventNamespace, Refused, handles, when_connected
from porch.realtime.fanout import OPERATORS_ROOM, conversation_room, session_room


class OperatorNamespace(EventNamespace):
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if not self._same_origin(environ):
            raise Refused("cross-origin operator sockets are not allowed")
        services = self.services
        session = await resolve_cookie_header(
            services.sessions, services.config.secret_key, environ.get("HTTP_COOKIE")
        )
        if session is None:
            raise Refused("not logged in")
        operator = session.operator
        await self.save_session(sid, {"operator": operator})
        await self.enter_room(sid, session_room(session.id))  # signing out disconnects it
        await self.enter_room(sid, OPERATORS_ROOM)
        self.services.presence.operator_connected(operator, sid)
        self.server.start_background_task(self._greet, sid)

    def _same_origin(self, environ: dict[str, Any]) -> bool:
        """Cookies ride along on any page's socket, so only the panel's own origin may use
        them. No Origin header means no browser page is involved."""
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return True
        scheme, host = environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", "")
        return is_own_origin(origin, self.services.config.base_url, scheme, host)

    async def _greet(self, sid: str) -> None:
        await when_connected(self.server, sid, self.namespace)
        await fanout.presence_changed(self.services)

    async def on_disconnect(self, sid: str, reason: str | None = None) -> None:
        self.services.presence.operator_disconnected(sid)
        await fanout.presence_changed(self.services)

    async def _operator(self, sid: str) -> Operator:
        return (await self.get_session(sid))["operator"]

    async def rate_key(self, sid: str) -> str:
        return f"operator:{(await self._operator(sid)).id}"

    @handles("inbox.list", schemas.InboxList, limit="operator")
    async def inbox(self, sid: str, data: schemas.InboxList) -> Ack:
        summaries = await self.services.chat.list_conversations(data.status)
        return {"ok": True, "conversations": [s.to_wire() for s in summaries]}

    @handles("conversation.watch", schemas.ConversationRef, limit="operator")
    async def watch(self, sid: str, data: schemas.ConversationRef) -> Ack:
        online = self.services.presence.online_visitor_ids()
        detail = await self.services.chat.watch_conversation(data.conversation_id, online)
        await self.enter_room(sid, conversation_room(data.conversation_id))
        return {
            "ok": True,
            "conversation": detail.summary.to_wire(),
            "messages": [m.to_wire() for m in detail.messages],
            "visitor": detail.visitor.to_wire(),
            "draft": detail.draft,
        }

    @handles("conversation.unwatch", schemas.ConversationRef, limit="operator")
    async def unwatch(self, sid: str, data: schemas.ConversationRef) -> Ack:
        await self.leave_room(sid, conversation_room(data.conversation_id))
        return {"ok": True}

    @handles("message.send", schemas.OperatorMessageSend, limit="message")
    async def send(self, sid: str, data: schemas.OperatorMessageSend) -> Ack:
        message = await self.services.chat.send_operator_message(
            data.conversation_id,
            await self._operator(sid),
            data.client_id,
            data.body,
            data.internal,
        )
        return {"ok": True, "message": message.to_wire()}

    @handles("typing", schemas.OperatorTyping, limit="typing")
    async def typing(self, sid: str, data: schemas.OperatorTyping) -> Ack:
        operator = await self._operator(sid)
        await self.services.chat.operator_typing(data.conversation_id, operator, data.typing)
        return None

    @handles("conversation.read", schemas.ConversationRef, limit="operator")
    async def read(self, sid: str, data: schemas.ConversationRef) -> Ack:
        summary = await self.services.chat.mark_read(data.conversation_id)
        return {"ok": True, "conversation": summary.to_wire()}

    @handles("conversation.assign", schemas.Assign, limit="operator")
    async def assign(self, sid: str, data: schemas.Assign) -> Ack:
        summary = await self.services.chat.assign(data.conversation_id, data.operator_id)
        return {"ok": True, "conversation": summary.to_wire()}

    @handles("conversation.close", schemas.ConversationRef, limit="operator")
    async def close(self, sid: str, data: schemas.ConversationRef) -> Ack:
        summary = await self.services.chat.close(data.conversation_id)
        return {"ok": True, "conversation": summary.to_wire()}

    @handles("conversation.reopen", schemas.ConversationRef, limit="operator")
    async def reopen(self, sid: str, data: schemas.ConversationRef) -> Ack:
        summary = await self.services.chat.reopen(data.conversation_id)
        return {"ok": True, "conversation": summary.to_wire()}

    @handles("conversation.start", schemas.Start, limit="operator")
    async def start(self, sid: str, data: schemas.Start) -> Ack:
        operator = await self._operator(sid)
        summary = await self.services.chat.start_conversation(data.visitor_id, operator.id)
        return {"ok": True, "conversation": summary.to_wire()}

    @handles("visitors.list", schemas.Empty, limit="operator")
    async def visitors(self, sid: str, data: schemas.Empty) -> Ack:
        online = self.services.presence.online_visitor_ids()
        summaries = await self.services.chat.list_visitors(online)
        return {"ok": True, "visitors": [s.to_wire() for s in summaries]}

    @handles("operators.list", schemas.Empty, limit="operator")
    async def operators(self, sid: str, data: schemas.Empty) -> Ack:
        presence = self.services.presence
        everyone = await self.services.operators.list()
        listed = [{**o.to_wire(), "status": presence.operator_status(o.id)} for o in everyone]
        return {"ok": True, "operators": listed}

    @handles("presence.set", schemas.PresenceSet, limit="operator")
    async def set_presence(self, sid: str, data: schemas.PresenceSet) -> Ack:
        self.services.presence.set_status((await self._operator(sid)).id, data.status)
        await fanout.presence_changed(self.services)
        return {"ok": True}
