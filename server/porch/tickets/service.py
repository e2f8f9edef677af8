"""Tickets: what a requester needs done, who works on it, and the SLA clocks on it.

Every write goes through `events.transaction`: it changes the ticket, writes a history line
with the actor, (re)schedules the SLA timers in the same transaction, and publishes the
facts after the commit. Time comes from the server's clock (`services.clock`), so tests
move a `ManualClock` and run the due timers instead of sleeping.

Three reactions run as jobs (`porch.tickets.timers`): a message in a ticket's conversation
(the requester's reply reopens it and starts the next-response clock; an operator's or the
bot's reply is a response), an SLA deadline's 80% and 100% instants, and closing a
resolved ticket after the site's window.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.clock import Clock
from porch.conversations import queries as conversation_queries
from porch.conversations.models import Message
from porch.conversations.service import ConversationService
from porch.conversations.tables import messages
from porch.db.engine import Database
from porch.db.upsert import insert_ignore
from porch.errors import Invalid, NotFound
from porch.events import EventBus, Unit
from porch.hours.calculator import business_time_between
from porch.operators.tables import operators, teams
from porch.sites import queries as site_queries
from porch.tickets import catalog, queries, sla, timers
from porch.tickets.catalog import Catalog
from porch.tickets.events import (
    SlaBreached,
    SlaEscalated,
    SlaMet,
    SlaMissed,
    SlaWarning,
    TicketCreated,
    TicketMerged,
    TicketStatusChanged,
    TicketUpdated,
)
from porch.tickets.models import (
    PRIORITIES,
    STATUSES,
    VIEWS,
    HistoryEntry,
    Priority,
    Status,
    Ticket,
    View,
)
from porch.tickets.references import take_reference
from porch.tickets.saved_views import SavedViews
from porch.tickets.tables import (
    sla_records,
    ticket_conversations,
    ticket_events,
    ticket_field_values,
    ticket_template_links,
    ticket_templates,
    tickets,
)

MAX_SUBJECT = 200
MAX_DESCRIPTION = 20_000
MAX_NOTE = 20_000
MAX_TAGS = 20
MAX_TAG = 50
SLA_ACTOR = Actor.system("sla")
TICKETS_ACTOR = Actor.system("tickets")
MAX_MERGE_HOPS = 20
DEFAULT_RESOLVE_MESSAGE = (
    "Your request {reference} is resolved. If the problem comes back, just reply here and "
    "we will pick it up again."
)
STOPPED = ("pending", "resolved", "closed")
"""Statuses in which the SLA clocks stand still."""
BOOKKEEPING = {"seen_message_id", "updated_at"}
"""Columns whose change alone is not a fact worth publishing."""
SHOWN = ("status", "custom_status", "priority", "assignee_id", "tags", "subject", "team_id")
"""The fields whose changes go in the history (the SLA columns move with them)."""


class _Unset:
    pass


UNSET = _Unset()
"""`update(assignee_id=UNSET)`: leave the assignee as it is (None unassigns)."""


class Changes(TypedDict, total=False):
    """What `TicketService.update` may change (absent: left as it is)."""

    status: str | None
    priority: str | None
    assignee_id: int | _Unset | None
    tags: Sequence[str] | None
    subject: str | None
    team_id: int | _Unset | None
    only_if_unassigned: bool


class TicketService:
    def __init__(
        self,
        db: Database,
        events: EventBus,
        clock: Clock,
        conversations: ConversationService | None = None,
    ) -> None:
        self.db = db
        self.events = events
        self.clock = clock
        self.conversations = conversations
        self.catalog = Catalog(db)
        self.views = SavedViews(db, clock)

    # -- reads --------------------------------------------------------------------------

    async def get(self, ticket_id: int) -> Ticket:
        async with self.db.connect() as conn:
            return await _ticket_or_raise(conn, ticket_id)

    async def history(self, ticket_id: int) -> builtins.list[HistoryEntry]:
        async with self.db.connect() as conn:
            await _ticket_or_raise(conn, ticket_id)
            return await queries.history(conn, ticket_id)

    async def list(self, view: str, operator_id: int) -> builtins.list[Ticket]:
        """A built-in view (`porch.tickets.models.VIEWS`) as `operator_id` sees it."""
        if view not in VIEWS:
            raise Invalid(f"no view {view!r}")
        async with self.db.connect() as conn:
            return await queries.view(conn, _view(view), operator_id, self.clock.now())

    async def counts(self, operator_id: int) -> dict[str, int]:
        async with self.db.connect() as conn:
            return await queries.view_counts(conn, operator_id, self.clock.now())

    async def sla_status(self, *shown: Ticket) -> dict[int, sla.SlaStatus]:
        """Each ticket's deadlines and their state now, by ticket id (one settings read per
        site)."""
        now = self.clock.now()
        settings: dict[int, dict[str, Any]] = {}
        async with self.db.connect() as conn:
            for site_id in {ticket.site_id for ticket in shown}:
                settings[site_id] = await _settings(conn, site_id)
        return {
            ticket.id: sla.status(
                settings[ticket.site_id],
                ticket.priority,
                {target: ticket.due(target) for target in sla.TARGETS},
                ticket.sla_paused_at is not None,
                now,
            )
            for ticket in shown
        }

    async def transcript(self, ticket_id: int) -> builtins.list[Message]:
        """The conversation the ticket came from (notes included: operators read it)."""
        async with self.db.connect() as conn:
            ticket = await _ticket_or_raise(conn, ticket_id)
            shown: builtins.list[Message] = []
            for conversation_id in await queries.conversation_ids(conn, ticket):
                shown += await conversation_queries.latest_messages(
                    conn, conversation_id, include_internal=True
                )
            return sorted(shown, key=lambda message: message.id)

    async def field_values(self, ticket_id: int) -> dict[int, str]:
        query = sa.select(ticket_field_values.c.field_id, ticket_field_values.c.value).where(
            ticket_field_values.c.ticket_id == ticket_id
        )
        async with self.db.connect() as conn:
            return {int(row.field_id): row.value for row in await conn.execute(query)}

    async def requester_tickets(self, visitor_id: int) -> builtins.list[Ticket]:
        """The requester's tickets still in hand: shown before another is made."""
        async with self.db.connect() as conn:
            return await queries.requester_open(conn, visitor_id)

    # -- creating -----------------------------------------------------------------------

    async def create(
        self,
        site_id: int,
        requester_id: int,
        subject: str,
        description: str,
        priority: str,
        actor: Actor,
        *,
        conversation_id: int | None = None,
        tags: Sequence[str] = (),
        fields: Mapping[int, str] | None = None,
    ) -> Ticket:
        """A new open ticket with the next reference of its site (its counter row, see
        `porch.tickets.references`) and its SLA clocks started."""
        subject, description = _subject(subject), _text(description, MAX_DESCRIPTION)
        return await self._create(
            site_id, requester_id, subject, description, _priority(priority), actor,
            conversation_id, _tags(tags), fields or {},
        )  # fmt: skip

    async def _create(
        self,
        site_id: int,
        requester_id: int,
        subject: str,
        description: str,
        priority: Priority,
        actor: Actor,
        conversation_id: int | None,
        tags: builtins.list[str],
        fields: Mapping[int, str],
    ) -> Ticket:
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            reference = await take_reference(unit.conn, site_id)  # first: see its module
            settings = await _settings(unit.conn, site_id)
            await _check_requester(unit.conn, site_id, requester_id)
            schedule, targets = sla.hours(settings), sla.targets(settings, priority)
            values = {
                "site_id": site_id,
                "reference": reference,
                "subject": subject,
                "description": description,
                "requester_id": requester_id,
                "conversation_id": conversation_id,
                "priority": priority,
                "status": "open",
                "tags": tags,
                "seen_message_id": await _last_message_id(unit.conn, conversation_id),
                "created_at": now,
                "updated_at": now,
                "first_response_due_at": sla.due(schedule, now, targets.first_response),
                "resolution_due_at": sla.due(schedule, now, targets.resolution),
            }
            ticket_id = (
                await unit.conn.execute(tickets.insert().values(values).returning(tickets.c.id))
            ).scalar_one()
            ticket = await _ticket_or_raise(unit.conn, ticket_id)
            await _store_fields(unit.conn, ticket, fields)
            data = {"subject": subject, "priority": priority, "conversation_id": conversation_id}
            await _history(unit.conn, ticket_id, "created", actor, data, now)
            marks = await timers.schedule_sla(unit.conn, ticket, settings, now)
            ticket = await _store_marks(unit.conn, ticket, marks)
            await unit.record(TicketCreated(ticket, actor))
        self.events.jobs_committed()
        return ticket

    async def create_from_conversation(
        self,
        conversation_id: int,
        actor: Actor,
        subject: str,
        priority: str,
        description: str = "",
        *,
        tags: Sequence[str] = (),
        fields: Mapping[int, str] | None = None,
    ) -> Ticket:
        """A ticket for the visitor of a live conversation, linked to it: the transcript
        stays in the conversation, which stays as it is; replies in it move the ticket."""
        async with self.db.connect() as conn:
            conversation = await conversation_queries.conversation(conn, conversation_id)
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        return await self.create(
            conversation.site_id,
            conversation.visitor_id,
            subject,
            description,
            priority,
            actor,
            conversation_id=conversation_id,
            tags=tags,
            fields=fields,
        )

    async def create_from_template(
        self,
        template_id: int,
        actor: Actor,
        *,
        conversation_id: int | None = None,
        visitor_id: int | None = None,
    ) -> Ticket:
        """One click: a ticket with the template's subject, priority, tags and fields, for
        a conversation's visitor (linked to it) or a requester, and its internal note."""
        async with self.db.connect() as conn:
            template = await catalog.template(conn, template_id)
            if conversation_id is not None:
                found = await conversation_queries.conversation(conn, conversation_id)
                if found is None or found.site_id != template.site_id:
                    raise NotFound(f"no conversation {conversation_id} on the template's site")
        fields = {int(key): value for key, value in template.fields.items()}
        if conversation_id is not None:
            ticket = await self.create_from_conversation(
                conversation_id, actor, template.subject, template.priority,
                tags=template.tags, fields=fields,
            )  # fmt: skip
        elif visitor_id is not None:
            ticket = await self.create(
                template.site_id, visitor_id, template.subject, "", template.priority, actor,
                tags=template.tags, fields=fields,
            )  # fmt: skip
        else:
            raise Invalid("a ticket is for a conversation or a requester")
        async with self.db.begin() as conn:
            link = {"ticket_id": ticket.id, "template_id": template.id}
            await conn.execute(ticket_template_links.insert().values(link))
        if template.note:
            await self.add_note(ticket.id, actor, template.note)
        return ticket

    async def suggested_reply_ids(self, ticket_id: int) -> builtins.list[int]:
        """The canned replies the ticket's template links (none without a template)."""
        query = (
            sa.select(ticket_templates.c.canned_ids)
            .select_from(ticket_template_links.join(ticket_templates))
            .where(ticket_template_links.c.ticket_id == ticket_id)
        )
        async with self.db.connect() as conn:
            found = await conn.scalar(query)
        return [int(i) for i in found or []]

    # -- changing -----------------------------------------------------------------------

    async def update(self, ticket_id: int, actor: Actor, **changes: Unpack[Changes]) -> Ticket:
        """Change what is given; a change of status or priority moves the SLA clocks.
        `only_if_unassigned` (routing): change nothing if someone has the ticket, so an
        assignment made by a person always wins."""
        async with self.events.transaction(self.db) as unit:
            after = await self.update_in(unit, ticket_id, actor, **changes)
        self.events.jobs_committed()
        return after

    async def update_in(
        self,
        unit: Unit,
        ticket_id: int,
        actor: Actor,
        *,
        status: str | None = None,
        priority: str | None = None,
        assignee_id: int | _Unset | None = UNSET,
        tags: Sequence[str] | None = None,
        subject: str | None = None,
        team_id: int | _Unset | None = UNSET,
        only_if_unassigned: bool = False,
    ) -> Ticket:
        """`update` inside a transaction the caller holds (routing assigns in the one that
        holds its round-robin lock, so the next decision counts this ticket)."""
        now = self.clock.now()
        await _lock(unit.conn, ticket_id)
        before = await _ticket_or_raise(unit.conn, ticket_id)
        if only_if_unassigned and before.assignee_id is not None:
            return before
        settings = await _settings(unit.conn, before.site_id)
        values: dict[str, Any] = {}
        if subject is not None:
            values["subject"] = _subject(subject)
        if tags is not None:
            values["tags"] = _tags(tags)
        if not isinstance(assignee_id, _Unset):
            await _check_operator(unit.conn, assignee_id)
            values["assignee_id"] = assignee_id
        if not isinstance(team_id, _Unset):
            await _check_team(unit.conn, team_id)
            values["team_id"] = team_id
        if priority is not None:
            values |= _retarget(before, _priority(priority), settings, now)
        if status is not None:
            base, custom = await _status(unit.conn, before.site_id, status)
            values |= await _status_change(unit, before, base, settings, now)
            values["custom_status"] = custom
        return await self._apply(unit, before, values, actor, settings, now)

    async def _apply(
        self,
        unit: Unit,
        before: Ticket,
        values: dict[str, Any],
        actor: Actor,
        settings: dict[str, Any],
        now: datetime,
    ) -> Ticket:
        """Store `values`, write the history line, reschedule, and record the facts."""
        changes = {
            name: [_plain(getattr(before, name)), _plain(value)]
            for name, value in values.items()
            if name in SHOWN and getattr(before, name) != value
        }
        if all(getattr(before, name) == value for name, value in values.items()):
            return before
        await unit.conn.execute(
            tickets.update().where(tickets.c.id == before.id).values({**values, "updated_at": now})
        )
        after = await _ticket_or_raise(unit.conn, before.id)
        if changes:
            await _history(unit.conn, before.id, "updated", actor, changes, now)
        marks = await timers.schedule_sla(unit.conn, after, settings, now)
        after = await _store_marks(unit.conn, after, marks)
        if after.status == "resolved" and before.status != "resolved":
            await timers.schedule_auto_close(unit.conn, after, settings)
            notify = settings.get("ticket_resolve_message_enabled", True)
            if notify and after.merged_into_id is None:
                await timers.schedule_resolved_notice(unit.conn, after)
        if set(values) - BOOKKEEPING:  # a reply that moved nothing is no news
            await unit.record(TicketUpdated(after, actor, changes))
        if after.status != before.status:
            await unit.record(TicketStatusChanged(after, actor, before.status, after.status))
        return after

    async def add_note(self, ticket_id: int, actor: Actor, body: str) -> HistoryEntry:
        """An internal note: operators alone see it, in the ticket's history."""
        body = _text(body, MAX_NOTE)
        if not body:
            raise Invalid("a note has some text")
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            ticket = await _live(unit.conn, ticket_id)
            entry = await _history(unit.conn, ticket.id, "note", actor, {"body": body}, now)
            await unit.record(TicketUpdated(ticket, actor, {"note": body}))
        return entry

    async def reply(self, ticket_id: int, actor: Actor, client_id: str, body: str) -> Message:
        """A reply to the requester, in their channel: the ticket's conversation (the
        widget). It counts as a response through `message_posted`, like a chat reply."""
        async with self.db.connect() as conn:
            ticket = await _live(conn, ticket_id)
            channel = await _channel(conn, ticket)
        if channel is None or self.conversations is None:
            raise Invalid(f"ticket {ticket.label} has no conversation to reply in")
        return await self.conversations.post_message(actor, channel, client_id, body)

    # -- reactions (job handlers) -------------------------------------------------------

    async def message_posted(self, payload: dict[str, Any]) -> None:
        """A `message.created` job: a reply in a ticket's conversation. The requester's
        reopens a resolved (or pending) ticket and starts the next-response clock; an
        operator's or the bot's is the first (or next) response. Idempotent: a second
        run finds the ticket already moved."""
        data = payload["data"]
        if data["message"]["internal"]:
            return
        author = Actor(**data["actor"])
        message_id = int(data["message"]["id"])
        if author.kind not in ("visitor", "operator", "bot"):
            return
        async with self.db.connect() as conn:
            linked = await queries.linked_tickets(conn, int(data["message"]["conversation_id"]))
        for ticket in linked:
            if author.kind == "visitor":
                await self._requester_replied(ticket.id, author, message_id)
            else:
                await self._responded(ticket.id, author, message_id)

    async def _requester_replied(self, ticket_id: int, actor: Actor, message_id: int) -> None:
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            await _lock(unit.conn, ticket_id)
            before = await _ticket_or_raise(unit.conn, ticket_id)
            if before.status == "closed" or _seen(before, message_id):
                return
            settings = await _settings(unit.conn, before.site_id)
            values: dict[str, Any] = {"seen_message_id": message_id}
            if before.status in ("resolved", "pending"):
                values |= await _status_change(unit, before, "open", settings, now)
            if before.first_responded_at is not None and before.next_response_due_at is None:
                targets = sla.targets(settings, before.priority)
                values["next_response_due_at"] = sla.due(
                    sla.hours(settings), now, targets.next_response
                )
            await self._apply(unit, before, values, actor, settings, now)
        self.events.jobs_committed()

    async def _responded(self, ticket_id: int, actor: Actor, message_id: int) -> None:
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            await _lock(unit.conn, ticket_id)
            before = await _ticket_or_raise(unit.conn, ticket_id)
            if _seen(before, message_id):
                return
            settings = await _settings(unit.conn, before.site_id)
            values: dict[str, Any] = {"seen_message_id": message_id}
            if before.first_responded_at is None:
                values["first_responded_at"] = now
                values["first_response_due_at"] = None
                await _settle(unit, before, "first_response", actor, now)
            elif before.next_response_due_at is not None:
                values["next_response_due_at"] = None
                await _settle(unit, before, "next_response", actor, now)
            await self._apply(unit, before, values, actor, settings, now)
        self.events.jobs_committed()

    async def sla_due(self, payload: dict[str, Any]) -> None:
        """A timer: warn or record a breach if the deadline it was set for still stands
        (the ticket may have been answered, paused or moved since)."""
        target, outcome = str(payload["target"]), str(payload["outcome"])
        due_at = datetime.fromisoformat(payload["due_at"])
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            await _lock(unit.conn, int(payload["ticket_id"]))
            ticket = await queries.ticket(unit.conn, int(payload["ticket_id"]))
            if ticket is None or ticket.sla_paused_at is not None or ticket.due(target) != due_at:
                return
            if not await _sla_record(unit.conn, ticket.id, target, outcome, due_at, now):
                return
            data = {"target": target, "due_at": due_at.isoformat()}
            await _history(unit.conn, ticket.id, f"sla.{outcome}", SLA_ACTOR, data, now)
            fact = SlaWarning if outcome == "warning" else SlaBreached
            await unit.record(fact(ticket, SLA_ACTOR, target, due_at))
            if outcome == "breached":
                await self._escalate(unit, ticket, target, due_at, now)
        self.events.jobs_committed()

    async def _escalate(
        self, unit: Unit, ticket: Ticket, target: str, due_at: datetime, now: datetime
    ) -> None:
        """The site's escalation rules (`sla_escalation`): raise the priority one step
        (the deadlines stay: the breach has happened), reassign to a chosen operator,
        notify every operator (a desktop notification in the panel)."""
        settings = await _settings(unit.conn, ticket.site_id)
        rules = settings.get("sla_escalation") or {}
        values: dict[str, Any] = {}
        actions: builtins.list[str] = []
        rank = PRIORITIES.index(ticket.priority)
        if rules.get("raise_priority") and rank > 0:
            values["priority"] = PRIORITIES[rank - 1]
            actions.append("raise_priority")
        lead = rules.get("reassign_to")
        if lead and lead != ticket.assignee_id and await _operator_exists(unit.conn, lead):
            values["assignee_id"] = lead
            actions.append("reassign")
        if rules.get("notify"):
            actions.append("notify")
        if not actions:
            return
        after = await self._apply(unit, ticket, values, SLA_ACTOR, settings, now)
        data = {"target": target, "actions": actions}
        await _history(unit.conn, ticket.id, "sla.escalated", SLA_ACTOR, data, now)
        await unit.record(SlaEscalated(after, SLA_ACTOR, target, due_at, tuple(actions)))

    async def resolved_notice(self, payload: dict[str, Any]) -> None:
        """A job: the requester hears that the ticket is resolved and that a reply reopens
        it (the site's text; `{reference}` becomes `#1042`). Only if it is still resolved
        from that moment; `client_id` makes a second run post nothing."""
        resolved_at = datetime.fromisoformat(payload["resolved_at"])
        async with self.db.connect() as conn:
            ticket = await _ticket_or_raise(conn, int(payload["ticket_id"]))
            settings = await _settings(conn, ticket.site_id)
            channel = await _channel(conn, ticket)
        if ticket.status != "resolved" or ticket.resolved_at != resolved_at:
            return
        if channel is None or self.conversations is None:
            return
        text = str(settings.get("ticket_resolve_message") or DEFAULT_RESOLVE_MESSAGE)
        client_id = f"ticket-{ticket.id}-resolved-{int(resolved_at.timestamp())}"
        await self.conversations.post_message(
            TICKETS_ACTOR, channel, client_id, text.replace("{reference}", ticket.label)
        )

    # -- merging, conversations, fields, bulk ----------------------------------------------

    async def merge(self, source_id: int, target_id: int, actor: Actor) -> Ticket:
        """`source` goes into `target`: its conversations, notes and tags move there, it
        closes pointing at the target (history on both), and later replies and notes to
        it land on the target. Returns the target."""
        if source_id == target_id:
            raise Invalid("a ticket cannot be merged into itself")
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            for ticket_id in sorted((source_id, target_id)):
                await _lock(unit.conn, ticket_id)
            source = await _ticket_or_raise(unit.conn, source_id)
            target = await _ticket_or_raise(unit.conn, target_id)
            if source.site_id != target.site_id:
                raise Invalid("tickets of different sites cannot be merged")
            if source.merged_into_id is not None or target.merged_into_id is not None:
                raise Invalid("that ticket was merged already")
            settings = await _settings(unit.conn, source.site_id)
            for conversation_id in await queries.conversation_ids(unit.conn, source):
                await _link(unit.conn, target, conversation_id, now)
            await _copy_notes(unit.conn, source, target)
            await unit.conn.execute(
                tickets.update()
                .where(tickets.c.merged_into_id == source.id)
                .values(merged_into_id=target.id)
            )
            into = {"into": target.label, "into_id": target.id}
            await _history(unit.conn, source.id, "merged", actor, into, now)
            values = await _status_change(unit, source, "closed", settings, now)
            values["merged_into_id"] = target.id
            closed = await self._apply(unit, source, values, actor, settings, now)
            await unit.record(TicketMerged(closed, actor, target.id))
            merged_from = {"from": source.label, "from_id": source.id}
            await _history(unit.conn, target.id, "merged", actor, merged_from, now)
            seen = max(source.seen_message_id or 0, target.seen_message_id or 0) or None
            after = await self._apply(
                unit, target, {"tags": _tags([*target.tags, *source.tags][:MAX_TAGS]),
                               "seen_message_id": seen, "updated_at": now}, actor, settings, now,
            )  # fmt: skip
            await unit.record(TicketUpdated(after, actor, {"merged_from": source.label}))
        self.events.jobs_committed()
        return after

    async def add_conversation(self, ticket_id: int, conversation_id: int, actor: Actor) -> Ticket:
        """A conversation joins a ticket (merged in, or the requester's later chat): its
        messages show on the ticket and the requester's replies in it move the ticket. The
        conversation gets an internal note saying so."""
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            ticket = await _live(unit.conn, ticket_id)
            await _lock(unit.conn, ticket.id)
            conversation = await conversation_queries.conversation(unit.conn, conversation_id)
            if conversation is None or conversation.site_id != ticket.site_id:
                raise NotFound(f"no conversation {conversation_id} on the ticket's site")
            if not await _link(unit.conn, ticket, conversation_id, now):
                return ticket
            data = {"conversation_id": conversation_id}
            await _history(unit.conn, ticket.id, "conversation_added", actor, data, now)
            last = await _last_message_id(unit.conn, conversation_id) or 0
            seen = max(ticket.seen_message_id or 0, last) or None
            settings = await _settings(unit.conn, ticket.site_id)
            after = await self._apply(
                unit, ticket, {"seen_message_id": seen, "updated_at": now}, actor, settings, now
            )
            await unit.record(TicketUpdated(after, actor, {"conversation_added": conversation_id}))
        self.events.jobs_committed()
        if self.conversations is not None:
            await self.conversations.post_message(
                actor if actor.kind != "visitor" else TICKETS_ACTOR,
                conversation_id,
                f"ticket-{after.id}-added",
                f"Added to ticket {after.label}: {after.subject}",
                internal=True,
            )
        return after

    async def set_fields(self, ticket_id: int, actor: Actor, values: Mapping[int, str]) -> Ticket:
        """Set custom field values (an empty value clears one); each change in history."""
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            await _lock(unit.conn, ticket_id)
            ticket = await _ticket_or_raise(unit.conn, ticket_id)
            changes = await _store_fields(unit.conn, ticket, values)
            if not changes:
                return ticket
            await _history(unit.conn, ticket.id, "updated", actor, changes, now)
            await unit.conn.execute(
                tickets.update().where(tickets.c.id == ticket.id).values(updated_at=now)
            )
            after = await _ticket_or_raise(unit.conn, ticket.id)
            await unit.record(TicketUpdated(after, actor, changes))
        return after

    async def bulk(
        self,
        ticket_ids: Sequence[int],
        actor: Actor,
        *,
        assignee_id: int | _Unset | None = UNSET,
        status: str | None = None,
        priority: str | None = None,
        add_tag: str | None = None,
        merge_into: int | None = None,
    ) -> tuple[builtins.list[Ticket], dict[int, str]]:
        """One action on a selection, ticket by ticket (each its own change, history and
        fact): the tickets changed, and what went wrong for the others, by id."""
        changed: builtins.list[Ticket] = []
        failed: dict[int, str] = {}
        for ticket_id in dict.fromkeys(ticket_ids):
            try:
                if merge_into is not None:
                    if ticket_id != merge_into:
                        changed.append(await self.merge(ticket_id, merge_into, actor))
                    continue
                tags = None
                if add_tag is not None:
                    tags = [*(await self.get(ticket_id)).tags, add_tag]
                after = await self.update(
                    ticket_id, actor, status=status, priority=priority,
                    assignee_id=assignee_id, tags=tags,
                )  # fmt: skip
                changed.append(after)
            except (Invalid, NotFound) as error:
                failed[ticket_id] = str(error)
        return changed, failed

    async def auto_close(self, payload: dict[str, Any]) -> None:
        """A resolved ticket's window has passed: close it, unless it was reopened (or
        resolved again later, which set a timer of its own)."""
        resolved_at = datetime.fromisoformat(payload["resolved_at"])
        ticket = await self.get(int(payload["ticket_id"]))
        if ticket.status == "resolved" and ticket.resolved_at == resolved_at:
            await self.update(ticket.id, Actor.system("tickets"), status="closed")


