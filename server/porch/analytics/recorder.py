"""Writes reporting events: one durable job (`analytics.record`) per domain event that
matters, staged in the event's own transaction, turned into at most one fact per key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.analytics.tables import reporting_events
from porch.hours.calculator import business_seconds_between
from porch.hours.models import BusinessHours

if TYPE_CHECKING:
    from porch.db.engine import Database
    from porch.services import Services

RECORD = "analytics.record"


@dataclass(frozen=True)
class Fact:
    key: str
    site_id: int
    kind: str
    at: datetime
    conversation_id: int | None = None
    ticket_id: int | None = None
    operator_id: int | None = None
    started: datetime | None = None
    """When the measured span began; `seconds` runs from here to `at`."""
    value: int | None = None
    priority: str | None = None
    """An SLA fact's ticket priority."""
    flow_id: int | None = None


def subscribe(services: Services) -> None:
    from porch.bot.events import BotHandedOff
    from porch.conversations.events import (
        ConversationClosed,
        ConversationReopened,
        MessageCreated,
    )
    from porch.flows.events import FlowGoalReached, FlowStarted
    from porch.tickets.events import SlaBreached, SlaMet, SlaMissed, TicketStatusChanged

    for event_type in (
        MessageCreated,
        ConversationClosed,
        ConversationReopened,
        BotHandedOff,
        TicketStatusChanged,
        SlaBreached,
        SlaMet,
        SlaMissed,
        FlowStarted,
        FlowGoalReached,
    ):
        services.events.enqueue_on(event_type, RECORD, when=_worth_recording)
    db = services.db

    async def handle(payload: dict[str, Any]) -> None:
        await record(db, payload)

    services.jobs.register(RECORD, handle)


def _worth_recording(event: Any) -> bool:
    """Visitor messages, internal notes and other status changes measure nothing."""
    if getattr(event, "name", "") == "message.created":
        message = event.message
        return not message.internal and message.author in ("operator", "bot")
    if getattr(event, "name", "") == "ticket.status_changed":
        return bool(event.new in ("resolved", "open") and event.old != event.new)
    return True


async def record(db: Database, payload: dict[str, Any]) -> None:
    """The job: the payload's fact (if any) stored once."""
    async with db.begin() as conn:
        for fact in await facts(conn, payload["type"], payload["data"]):
            await store(conn, fact)


async def facts(conn: AsyncConnection, name: str, data: dict[str, Any]) -> list[Fact]:
    if name == "message.created":
        return await _reply_facts(conn, data)
    if name in ("conversation.closed", "conversation.reopened"):
        return _conversation_fact(name, data)
    if name == "bot.handed_off":
        at = await _now_of(conn, data["conversation_id"])
        key = f"bot_handoff:{data['conversation_id']}"
        return [Fact(key, data["site_id"], "bot_handoff", at, data["conversation_id"])]
    if name == "ticket.status_changed":
        return _ticket_fact(data)
    if name in SLA_KINDS:
        return [_sla_fact(SLA_KINDS[name], data)]
    if name in FLOW_KINDS:
        kind = FLOW_KINDS[name]
        return [
            Fact(f"{kind}:{data['run_id']}", data["site_id"], kind, _time(data["at"]),
                 data["conversation_id"], flow_id=data["flow_id"])
        ]  # fmt: skip
    return []


SLA_KINDS = {"sla.met": "sla_hit", "sla.breached": "sla_miss", "sla.missed": "sla_miss"}
"""A deadline breached (its timer ran) and then answered late is one miss: one key."""
FLOW_KINDS = {"flow.started": "flow_triggered", "flow.goal_reached": "flow_goal"}


def _sla_fact(kind: str, data: dict[str, Any]) -> Fact:
    """A deadline met or missed, at the deadline's time for a miss and when it was
    settled for a hit; about the ticket's assignee then."""
    ticket = data["ticket"]
    at = _time(data["due_at"] if kind == "sla_miss" else data["at"])
    return Fact(
        f"{kind}:{ticket['id']}:{data['target']}:{data['due_at']}", ticket["site_id"], kind, at,
        ticket["conversation_id"], ticket["id"], ticket.get("assignee_id"),
        priority=ticket["priority"],
    )  # fmt: skip


