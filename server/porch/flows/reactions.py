"""Server-side triggers and answers, as job subscriptions to other features' events: a
visitor's message (an answer, "visitor says", "message received", and the timers "no
operator reply for N minutes" and "hasn't written for N days"), a conversation started
or closed. Filters keep the message path free of jobs on sites without such flows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from porch.conversations.events import ConversationClosed, ConversationOpened, MessageCreated
from porch.conversations.models import Message
from porch.conversations.tables import messages
from porch.flows import runs, webhooks
from porch.flows.engine import STEP
from porch.flows.tables import flow_runs
from porch.jobs.queue import enqueue

if TYPE_CHECKING:
    from porch.flows.engine import FlowEngine
    from porch.services import Services

MESSAGE = "flows.message"
OPENED = "flows.conversation_opened"
CLOSED = "flows.conversation_closed"
NO_REPLY = "flows.no_operator_reply"
INACTIVE = "flows.visitor_inactive"

ON_MESSAGE = frozenset(
    {"visitor_says", "message_received", "no_operator_reply", "visitor_inactive"}
)


def attach(services: Services, engine: FlowEngine) -> None:
    jobs, bus = services.jobs, services.events
    jobs.register(STEP, engine.step)
    jobs.register(webhooks.CALL, webhooks.handler(services))
    jobs.register(MESSAGE, lambda p: visitor_wrote(engine, p))
    jobs.register(OPENED, lambda p: conversation_event(engine, p, "conversation_started"))
    jobs.register(CLOSED, lambda p: conversation_event(engine, p, "conversation_closed"))
    jobs.register(NO_REPLY, lambda p: no_operator_reply(engine, p))
    jobs.register(INACTIVE, lambda p: visitor_inactive(engine, p))
    bus.enqueue_on(MessageCreated, MESSAGE, when=_visitor_message_matters)
    bus.enqueue_on(ConversationOpened, OPENED, when=_site_has("conversation_started"))
    bus.enqueue_on(ConversationClosed, CLOSED, when=_site_has("conversation_closed"))


def _visitor_message_matters(event: MessageCreated) -> bool | ColumnElement[bool]:
    if event.actor.kind != "visitor" or event.message.internal:
        return False
    conversation = event.conversation.conversation
    waiting = sa.exists().where(
        flow_runs.c.visitor_id == conversation.visitor_id, flow_runs.c.status == "waiting"
    )
    return sa.or_(waiting, runs.site_has(conversation.site_id, ON_MESSAGE))


def _site_has(kind: str) -> Callable[[Any], bool | ColumnElement[bool]]:
    def check(event: Any) -> bool | ColumnElement[bool]:
        if kind == "conversation_started" and event.actor.kind != "visitor":
            return False  # flows and operators opening one start nothing
        return runs.site_has(event.conversation.conversation.site_id, frozenset({kind}))

    return check


def _message(data: dict[str, Any]) -> Message:
    fields = dict(data["message"])
    fields.pop("created_at", None)
    from porch.db.metadata import utcnow

    return Message(created_at=utcnow(), **fields)


async def visitor_wrote(engine: FlowEngine, payload: dict[str, Any]) -> None:
    """An answer to the run waiting on it; else the message triggers, and the timers."""
    data = payload["data"]
    message = _message(data)
    visitor_id = int(data["conversation"]["conversation"]["visitor_id"])
    async with engine.services.db.connect() as conn:
        waiting = await runs.waiting_for(conn, visitor_id)
    if waiting is not None and waiting.conversation_id == message.conversation_id:
        await engine.answer(message, visitor_id)
        return
    await _schedule_timers(engine, visitor_id, message)
    await engine.start_matching(
        visitor_id,
        frozenset({"visitor_says", "message_received"}),
        body=message.body,
        conversation_id=message.conversation_id,
    )


async def _schedule_timers(engine: FlowEngine, visitor_id: int, message: Message) -> None:
    """One timer per timer flow of the site, keyed by the message: a visitor who writes
    again gets new timers, and each old one finds a newer message and does nothing."""
    facts = await engine.facts(visitor_id)
    timed = [
        flow
        for flow in await engine.store.enabled(facts.site.id)
        if flow.trigger_type in ("no_operator_reply", "visitor_inactive")
    ]
    if not timed:
        return
    now = engine.now
    async with engine.services.db.begin() as conn:
        for flow in timed:
            trigger = flow.trigger
            kind, wait = (
                (NO_REPLY, timedelta(minutes=trigger["minutes"]))
                if trigger["type"] == "no_operator_reply"
                else (INACTIVE, timedelta(days=trigger["days"]))
            )
            body = {
                "flow_id": flow.id,
                "visitor_id": visitor_id,
                "conversation_id": message.conversation_id,
                "message_id": message.id,
            }
            key = f"{kind}:{flow.id}:{message.id}"
            await enqueue(conn, kind, body, run_at=now + wait, key=key)


async def conversation_event(engine: FlowEngine, payload: dict[str, Any], kind: str) -> None:
    conversation = payload["data"]["conversation"]["conversation"]
    await engine.start_matching(
        int(conversation["visitor_id"]),
        frozenset({kind}),
        conversation_id=int(conversation["id"]),
        interrupt_check=kind != "conversation_closed",
    )


async def no_operator_reply(engine: FlowEngine, payload: dict[str, Any]) -> None:
    """Timer: nobody (operator or bot) has answered the visitor's message since."""
    replied = sa.select(messages.c.id).where(
        messages.c.conversation_id == payload["conversation_id"],
        messages.c.id > payload["message_id"],
        messages.c.author.in_(["operator", "bot"]),
        messages.c.internal.is_(False),
    )
    async with engine.services.db.connect() as conn:
        if await conn.scalar(replied.limit(1)) is not None:
            return
    await _start_one(engine, payload, interrupt_check=False)


async def visitor_inactive(engine: FlowEngine, payload: dict[str, Any]) -> None:
    """Timer: the visitor has not written since this message."""
    from porch.conversations.tables import conversations

    newer = (
        sa.select(messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(
            conversations.c.visitor_id == payload["visitor_id"],
            messages.c.id > payload["message_id"],
            messages.c.author == "visitor",
        )
    )
    async with engine.services.db.connect() as conn:
        if await conn.scalar(newer.limit(1)) is not None:
            return
    await _start_one(engine, payload, interrupt_check=True)


async def _start_one(engine: FlowEngine, payload: dict[str, Any], interrupt_check: bool) -> None:
    flow = await engine.store.find(int(payload["flow_id"]))
    if flow is None or not flow.enabled:
        return
    facts = await engine.facts(int(payload["visitor_id"]))
    from porch.flows import conditions

    if conditions.all_hold(flow.document.get("conditions", []), facts):
        await engine.start(
            flow,
            facts,
            conversation_id=int(payload["conversation_id"]),
            interrupt_check=interrupt_check,
        )
