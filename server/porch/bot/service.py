"""The bot's reply to a visitor's message: a durable job (`bot.reply`) enqueued with the
message, so the visitor's ack never waits for the model.

Each run decides, in order: keep quiet (bot off, a human joined, the mode says people
are at work, handed off already); collect an email for a ticket; hand off by Porch's rules
(asked for a person, frustration, a loop) or its cost limits (bot.limits); else retrieve
passages and stream Claude's answer with its citations, handing off when the model asks
to, fails, or could not answer twice in a row. Idempotent: the visitor-facing reply has
the client id `bot:<message id>`.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from typing import Any

from porch.actors import Actor
from porch.bot import client as model
from porch.bot import limits, prompt, rules, settings, state, wording
from porch.bot.events import BotHandedOff
from porch.bot.retrieval import retrieve
from porch.bot.settings import BotSettings, key_box
from porch.bot.state import BotState
from porch.bot.stream import AnswerStream
from porch.bot.tables import bot_answers
from porch.conversations import queries as conversation_queries
from porch.conversations.models import Message
from porch.db.bot_fulltext import Hit
from porch.hours.calculator import is_open
from porch.hours.models import BusinessHours
from porch.services import Services

log = logging.getLogger(__name__)

REPLY_JOB = "bot.reply"
EMAIL = re.compile(r"[^@\s<>\"']{1,64}@[^@\s<>\"']{1,255}\.[A-Za-z]{2,}")
HANDOFF_CHOICES = [{"id": rules.HANDOFF_CHOICE, "label": rules.HANDOFF_LABEL}]


class BotService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.box = key_box(services.config.secret_key)
        self._clients: dict[str, Any] = {}
        """One SDK client per API key, kept: its connection pool saves a TLS handshake
        per answer."""

    def client_for(self, sealed: str | None) -> Any:
        key = self.box.open(sealed) or os.environ.get("ANTHROPIC_API_KEY") or ""
        if key not in self._clients:
            self._clients[key] = model.make_client(key)
        return self._clients[key]

    async def close(self) -> None:
        for api in self._clients.values():
            await api.close()
        self._clients.clear()

    # -- the job ----------------------------------------------------------------------

    async def reply(self, payload: dict[str, Any]) -> None:
        data = payload["data"]
        message = data["message"]
        conversation = data["conversation"]["conversation"]
        turn = Turn(
            message_id=int(message["id"]),
            conversation_id=int(message["conversation_id"]),
            site_id=int(conversation["site_id"]),
            visitor_id=int(conversation["visitor_id"]),
            body=str(message["body"]),
            parts=message.get("parts"),
        )
        await self.respond(turn)

    async def respond(self, turn: Turn) -> None:
        db = self.services.db
        async with db.connect() as conn:
            if await conversation_queries.message_by_client_id(
                conn, turn.conversation_id, turn.reply_id
            ):
                return  # this job ran already
            config = await settings.load(conn, turn.site_id)
            current = await state.load(conn, turn.conversation_id)
            joined = await state.human_joined(conn, turn.conversation_id)
            history = await conversation_queries.latest_messages(
                conn, turn.conversation_id, include_internal=False, limit=30
            )
        if config.mode == "off" or joined or current.state in (state.HANDED_OFF, state.TICKETED):
            return
        if current.state == state.AWAITING_EMAIL:
            await self._take_email(turn, config, current)
            return
        if config.mode == "outside_hours" and await self._people_at_work(turn.site_id):
            return
        earlier = [m.body for m in history if m.author == "visitor" and m.id != turn.message_id]
        reason = rules.handoff_reason(turn.body, turn.parts, earlier)
        if not reason:
            async with self.services.db.connect() as conn:
                now = self.services.clock.now()
                reason = await limits.reached(conn, config, turn.conversation_id, now)
        if reason:
            await self.hand_off(turn, config, current, reason)
            return
        await self._answer(turn, config, current, [m for m in history if m.id != turn.message_id])

    async def _people_at_work(self, site_id: int) -> bool:
        site = await self.services.sites.get(site_id)
        hours = BusinessHours.of_site(site.settings if site else {})
        open_now = is_open(hours, self.services.clock.now())
        return open_now and await self.services.presence.operators_online()

    # -- answering --------------------------------------------------------------------

    async def _answer(
        self, turn: Turn, config: BotSettings, current: BotState, history: list[Message]
    ) -> None:
        passages = await retrieve(self.services.db, turn.site_id, turn.body)
        stream = AnswerStream(self.services, turn.visitor_id, turn.conversation_id, config.name)
        guard = LeakGuard(config, self.box.open(config.api_key_sealed))
        await stream.typing(True)
        try:
            reply = await self._call_model(turn, config, history, passages, stream, guard)
        except model.ModelFailed as failure:
            await stream.stop()
            log.warning("bot model failed in conversation %s: %s", turn.conversation_id, failure)
            await self.hand_off(turn, config, current, f"The AI failed: {failure.reason}.")
            return
        if reply.tool is not None:
            await stream.stop()
            await self._act_on_tool(turn, config, current, reply.tool)
            return
        if guard.leaked or not reply.text.strip():
            await stream.stop()
            await self.hand_off(turn, config, current, "The AI's answer was withheld.")
            return
        misses = 0 if reply.sources else current.misses + 1
        if misses >= rules.MISSES_BEFORE_HANDOFF:
            await stream.stop()
            await self.hand_off(turn, config, current, "The bot could not answer twice in a row.")
            return
        await self._post_answer(turn, config, replace(current, misses=misses), reply, passages)

    async def _call_model(
        self,
        turn: Turn,
        config: BotSettings,
        history: list[Message],
        passages: list[Hit],
        stream: AnswerStream,
        guard: LeakGuard,
    ) -> model.Reply:
        api = self.client_for(config.api_key_sealed)
        orders = await self._orders_available(turn.site_id)

        async def on_text(text: str) -> None:
            if guard.check(text):
                await stream.grow(text)

        async def run_tool(name: str, arguments: dict[str, Any]) -> str | None:
            if name == "lookup_order":
                return await self._lookup_order(turn, arguments, orders)
            return None

        return await model.answer(
            api,
            model=config.model,
            system=prompt.system(config.name, config.instructions),
            tools=prompt.tools(orders),
            messages=prompt.messages(history, turn.body, passages),
            passages=passages,
            on_text=on_text,
            run_tool=run_tool,
        )

    async def _post_answer(
        self,
        turn: Turn,
        config: BotSettings,
        current: BotState,
        reply: model.Reply,
        passages: list[Hit],
    ) -> None:
        parts: dict[str, Any] = {"choices": HANDOFF_CHOICES}
        if reply.sources:
            parts["sources"] = reply.sources
        message = await self.services.conversations.post_message(
            _bot(config), turn.conversation_id, turn.reply_id, reply.text, parts=parts
        )
        async with self.services.db.begin() as conn:
            await state.save(conn, current)
            await conn.execute(
                bot_answers.insert().values(
                    message_id=message.id,
                    conversation_id=turn.conversation_id,
                    question=turn.body,
                    answer=reply.text,
                    passages=[_passage(p) for p in passages],
                    sources=reply.sources,
                    created_at=self.services.clock.now(),
                )
            )

    # -- tools ------------------------------------------------------------------------

    async def _act_on_tool(
        self, turn: Turn, config: BotSettings, current: BotState, call: model.ToolCall
    ) -> None:
        if call.name == "create_ticket":
            visitor = await self.services.visitors.get(turn.visitor_id)
            subject = str(call.input.get("subject") or turn.body)[:200]
            priority = str(call.input.get("priority") or "medium")
            if visitor is not None and visitor.email:
                await self._ticket(turn, config, current, visitor.email, subject, priority)
                return
            await self._ask_email(turn, config, current, f"The bot opened a request: {subject}")
            return
        reason = str(call.input.get("reason") or "The bot asked for a person.")[:300]
        await self.hand_off(turn, config, current, reason)

    async def _orders_available(self, site_id: int) -> bool:
        from porch.integrations.shopify.store import ShopStore
        from porch.secrets import SHOPIFY_TOKENS, SecretBox

        box = SecretBox(self.services.config.secret_key, SHOPIFY_TOKENS)
        stored = await ShopStore(self.services.db, box).for_site(site_id)
        return stored is not None and stored.installed

    async def _lookup_order(self, turn: Turn, arguments: dict[str, Any], available: bool) -> str:
        """Only for the verified customer's own email, or an email the visitor typed
        themselves in this conversation: never another customer's order."""
        from porch.integrations.shopify.admin import ShopifyError
        from porch.integrations.shopify.orders import find_order

        email = str(arguments.get("email") or "").strip().lower()
        number = str(arguments.get("number") or "")
        if not await self._visitor_owns(turn, email):
            return "Refused: that email is not this visitor's. Ask them for their own."
        site = await self.services.sites.get(turn.site_id)
        if site is None or not available:
            return "Order lookup is not available."
        try:
            order = await find_order(self._shopify(), site, number, email)
        except ShopifyError:
            return "Order lookup is not available right now."
        if order is None:
            return "No order with that number and email."
        return str(order.to_wire())

    async def _visitor_owns(self, turn: Turn, email: str) -> bool:
        visitor = await self.services.visitors.get(turn.visitor_id)
        if visitor is None or not email:
            return False
        if visitor.verified:
            return (visitor.email or "").lower() == email
        async with self.services.db.connect() as conn:
            said = await conversation_queries.latest_messages(
                conn, turn.conversation_id, include_internal=False
            )
        typed = {m.lower() for s in said if s.author == "visitor" for m in EMAIL.findall(s.body)}
        return email in typed

    def _shopify(self) -> Any:
        from porch.integrations.shopify.service import ShopifyApp

        s = self.services
        return ShopifyApp(s.config, s.db, s.events, s.sites, s.locks)

    # -- handing off ------------------------------------------------------------------

    async def flow_handoff(self, conversation_id: int, reason: str, key: str) -> bool:
        """A flow says the bot should step aside (the seam for porch.flows): the same
        handoff as the bot's own, once per `key`; False when the bot is not handling the
        conversation (off, handed off already, or a human joined)."""
        async with self.services.db.connect() as conn:
            conversation = await conversation_queries.conversation(conn, conversation_id)
            if conversation is None:
                return False
            config = await settings.load(conn, conversation.site_id)
            current = await state.load(conn, conversation_id)
            joined = await state.human_joined(conn, conversation_id)
        if config.mode == "off" or joined or current.state != state.ANSWERING:
            return False
        turn = Turn(
            message_id=0,
            conversation_id=conversation_id,
            site_id=conversation.site_id,
            visitor_id=conversation.visitor_id,
            body="",
            parts=None,
            key=f"flow:{key}"[:50],
        )
        await self.hand_off(turn, config, current, reason[:300])
        return True

    async def hand_off(
        self, turn: Turn, config: BotSettings, current: BotState, reason: str
    ) -> None:
        """Tell the visitor what happens next, in one message; with an operator online the
        conversation goes to people (routing hears `BotHandedOff`), else collect an email."""
        online = await self.services.presence.operators_online()
        bot = _bot(config)
        await self.services.conversations.post_message(
            bot,
            turn.conversation_id,
            f"{turn.reply_id}:note",
            f"Bot handoff: {reason}",
            internal=True,
        )
        if not online:
            await self._ask_email(turn, config, current, reason)
            return
        await self.services.conversations.post_message(
            bot, turn.conversation_id, turn.reply_id, wording.CONNECTING
        )
        await self._record_handoff(
            turn, replace(current, state=state.HANDED_OFF, handoff_reason=reason), True
        )

    async def _record_handoff(self, turn: Turn, new: BotState, online: bool) -> None:
        async with self.services.events.transaction(self.services.db) as unit:
            await state.save(unit.conn, new)
            event = BotHandedOff(
                turn.conversation_id, turn.site_id, new.handoff_reason or "", online
            )
            await unit.record(event)

    async def _ask_email(
        self, turn: Turn, config: BotSettings, current: BotState, reason: str
    ) -> None:
        visitor = await self.services.visitors.get(turn.visitor_id)
        if visitor is not None and visitor.email:
            await self._ticket(
                turn, config, current, visitor.email, turn.body[:200], "medium", reason
            )
            return
        await self.services.conversations.post_message(
            _bot(config), turn.conversation_id, turn.reply_id, wording.ASK_EMAIL
        )
        new = replace(current, state=state.AWAITING_EMAIL, handoff_reason=reason)
        await self._record_handoff(turn, new, False)

    async def _take_email(self, turn: Turn, config: BotSettings, current: BotState) -> None:
        found = EMAIL.search(turn.body)
        if found is None:
            await self.services.conversations.post_message(
                _bot(config), turn.conversation_id, turn.reply_id, wording.ASK_EMAIL_AGAIN
            )
            return
        email = found.group(0)
        await self.services.visitors.update(turn.visitor_id, email=email)
        visitor = await self.services.visitors.get(turn.visitor_id)
        email = visitor.email if visitor and visitor.email else email
        subject = await self._first_question(turn) or "Chat with the bot"
        await self._ticket(turn, config, current, email, subject, "medium")

    async def _first_question(self, turn: Turn) -> str:
        async with self.services.db.connect() as conn:
            said = await conversation_queries.latest_messages(
                conn, turn.conversation_id, include_internal=False
            )
        asked = [m.body for m in said if m.author == "visitor" and not EMAIL.search(m.body)]
        return asked[0][:200] if asked else ""

    async def _ticket(
        self,
        turn: Turn,
        config: BotSettings,
        current: BotState,
        email: str,
        subject: str,
        priority: str,
        reason: str | None = None,
    ) -> None:
        from porch.tickets.service import TicketService

        s = self.services
        tickets = TicketService(s.db, s.events, s.clock, s.conversations)
        bot = _bot(config)
        description = f"Opened by the bot. {reason or current.handoff_reason or ''}".strip()
        ticket = await tickets.create(
            turn.site_id, turn.visitor_id, subject or "Chat with the bot", description,
            priority if priority in ("low", "medium", "high", "critical") else "medium",
            bot, conversation_id=turn.conversation_id,
        )  # fmt: skip
        body = wording.TICKETED.format(reference=ticket.reference, email=email)
        await s.conversations.post_message(bot, turn.conversation_id, turn.reply_id, body)
        async with s.db.begin() as conn:
            await state.save(conn, replace(current, state=state.TICKETED))