async def _reply_facts(conn: AsyncConnection, data: dict[str, Any]) -> list[Fact]:
    message, conversation = data["message"], data["conversation"]["conversation"]
    actor = data["actor"]
    at, opened = _time(message["created_at"]), _time(conversation["created_at"])
    site_id, conversation_id = conversation["site_id"], conversation["id"]
    operator_id = actor["id"] if actor["kind"] == "operator" else None
    kind = "reply" if message["author"] == "operator" else "bot_reply"
    found = [Fact(f"{kind}:{message['id']}", site_id, kind, at, conversation_id, None, operator_id)]
    if message["author"] == "operator" and await _first_reply(conn, conversation_id, message["id"]):
        key = f"first_response:{conversation_id}"
        found.append(
            Fact(key, site_id, "first_response", at, conversation_id, None, operator_id, opened)
        )
    return found


async def _first_reply(conn: AsyncConnection, conversation_id: int, message_id: int) -> bool:
    """Whether no operator answered in the conversation before this message (read, not
    assumed from job order: jobs may run out of order)."""
    from porch.conversations.tables import messages

    earlier = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(messages)
        .where(
            messages.c.conversation_id == conversation_id,
            messages.c.author == "operator",
            messages.c.internal.is_(False),
            messages.c.id < message_id,
        )
    )
    return not earlier


def _conversation_fact(name: str, data: dict[str, Any]) -> list[Fact]:
    conversation, actor = data["conversation"]["conversation"], data["actor"]
    operator_id = actor["id"] if actor["kind"] == "operator" else None
    site_id, conversation_id = conversation["site_id"], conversation["id"]
    if name == "conversation.closed":
        at = _time(conversation["closed_at"] or conversation["last_activity_at"])
        key = f"resolution:{conversation_id}:{at.isoformat()}"
        opened = _time(conversation["created_at"])
        kind = "bot_resolved" if actor["kind"] == "bot" else "resolution"
        return [Fact(key, site_id, kind, at, conversation_id, None, operator_id, opened)]
    at = _time(conversation["last_activity_at"])
    key = f"reopen:{conversation_id}:{at.isoformat()}"
    return [Fact(key, site_id, "reopen", at, conversation_id, None, operator_id)]


def _ticket_fact(data: dict[str, Any]) -> list[Fact]:
    ticket, actor = data["ticket"], data["actor"]
    operator_id = actor["id"] if actor["kind"] == "operator" else None
    if data["new"] == "resolved" and ticket.get("resolved_at"):
        at = _time(ticket["resolved_at"])
        key = f"ticket_resolution:{ticket['id']}:{ticket['resolved_at']}"
        started = _time(ticket["created_at"])
        return [
            Fact(
                key,
                ticket["site_id"],
                "ticket_resolution",
                at,
                ticket["conversation_id"],
                ticket["id"],
                operator_id,
                started,
            )
        ]
    if data["old"] in ("resolved", "closed"):
        at = _time(ticket["updated_at"])
        key = f"ticket_reopen:{ticket['id']}:{ticket['updated_at']}"
        return [
            Fact(
                key,
                ticket["site_id"],
                "ticket_reopen",
                at,
                ticket["conversation_id"],
                ticket["id"],
                operator_id,
            )
        ]
    return []


async def store(conn: AsyncConnection, fact: Fact) -> None:
    """Insert the fact unless its key is already there (a retried job)."""
    if await conn.scalar(
        sa.select(reporting_events.c.id).where(reporting_events.c.key == fact.key)
    ):
        return
    seconds = business = None
    if fact.started is not None:
        seconds = (fact.at - fact.started).total_seconds()
        business = business_seconds_between(await _hours(conn, fact.site_id), fact.started, fact.at)
    try:
        async with conn.begin_nested():
            await conn.execute(
                reporting_events.insert().values(
                    key=fact.key,
                    site_id=fact.site_id,
                    kind=fact.kind,
                    at=fact.at,
                    conversation_id=fact.conversation_id,
                    ticket_id=fact.ticket_id,
                    operator_id=fact.operator_id,
                    seconds=seconds,
                    business_seconds=business,
                    value=fact.value,
                    priority=fact.priority,
                    flow_id=fact.flow_id,
                )
            )
    except IntegrityError:
        return  # recorded by a concurrent run of the same job


async def _hours(conn: AsyncConnection, site_id: int) -> BusinessHours:
    from porch.sites import queries as site_queries

    site = await site_queries.site(conn, site_id)
    return BusinessHours.of_site(site.settings if site else {})


async def _now_of(conn: AsyncConnection, conversation_id: int) -> datetime:
    """A hand-off carries no time: the conversation's last activity is when it happened."""
    from porch.conversations.tables import conversations

    at = await conn.scalar(
        sa.select(conversations.c.last_activity_at).where(conversations.c.id == conversation_id)
    )
    if at is None:
        raise LookupError(f"no conversation {conversation_id}")
    return at  # type: ignore[no-any-return]


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)
