"""Routing: who gets a new chat or ticket (docs/team.md).

Runs as a job (`routing.chat`, `routing.ticket`) written in the transaction that opened the
chat or created the ticket, so it happens once the item exists and survives a crash. The
round-robin cursor lives in the database (`routing_cursors`), locked for the decision, so
every server process takes turns from the same place; who is online comes from
`services.presence` (Redis with several processes).

A person's assignment always wins: routing never touches an item that has an assignee,
and assigns with "only if still unassigned", so an assignment made while it was deciding
stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.conversations import queries as conversation_queries
from porch.conversations.events import ConversationAssigned
from porch.conversations.tables import conversations
from porch.events import Unit
from porch.hours.calculator import is_open, next_opening
from porch.hours.models import BusinessHours
from porch.jobs.queue import enqueue
from porch.operators.tables import teams
from porch.routing import rules
from porch.routing.candidates import Candidate, candidates
from porch.routing.settings import RoutingSettings
from porch.routing.tables import routing_cursors
from porch.services import Services
from porch.sites import queries as site_queries
from porch.tickets import queries as ticket_queries
from porch.tickets.service import TicketService

CHAT = "routing.chat"
TICKET = "routing.ticket"
ROUTER = Actor.system("routing")


@dataclass(frozen=True)
class Item:
    """A chat or a ticket waiting for an owner."""

    kind: str  # chat | ticket
    id: int
    site_id: int
    open: bool
    assignee_id: int | None
    team_id: int | None
    tags: tuple[str, ...]
    conversation_id: int | None
    """Where the customer hears from us (the chat itself, or the ticket's conversation)."""


async def load_item(conn: AsyncConnection, kind: str, item_id: int) -> Item | None:
    if kind == "chat":
        chat = await conversation_queries.conversation(conn, item_id)
        if chat is None:
            return None
        team_id = await conn.scalar(
            sa.select(conversations.c.team_id).where(conversations.c.id == item_id)
        )
        return Item(
            kind,
            chat.id,
            chat.site_id,
            chat.status == "open",
            chat.assignee_id,
            team_id,
            (),
            chat.id,
        )
    ticket = await ticket_queries.ticket(conn, item_id)
    if ticket is None:
        return None
    return Item(
        kind,
        ticket.id,
        ticket.site_id,
        ticket.status in ("open", "pending"),
        ticket.assignee_id,
        ticket.team_id,
        tuple(ticket.tags),
        ticket.conversation_id,
    )


def item_ref(kind: str, payload: dict[str, Any]) -> int:
    """The item a job is about: an event's payload, or a queued job's own `{"id": …}`."""
    if "id" in payload:
        return int(payload["id"])
    data = payload["data"]
    return int(
        data["conversation"]["conversation"]["id"] if kind == "chat" else data["ticket"]["id"]
    )


class Router:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.tickets = TicketService(
            services.db, services.events, services.clock, services.conversations
        )

    async def route_chat(self, payload: dict[str, Any]) -> None:
        await self.route("chat", item_ref("chat", payload))

    async def route_ticket(self, payload: dict[str, Any]) -> None:
        await self.route("ticket", item_ref("ticket", payload))

    async def route(self, kind: str, item_id: int, requested: bool = False) -> int | None:
        """Give the item an owner now, or queue it for the next shift; the operator
        chosen (None: left as it is). `requested` (a flow asked): route even if the site
        does not route this kind by itself."""
        async with self.services.db.connect() as conn:
            item = await load_item(conn, kind, item_id)
            site = await site_queries.site(conn, item.site_id) if item else None
        if item is None or site is None or not item.open or item.assignee_id is not None:
            return None
        settings = RoutingSettings.of_site(site.settings)
        if not settings.enabled(kind) and not requested:
            return None
        now = self.services.clock.now()
        hours = BusinessHours.of_site(site.settings)
        if settings.after_hours and not is_open(hours, now):
            opening = next_opening(hours, now)
            if opening is not None:
                await self._queue(item, settings, hours, opening)
                return None
        return await self._give(item, settings)

    async def _give(self, item: Item, settings: RoutingSettings) -> int | None:
        """Choose and assign, in the transaction that holds the round-robin lock, so the
        next decision sees this item in everyone's load (a ticket through the ticket
        service, for its history and SLA)."""
        online = {
            int(str(o["id"]))
            for o in await self.services.presence.operators()
            if o.get("status") == "online"
        }
        async with self.services.events.transaction(self.services.db) as unit:
            chosen = await self._choose(unit.conn, item, settings, online)
            if chosen is None:
                return None
            if item.kind == "chat":
                return chosen if await _assign_chat(unit, item.id, chosen) else None
            ticket = await self.tickets.update_in(
                unit, item.id, ROUTER, assignee_id=chosen, only_if_unassigned=True
            )
        return chosen if ticket.assignee_id == chosen else None

    async def _choose(
        self, conn: AsyncConnection, item: Item, settings: RoutingSettings, online: set[int]
    ) -> int | None:
        """Round-robin among online operators with room (skilled ones first), else the
        fallback; the cursor moves under the lock, shared by every process."""
        skills, rule_team = rules.wanted(settings, item.tags)
        team_id = item.team_id or rule_team or settings.team_id
        now = self.services.clock.now()
        last = await _lock_cursor(conn, item.site_id, item.kind, now)
        found = await candidates(conn, item.kind, team_id, online)
        everyone = found if team_id is None else await candidates(conn, item.kind, None, online)
        chosen = rules.next_in_turn(rules.available(item.kind, found, skills), last)
        if chosen is None:
            lead = await _team_lead(conn, team_id)
            return _id(rules.fallback(found, everyone, settings, lead))
        await _move_cursor(conn, item.site_id, item.kind, chosen.id, now)
        return chosen.id

    async def _queue(
        self, item: Item, settings: RoutingSettings, hours: BusinessHours, opening: datetime
    ) -> None:
        """Closed now: route again when the next shift starts, and tell the customer
        when to expect a reply (once per item: the message's client id is fixed)."""
        kind = CHAT if item.kind == "chat" else TICKET
        key = f"routing:{item.kind}:{item.id}:{opening.isoformat()}"
        async with self.services.db.begin() as conn:
            await enqueue(conn, kind, {"id": item.id}, run_at=opening, key=key)
        if item.conversation_id is None:
            return
        body = settings.after_hours_message.replace("{time}", expected_time(hours, opening))
        await self.services.conversations.post_message(
            ROUTER, item.conversation_id, f"routing-ack-{item.kind}-{item.id}", body
        )


def expected_time(hours: BusinessHours, at: datetime) -> str:
    """`Monday 7 January, 09:00 (Europe/Paris)`: the site's local time, with its zone."""
    local = at.astimezone(hours.zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({hours.timezone})"


def _id(candidate: Candidate | None) -> int | None:
    return None if candidate is None else candidate.id


async def _team_lead(conn: AsyncConnection, team_id: int | None) -> int | None:
    if team_id is None:
        return None
    lead = await conn.scalar(sa.select(teams.c.lead_id).where(teams.c.id == team_id))
    return None if lead is None else int(lead)


async def _lock_cursor(conn: AsyncConnection, site_id: int, kind: str, now: datetime) -> int | None:
    """Where the site's round-robin stands, with its row locked until the commit (so two
    processes routing at once take consecutive turns). None: nobody got one yet."""
    table = routing_cursors
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(
        dialect.insert(table)
        .values(site_id=site_id, kind=kind, last_operator_id=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["site_id", "kind"])
    )
    where = (table.c.site_id == site_id) & (table.c.kind == kind)
    await conn.execute(table.update().where(where).values(updated_at=now))  # the lock
    last = await conn.scalar(sa.select(table.c.last_operator_id).where(where))
    return int(last) if last else None


async def _move_cursor(
    conn: AsyncConnection, site_id: int, kind: str, operator_id: int, now: datetime
) -> None:
    table = routing_cursors
    where = (table.c.site_id == site_id) & (table.c.kind == kind)
    await conn.execute(
        table.update().where(where).values(last_operator_id=operator_id, updated_at=now)
    )


async def _assign_chat(unit: Unit, conversation_id: int, operator_id: int) -> bool:
    """Only while still unassigned and open: a person's choice made meanwhile stands."""
    done = await unit.conn.execute(
        conversations.update()
        .where(conversations.c.id == conversation_id)
        .where(conversations.c.assignee_id.is_(None))
        .where(conversations.c.status == "open")
        .values(assignee_id=operator_id)
    )
    if done.rowcount != 1:
        return False
    summary = await conversation_queries.conversation_summary(unit.conn, conversation_id)
    assert summary is not None
    await unit.record(ConversationAssigned(summary, ROUTER))
    return True
