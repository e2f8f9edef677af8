"""The `/operator` namespace: the panel's socket, authenticated by the session cookie."""

from __future__ import annotations

from typing import Any

from porch import wire
from porch.actors import Actor
from porch.operators.events import OperatorPresenceChanged
from porch.operators.service import Operator
from porch.panel.sessions import resolve_cookie_header
from porch.realtime import schemas
from porch.realtime.attached import claim_attachments
from porch.realtime.dispatch import Ack, EventNamespace, Refused, handles, when_connected
from porch.realtime.fanout import OPERATORS_ROOM, conversation_room, session_room
from porch.sites.origins import is_own_origin


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
        await self.services.presence.operator_connected(operator, sid)
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
        operator = await self.operator(sid)
        await self._presence_changed(operator.id)

    async def on_disconnect(self, sid: str, reason: str | None = None) -> None:
        operator_id = await self.services.presence.operator_disconnected(sid)
        if operator_id is not None:
            await self._presence_changed(operator_id)

    async def _presence_changed(self, operator_id: int) -> None:
        status = await self.services.presence.operator_status(operator_id)
        await self.services.events.publish(OperatorPresenceChanged(operator_id, status))

    async def operator(self, sid: str) -> Operator:
        operator: Operator = (await self.get_session(sid))["operator"]
        return operator

    async def rate_key(self, sid: str) -> str:
        return f"operator:{(await self.operator(sid)).id}"

    async def actor(self, sid: str) -> Actor:
        operator = await self.operator(sid)
        return Actor.operator(operator.id, operator.name)

    @handles("inbox.list", schemas.InboxList, limit="operator")
    async def inbox(self, sid: str, data: schemas.InboxList) -> Ack:
        summaries = await self.services.conversations.inbox(data.status)
        return {"ok": True, "conversations": [wire.conversation_summary(s) for s in summaries]}

    @handles("conversation.watch", schemas.ConversationRef, limit="operator")
    async def watch(self, sid: str, data: schemas.ConversationRef) -> Ack:
        online = await self.services.presence.online_visitor_ids()
        detail = await self.services.conversations.watch(
            data.conversation_id, await self.actor(sid), online
        )
        await self.enter_room(sid, conversation_room(data.conversation_id))
        return {
            "ok": True,
            "conversation": wire.conversation_summary(detail.summary),
            "messages": [wire.message(m) for m in detail.messages],
            "visitor": wire.visitor_summary(detail.visitor),
            "draft": detail.draft,
            "history": [wire.conversation_summary(s) for s in detail.history],
        }

    @handles("conversation.unwatch", schemas.ConversationRef, limit="operator")
    async def unwatch(self, sid: str, data: schemas.ConversationRef) -> Ack:
        await self.leave_room(sid, conversation_room(data.conversation_id))
        return {"ok": True}

    @handles("message.send", schemas.OperatorMessageSend, limit="message")
    async def send(self, sid: str, data: schemas.OperatorMessageSend) -> Ack:
        actor = await self.actor(sid)
        parts = await claim_attachments(self.services, "operator", actor.id or 0, data)
        message = await self.services.conversations.post_message(
            actor, data.conversation_id, data.client_id, data.body, internal=data.internal,
            parts=parts,
        )  # fmt: skip
        return {"ok": True, "message": wire.message(message)}

    @handles("typing", schemas.OperatorTyping, limit="typing")
    async def typing(self, sid: str, data: schemas.OperatorTyping) -> Ack:
        actor = await self.actor(sid)
        await self.services.conversations.operator_typing(data.conversation_id, actor, data.typing)
        return None

    @handles("conversation.read", schemas.ConversationRef, limit="operator")
    async def read(self, sid: str, data: schemas.ConversationRef) -> Ack:
        actor = await self.actor(sid)
        summary = await self.services.conversations.mark_read(data.conversation_id, actor)
        return {"ok": True, "conversation": wire.conversation_summary(summary)}

    @handles("conversation.assign", schemas.Assign, limit="operator")
    async def assign(self, sid: str, data: schemas.Assign) -> Ack:
        actor = await self.actor(sid)
        summary = await self.services.conversations.assign(
            data.conversation_id, data.operator_id, actor
        )
        return {"ok": True, "conversation": wire.conversation_summary(summary)}

    @handles("conversation.close", schemas.ConversationRef, limit="operator")
    async def close(self, sid: str, data: schemas.ConversationRef) -> Ack:
        actor = await self.actor(sid)
        summary = await self.services.conversations.close(data.conversation_id, actor)
        return {"ok": True, "conversation": wire.conversation_summary(summary)}

    @handles("conversation.reopen", schemas.ConversationRef, limit="operator")
    async def reopen(self, sid: str, data: schemas.ConversationRef) -> Ack:
        actor = await self.actor(sid)
        summary = await self.services.conversations.reopen(data.conversation_id, actor)
        return {"ok": True, "conversation": wire.conversation_summary(summary)}

    @handles("conversation.start", schemas.Start, limit="operator")
    async def start(self, sid: str, data: schemas.Start) -> Ack:
        summary = await self.services.conversations.start(data.visitor_id, await self.actor(sid))
        return {"ok": True, "conversation": wire.conversation_summary(summary)}

    @handles("visitors.list", schemas.Empty, limit="operator")
    async def visitors(self, sid: str, data: schemas.Empty) -> Ack:
        online = await self.services.presence.online_visitor_ids()
        summaries = await self.services.visitors.list_live(online)
        return {"ok": True, "visitors": [wire.visitor_summary(s) for s in summaries]}

    @handles("operators.list", schemas.Empty, limit="operator")
    async def operators(self, sid: str, data: schemas.Empty) -> Ack:
        connected = {o["id"]: o["status"] for o in await self.services.presence.operators()}
        everyone = await self.services.operators.list()
        listed = [{**wire.operator(o), "status": connected.get(o.id, "offline")} for o in everyone]
        return {"ok": True, "operators": listed}

    @handles("presence.set", schemas.PresenceSet, limit="operator")
    async def set_presence(self, sid: str, data: schemas.PresenceSet) -> Ack:
        await self.services.presence.set_status((await self.operator(sid)).id, data.status)
        await self._presence_changed((await self.operator(sid)).id)
        return {"ok": True}