class Turn:
    """One visitor message the bot reacts to."""

    def __init__(
        self,
        *,
        message_id: int,
        conversation_id: int,
        site_id: int,
        visitor_id: int,
        body: str,
        parts: dict[str, Any] | None,
        key: str = "",
    ) -> None:
        self.key = key or str(message_id)
        self.message_id = message_id
        self.conversation_id = conversation_id
        self.site_id = site_id
        self.visitor_id = visitor_id
        self.body = body
        self.parts = parts

    @property
    def reply_id(self) -> str:
        return f"bot:{self.key}"


class LeakGuard:
    """Stops an answer that repeats the bot's instructions or its API key (a prompt
    injection that worked): the stream stops growing and the answer is never posted."""

    def __init__(self, config: BotSettings, api_key: str | None) -> None:
        self.phrases = prompt.protected_phrases(config.name, config.instructions)
        secrets = [api_key] if api_key else []
        if os.environ.get("ANTHROPIC_API_KEY"):
            secrets.append(os.environ["ANTHROPIC_API_KEY"])
        self.secrets = [s[:12] for s in secrets if len(s) >= 12]
        self.leaked = False

    def check(self, text: str) -> bool:
        """Whether `text` may be shown."""
        if self.leaked:
            return False
        lower = text.lower()
        squashed = " ".join(lower.split())
        if any(p in squashed for p in self.phrases) or any(s in text for s in self.secrets):
            self.leaked = True
        return not self.leaked


def _passage(hit: Hit) -> dict[str, Any]:
    return {"title": hit.title, "url": hit.url, "score": round(hit.score, 4), "text": hit.text}


def _bot(config: BotSettings) -> Actor:
    """The bot as the author of its messages, its name marked as a bot's."""
    return Actor.bot(wording.author_name(config.name))
