"""Reporting events are written by jobs reacting to domain events, once per fact, with
their durations; the Analytics figures are derived from them.

Chat timestamps are the database's wall clock, so conversation durations are checked
against the stored timestamps; ticket durations run on the `ManualClock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from porch.analytics.figures import Span, percentile, report
from porch.analytics.recorder import record
from porch.analytics.tables import reporting_events
from porch.conversations.tables import conversations, messages
from porch.jobs.tables import jobs
from tests.analytics.conftest import Desk

MINUTE = timedelta(minutes=1)
Fact = tuple[str, int | None, float | None]


async def _facts(desk: Desk, *columns: str) -> list[tuple[Any, ...]]:
    names = columns or ("kind", "operator_id", "seconds")
    async with desk.services.db.connect() as conn:
        rows = await conn.execute(
            sa.select(*[reporting_events.c[name] for name in names]).order_by(reporting_events.c.id)
        )
        return [tuple(row) for row in rows]


async def _opened(desk: Desk, conversation_id: int) -> tuple[datetime, datetime | None]:
    async with desk.services.db.connect() as conn:
        row = (
            await conn.execute(
                sa.select(conversations.c.created_at, conversations.c.closed_at).where(
                    conversations.c.id == conversation_id
                )
            )
        ).one()
    return row[0], row[1]


async def _first_operator_message(desk: Desk, conversation_id: int) -> datetime:
    async with desk.services.db.connect() as conn:
        at = await conn.scalar(
            sa.select(sa.func.min(messages.c.created_at)).where(
                messages.c.conversation_id == conversation_id, messages.c.author == "operator"
            )
        )
    assert at is not None
    return at if at.tzinfo else at.replace(tzinfo=desk.clock.now().tzinfo)


async def test_replies_resolution_and_reopen_are_recorded_with_durations(desk: Desk) -> None:
    conversation = await desk.chat()
    await desk.reply(desk.olivia, conversation, MINUTE)
    await desk.reply(desk.omar, conversation, MINUTE)
    await desk.close(desk.olivia, conversation, MINUTE)
    await desk.services.conversations.reopen(conversation, desk.operator(desk.omar))
    await desk.run_due()

    opened, _ = await _opened(desk, conversation)
    answered = await _first_operator_message(desk, conversation)
    facts = {(kind, who): seconds for kind, who, seconds in await _facts(desk)}
    olivia, omar = desk.olivia.id, desk.omar.id
    assert set(facts) == {
        ("reply", olivia),
        ("first_response", olivia),
        ("reply", omar),
        ("resolution", olivia),
        ("reopen", omar),
    }
    assert facts[("first_response", olivia)] == (answered - opened).total_seconds()
    assert facts[("resolution", olivia)] is not None
    assert facts[("resolution", olivia)] >= facts[("first_response", olivia)]
    # A site without business hours is open all the time: both durations agree.
    for seconds, business in await _facts(desk, "seconds", "business_seconds"):
        assert seconds == business


async def test_a_job_run_twice_records_each_fact_once(desk: Desk) -> None:
    conversation = await desk.chat()
    async with desk.services.db.begin() as conn:
        await conn.execute(sa.delete(jobs))  # keep only the reply's jobs below
    await desk.reply(desk.olivia, conversation, MINUTE)
    async with desk.services.db.connect() as conn:
        payloads: list[dict[str, Any]] = list(
            await conn.scalars(sa.select(jobs.c.payload).where(jobs.c.kind == "analytics.record"))
        )
    assert len(payloads) == 1
    await desk.run_due()
    await record(desk.services.db, payloads[0])  # the worker died before marking it done

    assert sorted(kind for (kind,) in await _facts(desk, "kind")) == ["first_response", "reply"]


async def test_internal_notes_and_visitor_messages_record_nothing(desk: Desk) -> None:
    conversation = await desk.chat()
    await desk.services.conversations.post_message(
        desk.operator(desk.olivia), conversation, "note-1", "VIP", internal=True
    )
    await desk.run_due()

    assert await _facts(desk) == []


async def test_figures_give_median_p90_rates_and_workload(desk: Desk) -> None:
    start = datetime.now(UTC)  # chat times are the wall clock's
    chats = [await desk.chat(f"Question {n}") for n in range(4)]
    for conversation in chats:
        await desk.reply(desk.olivia, conversation, MINUTE)
        await desk.close(desk.omar, conversation, MINUTE)
    await desk.services.conversations.reopen(chats[0], desk.operator(desk.omar))
    await desk.run_due()
    waits = sorted(
        [
            (await _first_operator_message(desk, c) - (await _opened(desk, c))[0]).total_seconds()
            for c in chats
        ]
    )

    span = Span(start - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))
    async with desk.services.db.connect() as conn:
        figures = await report(conn, span)

    assert figures.first_response.count == 4
    # percentile_cont by hand: the median of four is halfway between the middle two.
    assert figures.first_response.median == (waits[1] + waits[2]) / 2
    assert figures.first_response.p90 == pytest.approx(waits[2] + (waits[3] - waits[2]) * 0.7)
    assert figures.resolution.count == 4
    assert sum(count for _, count in figures.volume) == 4
    assert figures.reopen_rate == 1 / 4
    assert figures.bot_resolution_rate is None
    assert [(load.name, load.replies, load.resolved) for load in figures.workload] == [
        ("Olivia", 4, 0),
        ("Omar", 0, 4),
    ]


async def test_ticket_resolution_in_business_hours_and_sla_compliance(desk: Desk) -> None:
    await desk.services.sites.update_settings(
        desk.site.id, business_hours={"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}
    )
    start = desk.clock.now()  # Monday 09:00
    requester = await desk.visitor()
    ticket = await desk.tickets.create(
        desk.site.id, requester.id, "Broken", "", "critical", desk.operator(desk.olivia)
    )
    desk.clock.advance(hours=10)  # Monday 19:00: both deadlines long gone
    await desk.run_due()
    await desk.tickets.update(ticket.id, desk.operator(desk.olivia), status="resolved")
    await desk.run_due()

    facts = await _facts(desk, "kind", "seconds", "business_seconds")
    assert ("ticket_resolution", 10 * 3600.0, 8 * 3600.0) in facts
    assert sorted(kind for kind, _, _ in facts if kind == "sla_miss") == ["sla_miss"] * 2
    span = Span(start, start + timedelta(days=1))
    async with desk.services.db.connect() as conn:
        figures = await report(conn, span)
    assert figures.sla == {"critical": (0, 2)}


def test_percentile_interpolates_like_postgresql() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 10.0], 0.9) == pytest.approx(3.0 + 7.0 * 0.7)


async def test_a_closed_conversation_is_rated_once_and_feeds_csat(desk: Desk) -> None:
    from porch.analytics.ratings import RatingSubmit, rate
    from porch.errors import Invalid, NotFound

    start = datetime.now(UTC)
    visitors, chats = [], []
    for n in range(3):
        visitor = await desk.visitor()
        message = await desk.services.conversations.send_visitor_message(
            visitor.id, f"v-{n}", "Hello"
        )
        visitors.append(visitor.id)
        chats.append(message.conversation_id)
    with pytest.raises(Invalid):  # still open
        await rate(desk.services, visitors[0], RatingSubmit(conversation_id=chats[0], score=5))
    for conversation in chats:
        await desk.close(desk.olivia, conversation, MINUTE)
    with pytest.raises(NotFound):  # someone else's conversation
        await rate(desk.services, visitors[1], RatingSubmit(conversation_id=chats[0], score=1))
    for visitor_id, conversation, score in zip(visitors, chats, (5, 4, 2), strict=True):
        await rate(
            desk.services,
            visitor_id,
            RatingSubmit(conversation_id=conversation, score=score, comment=" Quick! "),
        )
    with pytest.raises(Invalid):  # once
        await rate(desk.services, visitors[0], RatingSubmit(conversation_id=chats[0], score=1))

    assert ("rating", 5, "Quick!") in await _facts(desk, "kind", "value", "comment")
    async with desk.services.db.connect() as conn:
        figures = await report(conn, Span(start, desk.clock.now() + timedelta(days=1)))
    assert figures.ratings == {5: 1, 4: 1, 2: 1}
    assert figures.csat == 2 / 3


def test_a_rating_is_validated_at_the_edge() -> None:
    from pydantic import ValidationError

    from porch.analytics.ratings import RatingSubmit

    for bad in ({"conversation_id": 1, "score": 6}, {"conversation_id": 1, "score": 0},
                {"conversation_id": 1, "score": 3, "comment": "x" * 1001},
                {"conversation_id": 1, "score": 3, "comment": "a\x00b"}):  # fmt: skip
        with pytest.raises(ValidationError):
            RatingSubmit.model_validate(bad)