# -- SLA clocks ------------------------------------------------------------------------


async def _status_change(
    unit: Unit, ticket: Ticket, new: Status, settings: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The columns a move to `new` changes: the clocks stop (pending, resolved, closed)
    or run again from where they stood; resolving settles the resolution target."""
    if new == ticket.status:
        return {}
    values: dict[str, Any] = {"status": new, "custom_status": None}
    if new in STOPPED and ticket.sla_paused_at is None:
        values["sla_paused_at"] = now
    if new not in STOPPED and ticket.sla_paused_at is not None:
        values |= _resume(ticket, sla.hours(settings), now)
    if new == "resolved":
        values["resolved_at"] = now
        await _settle(unit, ticket, "resolution", SLA_ACTOR, now)
    elif new != "closed":
        values["resolved_at"] = None
    values["closed_at"] = now if new == "closed" else None
    return values


def _resume(ticket: Ticket, schedule: Any, now: datetime) -> dict[str, Any]:
    paused_at = ticket.sla_paused_at
    assert paused_at is not None
    values: dict[str, Any] = {"sla_paused_at": None}
    for target in sla.TARGETS:
        deadline = ticket.due(target)
        if deadline is not None:
            values[f"{target}_due_at"] = sla.resumed(schedule, deadline, paused_at, now)
    return values


def _retarget(
    ticket: Ticket, priority: Priority, settings: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A new priority keeps the time already spent and changes the target: each running
    deadline moves by the difference between the old and the new target."""
    if priority == ticket.priority:
        return {}
    old, new = sla.targets(settings, ticket.priority), sla.targets(settings, priority)
    schedule = sla.hours(settings)
    start = ticket.sla_paused_at or now
    values: dict[str, Any] = {"priority": priority}
    for target in sla.TARGETS:
        deadline = ticket.due(target)
        if deadline is None:
            continue
        left = business_time_between(schedule, start, deadline) + new.of(target) - old.of(target)
        values[f"{target}_due_at"] = (
            sla.due(schedule, start, left) if left >= timedelta() else start + left
        )
    return values


async def _settle(unit: Unit, ticket: Ticket, target: str, actor: Actor, now: datetime) -> None:
    """A target is done with: record whether it was met (and say so, for analytics)."""
    deadline = ticket.due(target)
    if deadline is None:
        return
    at = ticket.sla_paused_at or now
    outcome = "met" if at < deadline else "missed"  # at the deadline, it is breached
    if await _sla_record(unit.conn, ticket.id, target, outcome, deadline, now):
        data = {"target": target, "due_at": deadline.isoformat()}
        await _history(unit.conn, ticket.id, f"sla.{outcome}", actor, data, now)
        fact = SlaMet if outcome == "met" else SlaMissed
        await unit.record(fact(ticket, SLA_ACTOR, target, deadline, now))


async def _sla_record(
    conn: AsyncConnection,
    ticket_id: int,
    target: str,
    outcome: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Once per deadline and outcome; False when it was already recorded."""
    values = {
        "ticket_id": ticket_id,
        "target": target,
        "outcome": outcome,
        "due_at": due_at,
        "at": now,
    }
    conflict = ["ticket_id", "target", "outcome", "due_at"]
    return await insert_ignore(conn, sla_records, values, conflict) is not None


# -- storage helpers -------------------------------------------------------------------


async def _history(
    conn: AsyncConnection,
    ticket_id: int,
    kind: str,
    actor: Actor,
    data: dict[str, Any],
    now: datetime,
) -> HistoryEntry:
    values: dict[str, Any] = {
        "ticket_id": ticket_id,
        "kind": kind,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "data": data,
        "at": now,
    }
    new_id = (
        await conn.execute(ticket_events.insert().values(values).returning(ticket_events.c.id))
    ).scalar_one()
    return HistoryEntry(new_id, ticket_id, kind, actor.kind, actor.id, actor.name, data, now)


def _seen(ticket: Ticket, message_id: int) -> bool:
    """An earlier message than one the ticket already took into account (or the same)."""
    return ticket.seen_message_id is not None and message_id <= ticket.seen_message_id


async def _last_message_id(conn: AsyncConnection, conversation_id: int | None) -> int | None:
    if conversation_id is None:
        return None
    last = await conn.scalar(
        sa.select(sa.func.max(messages.c.id)).where(messages.c.conversation_id == conversation_id)
    )
    return None if last is None else int(last)


async def _lock(conn: AsyncConnection, ticket_id: int) -> None:
    """Take the ticket's write lock (a no-op update) before reading it, so that two
    concurrent changes (two replies' jobs) never both act on the same old state."""
    await conn.execute(
        tickets.update().where(tickets.c.id == ticket_id).values(updated_at=tickets.c.updated_at)
    )


async def _store_marks(conn: AsyncConnection, ticket: Ticket, marks: timers.Marks) -> Ticket:
    """Store the soonest 80% instant and deadline (for the SLA-state filter) if moved."""
    if (ticket.sla_warn_at, ticket.sla_due_at) == marks:
        return ticket
    await conn.execute(
        tickets.update()
        .where(tickets.c.id == ticket.id)
        .values(sla_warn_at=marks[0], sla_due_at=marks[1])
    )
    return await _ticket_or_raise(conn, ticket.id)


async def _store_fields(
    conn: AsyncConnection, ticket: Ticket, values: Mapping[int, str]
) -> dict[str, Any]:
    """Store custom field values checked against the site's fields; the changes, by
    field name, as history shows them."""
    if not values:
        return {}
    known = {f.id: f for f in await catalog.fields(conn, ticket.site_id)}
    rows = await conn.execute(
        sa.select(ticket_field_values.c.field_id, ticket_field_values.c.value).where(
            ticket_field_values.c.ticket_id == ticket.id
        )
    )
    current = {int(row.field_id): str(row.value) for row in rows}
    changes: dict[str, Any] = {}
    for field_id, raw in values.items():
        field = known.get(field_id)
        if field is None:
            raise NotFound(f"no field {field_id} on this site")
        value = catalog.check_value(field, raw)
        if current.get(field_id, "") == value:
            continue
        where = sa.and_(
            ticket_field_values.c.ticket_id == ticket.id,
            ticket_field_values.c.field_id == field_id,
        )
        await conn.execute(ticket_field_values.delete().where(where))
        if value:
            row = {"ticket_id": ticket.id, "field_id": field_id, "value": value}
            await conn.execute(ticket_field_values.insert().values(row))
        changes[field.name] = [current.get(field_id, ""), value]
    return changes


async def _link(conn: AsyncConnection, ticket: Ticket, conversation_id: int, now: datetime) -> bool:
    """Hang a conversation on a ticket; False when it is there already."""
    if conversation_id in await queries.conversation_ids(conn, ticket):
        return False
    row = {"ticket_id": ticket.id, "conversation_id": conversation_id, "added_at": now}
    await conn.execute(ticket_conversations.insert().values(row))
    return True


async def _copy_notes(conn: AsyncConnection, source: Ticket, target: Ticket) -> None:
    """The source's internal notes, onto the target, as written (saying where from)."""
    notes = await conn.execute(
        ticket_events.select()
        .where(ticket_events.c.ticket_id == source.id, ticket_events.c.kind == "note")
        .order_by(ticket_events.c.id)
    )
    for note in notes.all():
        values = {**note._mapping, "ticket_id": target.id}
        del values["id"]
        values["data"] = {**note.data, "merged_from": source.label}
        await conn.execute(ticket_events.insert().values(values))


async def _live(conn: AsyncConnection, ticket_id: int) -> Ticket:
    """The ticket work on `ticket_id` goes to: itself, or the one it was merged into."""
    ticket = await _ticket_or_raise(conn, ticket_id)
    for _hop in range(MAX_MERGE_HOPS):
        if ticket.merged_into_id is None:
            return ticket
        ticket = await _ticket_or_raise(conn, ticket.merged_into_id)
    raise Invalid(f"ticket {ticket_id} was merged too many times over")


async def _channel(conn: AsyncConnection, ticket: Ticket) -> int | None:
    """Where replies to the requester go: the conversation it came from, else the latest
    added."""
    found = await queries.conversation_ids(conn, ticket)
    if ticket.conversation_id is not None:
        return ticket.conversation_id
    return found[-1] if found else None


async def _operator_exists(conn: AsyncConnection, operator_id: int) -> bool:
    found = await conn.scalar(sa.select(operators.c.id).where(operators.c.id == operator_id))
    return found is not None


async def _ticket_or_raise(conn: AsyncConnection, ticket_id: int) -> Ticket:
    ticket = await queries.ticket(conn, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


async def _settings(conn: AsyncConnection, site_id: int) -> dict[str, Any]:
    site = await site_queries.site(conn, site_id)
    if site is None:
        raise NotFound(f"no site {site_id}")
    return site.settings


async def _check_requester(conn: AsyncConnection, site_id: int, visitor_id: int) -> None:
    from porch.visitors.tables import visitors

    found = await conn.scalar(sa.select(visitors.c.site_id).where(visitors.c.id == visitor_id))
    if found != site_id:
        raise NotFound(f"no visitor {visitor_id} on site {site_id}")


async def _check_team(conn: AsyncConnection, team_id: int | None) -> None:
    if team_id is None:
        return
    if await conn.scalar(sa.select(teams.c.id).where(teams.c.id == team_id)) is None:
        raise NotFound(f"no team {team_id}")


async def _check_operator(conn: AsyncConnection, operator_id: int | None) -> None:
    if operator_id is None:
        return
    query = sa.select(operators.c.id).where(operators.c.id == operator_id)
    if await conn.scalar(query.where(operators.c.deactivated_at.is_(None))) is None:
        raise NotFound(f"no operator {operator_id}")  # or deactivated: no new work for them


# -- input checks ----------------------------------------------------------------------


def _subject(subject: str) -> str:
    subject = _text(subject, MAX_SUBJECT)
    if not subject:
        raise Invalid("a ticket has a subject")
    return subject


def _text(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) > limit:
        raise Invalid(f"at most {limit} characters")
    return text


def _priority(priority: str) -> Priority:
    for known in PRIORITIES:
        if priority == known:
            return known
    raise Invalid(f"no priority {priority!r}: one of {', '.join(PRIORITIES)}")


def _base_status(status: str) -> Status | None:
    for known in STATUSES:
        if status == known:
            return known
    return None


async def _status(conn: AsyncConnection, site_id: int, status: str) -> tuple[Status, str | None]:
    """A built-in status, or a custom one of the site with the built-in one it maps to."""
    base = _base_status(status)
    if base is not None:
        return base, None
    for custom in await catalog.statuses(conn, site_id):
        if custom.name == status:
            return custom.maps_to, custom.name
    raise Invalid(f"no status {status!r}: one of {', '.join(STATUSES)} or the site's own")


def _view(view: str) -> View:
    for known in VIEWS:
        if view == known:
            return known
    raise Invalid(f"no view {view!r}")


def _tags(tags: Sequence[str]) -> builtins.list[str]:
    clean = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(clean) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in clean):
        raise Invalid(f"at most {MAX_TAGS} tags of at most {MAX_TAG} characters")
    return clean


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def move_requester(conn: AsyncConnection, from_id: int, into_id: int) -> list[int]:
    """Two contacts merged (porch.visitors.contacts.merge): `from_id`'s tickets are now
    requested by `into_id`, in the merge's transaction. The ids of the tickets moved."""
    moved = list(
        await conn.scalars(sa.select(tickets.c.id).where(tickets.c.requester_id == from_id))
    )
    if moved:
        update = tickets.update().where(tickets.c.id.in_(moved))
        await conn.execute(update.values(requester_id=into_id))
    return moved
