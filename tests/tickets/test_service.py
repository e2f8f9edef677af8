"""Tickets against real storage (SQLite and PostgreSQL) on a manual clock: references,
history with actors, views, and the SLA clocks moved by jobs (warning at 80%, breach,
pausing while pending, stopping when resolved), replies in the linked conversation, and
auto-close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from porch.actors import Actor
from porch.errors import Invalid, NotFound
from porch.tickets.events import SlaBreached, SlaWarning, TicketCreated, TicketStatusChanged
from porch.tickets.tables import sla_records
from tests.tickets.conftest import Desk

START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)  # the ManualClock's start, a Monday


class Seen:
    def __init__(self, desk: Desk, *kinds: type) -> None:
        self.events: list[object] = []
        for kind in kinds:
            desk.services.events.subscribe(kind, self.record)

    async def record(self, event: object) -> None:
        self.events.append(event)


async def records(desk: Desk) -> list[tuple[str, str]]:
    query = sa.select(sla_records.c.target, sla_records.c.outcome).order_by(sla_records.c.id)
    async with desk.services.db.connect() as conn:
        return [(row.target, row.outcome) for row in await conn.execute(query)]


async def test_a_chat_becomes_a_ticket_with_a_reference_and_deadlines(desk: Desk) -> None:
    seen = Seen(desk, TicketCreated)
    conversation = await desk.chat()
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Order never came", "high"
    )
    assert (ticket.label, ticket.status, ticket.priority) == ("#1001", "open", "high")
    assert (ticket.conversation_id, ticket.requester_id) == (conversation, desk.visitor.id)
    assert ticket.requester_name == desk.visitor.name
    assert ticket.first_response_due_at == START + timedelta(hours=1)
    assert ticket.resolution_due_at == START + timedelta(hours=8)
    assert ticket.next_response_due_at is None
    assert [e.ticket for e in seen.events] == [ticket]  # type: ignore[attr-defined]
    [created] = await desk.tickets.history(ticket.id)
    assert (created.kind, created.actor_kind, created.actor_name) == (
        "created",
        "operator",
        "Olivia",
    )
    second = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Refund", "Please refund", "low", desk.as_olivia
    )
    assert second.label == "#1002" and second.conversation_id is None
    assert (await desk.services.conversations.summary(conversation)).conversation.status == "open"


async def test_the_warning_comes_at_80_percent_then_the_breach(desk: Desk) -> None:
    seen = Seen(desk, SlaWarning, SlaBreached)
    ticket = await desk.tickets.create_from_conversation(
        await desk.chat(), desk.as_olivia, "Order never came", "high"
    )
    desk.clock.advance(minutes=47)
    await desk.run_due()
    assert seen.events == [] and await records(desk) == []
    desk.clock.advance(minutes=1)  # 48 of 60 minutes
    await desk.run_due()
    [warning] = seen.events
    assert isinstance(warning, SlaWarning) and warning.target == "first_response"
    assert warning.due_at == ticket.first_response_due_at and warning.actor == Actor.system("sla")
    desk.clock.advance(minutes=12)
    await desk.run_due()
    await desk.run_due()  # nothing twice
    assert [type(e) for e in seen.events] == [SlaWarning, SlaBreached]
    assert await records(desk) == [("first_response", "warning"), ("first_response", "breached")]
    kinds = [entry.kind for entry in await desk.tickets.history(ticket.id)]
    assert kinds == ["created", "sla.warning", "sla.breached"]


async def test_a_reply_in_the_chat_is_the_first_response_and_the_next(desk: Desk) -> None:
    seen = Seen(desk, SlaWarning, SlaBreached)
    conversation = await desk.chat()
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Order never came", "medium"
    )
    desk.clock.advance(minutes=30)
    await desk.services.conversations.post_message(
        desk.as_olivia, conversation, "r1", "Looking into it"
    )
    await desk.run_due()
    answered = await desk.tickets.get(ticket.id)
    assert answered.first_responded_at == START + timedelta(minutes=30)
    assert answered.first_response_due_at is None
    assert await records(desk) == [("first_response", "met")]

    desk.clock.advance(minutes=10)
    await desk.chat("Any news?")
    await desk.run_due()
    waiting = await desk.tickets.get(ticket.id)
    assert waiting.next_response_due_at == desk.clock.now() + timedelta(hours=4)
    desk.clock.advance(hours=3, minutes=12)  # 80% of 4 hours
    await desk.run_due()  # the old first-response timers find their deadline gone
    assert [(type(e), e.target) for e in seen.events] == [(SlaWarning, "next_response")]  # type: ignore[attr-defined]
    desk.clock.advance(minutes=48)
    await desk.run_due()
    assert [type(e) for e in seen.events] == [SlaWarning, SlaBreached]
    await desk.tickets.reply(ticket.id, desk.as_olivia, "r2", "Shipped today")
    await desk.run_due()
    assert (await desk.tickets.get(ticket.id)).next_response_due_at is None
    assert (await records(desk))[-1] == ("next_response", "missed")


async def test_pending_pauses_the_clocks_and_open_resumes_them(desk: Desk) -> None:
    seen = Seen(desk, SlaWarning)
    ticket = await desk.tickets.create_from_conversation(
        await desk.chat(), desk.as_olivia, "Order never came", "high"
    )
    desk.clock.advance(minutes=30)
    paused = await desk.tickets.update(ticket.id, desk.as_olivia, status="pending")
    assert paused.sla_paused_at == desk.clock.now()
    desk.clock.advance(hours=5)
    await desk.run_due()
    assert seen.events == []
    resumed = await desk.tickets.update(ticket.id, desk.as_olivia, status="open")
    assert resumed.sla_paused_at is None
    assert resumed.first_response_due_at == desk.clock.now() + timedelta(minutes=30)
    assert resumed.resolution_due_at == desk.clock.now() + timedelta(hours=7, minutes=30)
    desk.clock.advance(minutes=17)
    await desk.run_due()
    assert seen.events == []
    desk.clock.advance(minutes=1)  # 48 of the 60 minutes counted
    await desk.run_due()
    assert [e.target for e in seen.events] == ["first_response"]  # type: ignore[attr-defined]


async def test_resolving_stops_the_clock_and_the_requesters_reply_reopens(desk: Desk) -> None:
    seen = Seen(desk, TicketStatusChanged)
    conversation = await desk.chat()
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Order never came", "low"
    )
    desk.clock.advance(hours=2)
    resolved = await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    assert resolved.resolved_at == desk.clock.now()
    assert await records(desk) == [("resolution", "met")]
    desk.clock.advance(hours=1)
    await desk.chat("It came broken")
    await desk.run_due()
    reopened = await desk.tickets.get(ticket.id)
    assert (reopened.status, reopened.resolved_at, reopened.sla_paused_at) == ("open", None, None)
    assert reopened.resolution_due_at == desk.clock.now() + timedelta(hours=46)
    assert [(e.old, e.new, e.actor.kind) for e in seen.events] == [  # type: ignore[attr-defined]
        ("open", "resolved", "operator"),
        ("resolved", "open", "visitor"),
    ]
    history = await desk.tickets.history(ticket.id)
    assert history[-1].data["status"] == ["resolved", "open"]
    assert history[-1].actor_kind == "visitor"
    desk.clock.advance(hours=72)  # the first resolve's auto-close finds it reopened
    await desk.run_due()
    assert (await desk.tickets.get(ticket.id)).status == "open"


async def test_a_resolved_ticket_closes_after_the_sites_window(desk: Desk) -> None:
    await desk.services.sites.update_settings(desk.site.id, ticket_auto_close_hours=24.0)
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Refund", "", "medium", desk.as_olivia
    )
    await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    desk.clock.advance(hours=23)
    await desk.run_due()
    assert (await desk.tickets.get(ticket.id)).status == "resolved"
    desk.clock.advance(hours=1)
    await desk.run_due()
    closed = await desk.tickets.get(ticket.id)
    assert (closed.status, closed.closed_at) == ("closed", desk.clock.now())
    last = (await desk.tickets.history(ticket.id))[-1]
    assert (last.actor_kind, last.actor_name, last.data) == (
        "system",
        "tickets",
        {"status": ["resolved", "closed"]},
    )


async def test_business_hours_and_custom_targets(desk: Desk) -> None:
    await desk.services.sites.update_settings(
        desk.site.id,
        business_hours={"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}},
        sla_business_hours=True,
        sla_targets={"high": {"first_response": 120, "resolution": 300}},
    )
    desk.clock.advance(hours=7)  # Monday 16:00, an hour before closing
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Broken", "", "high", desk.as_olivia
    )
    assert ticket.first_response_due_at == START + timedelta(days=7, hours=1)
    assert ticket.resolution_due_at == START + timedelta(days=7, hours=4)


async def test_a_new_priority_keeps_the_time_spent(desk: Desk) -> None:
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Broken", "", "low", desk.as_olivia
    )
    desk.clock.advance(minutes=10)
    urgent = await desk.tickets.update(ticket.id, desk.as_olivia, priority="critical")
    assert urgent.first_response_due_at == START + timedelta(minutes=15)
    assert urgent.resolution_due_at == START + timedelta(hours=2)


async def test_views_and_their_counts(desk: Desk) -> None:
    mine = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Mine", "", "medium", desk.as_olivia
    )
    await desk.tickets.update(mine.id, desk.as_olivia, assignee_id=desk.olivia.id)
    urgent = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Urgent", "", "critical", desk.as_olivia
    )
    pending = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Waiting", "", "high", desk.as_olivia
    )
    await desk.tickets.update(pending.id, desk.as_olivia, status="pending", tags=["vip", " vip"])
    done = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Done", "", "low", desk.as_olivia
    )
    await desk.tickets.update(done.id, desk.as_olivia, status="resolved")

    def refs(tickets: list) -> list[int]:
        return [t.id for t in tickets]

    assert refs(await desk.tickets.list("mine", desk.olivia.id)) == [mine.id]
    assert refs(await desk.tickets.list("mine", desk.omar.id)) == []
    assert refs(await desk.tickets.list("unassigned", desk.omar.id)) == [urgent.id, pending.id]
    assert refs(await desk.tickets.list("urgent", desk.omar.id)) == [urgent.id, pending.id]
    assert refs(await desk.tickets.list("pending", desk.omar.id)) == [pending.id]
    assert refs(await desk.tickets.list("resolved", desk.omar.id)) == [done.id]
    assert (await desk.tickets.get(pending.id)).tags == ["vip"]
    assert await desk.tickets.counts(desk.olivia.id) == {
        "mine": 1,
        "unassigned": 2,
        "urgent": 2,
        "pending": 1,
        "resolved": 1,
    }
    desk.clock.advance(days=8)
    assert (await desk.tickets.counts(desk.olivia.id))["resolved"] == 0


async def test_notes_and_what_is_refused(desk: Desk) -> None:
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Broken", "", "low", desk.as_olivia
    )
    note = await desk.tickets.add_note(ticket.id, desk.as_olivia, "  Called the carrier ")
    assert (note.kind, note.data) == ("note", {"body": "Called the carrier"})
    assert (await desk.tickets.history(ticket.id))[-1] == note
    with pytest.raises(Invalid):
        await desk.tickets.update(ticket.id, desk.as_olivia, priority="urgent")
    with pytest.raises(Invalid):
        await desk.tickets.update(ticket.id, desk.as_olivia, status="done")
    with pytest.raises(Invalid):
        await desk.tickets.create(desk.site.id, desk.visitor.id, " ", "", "low", desk.as_olivia)
    with pytest.raises(NotFound):
        await desk.tickets.update(ticket.id, desk.as_olivia, assignee_id=9999)
    with pytest.raises(NotFound):
        await desk.tickets.get(9999)
    with pytest.raises(Invalid):
        await desk.tickets.list("everything", desk.olivia.id)
    with pytest.raises(Invalid):
        await desk.tickets.reply(ticket.id, desk.as_olivia, "r", "no conversation")
