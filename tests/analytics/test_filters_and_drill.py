"""The Analytics page's team and operator filters, volume by hour of week, the
conversations behind a figure and the per-conversation export, computed from scripted
chats (expected values worked out here, not read back from the code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from porch.analytics.drill import behind, per_conversation
from porch.analytics.figures import Span, report
from porch.analytics.ratings import RatingSubmit, rate
from porch.operators.teams import TeamService
from tests.analytics.conftest import Desk

MINUTE = timedelta(minutes=1)


def _span(desk: Desk, **filters: int) -> Span:
    """Chats carry the database's wall clock, ratings the desk's clock: a range with both."""
    moments = (datetime.now(UTC), desk.clock.now())
    start, end = min(moments) - timedelta(days=1), max(moments) + timedelta(days=1)
    return Span(start, end, **filters)  # type: ignore[arg-type]


async def _scripted(desk: Desk) -> tuple[int, int]:
    """Olivia answers and closes one chat (rated 5); Omar answers another, left open."""
    chats = desk.services.conversations
    first = await desk.chat("Where is my parcel?")
    await chats.assign(first, desk.olivia.id, desk.operator(desk.olivia))
    await desk.reply(desk.olivia, first, MINUTE)
    await desk.close(desk.olivia, first, MINUTE)
    second = await desk.chat("Do you sell gift cards?")
    await chats.assign(second, desk.omar.id, desk.operator(desk.omar))
    await desk.reply(desk.omar, second, MINUTE)
    await desk.run_due()
    visitor_id = (await chats.summary(first)).conversation.visitor_id
    await rate(desk.services, visitor_id, RatingSubmit(conversation_id=first, score=5))
    await desk.run_due()
    return first, second


async def test_operator_and_team_filters(desk: Desk) -> None:
    await _scripted(desk)
    team = await TeamService(desk.services.db, desk.clock).create("Sales")
    await TeamService(desk.services.db, desk.clock).update(team.id, "Sales", None, [desk.omar.id])
    async with desk.services.db.connect() as conn:
        everyone = await report(conn, _span(desk))
        olivia = await report(conn, _span(desk, operator_id=desk.olivia.id))
        sales = await report(conn, _span(desk, team_id=team.id))

    assert (everyone.first_response.count, sum(n for _, n in everyone.volume)) == (2, 2)
    assert (olivia.first_response.count, olivia.resolution.count) == (1, 1)
    assert sum(n for _, n in olivia.volume) == 1
    assert olivia.ratings == {5: 1}
    assert [(w.name, w.assigned, w.replies, w.resolved, w.open_now) for w in olivia.workload] == [
        ("Olivia", 1, 1, 1, 0)
    ]
    assert (sales.first_response.count, sales.resolution.count, sales.ratings) == (1, 0, {})
    assert [(w.name, w.open_now) for w in sales.workload] == [("Omar", 1)]


async def test_hour_of_week_counts_each_conversation_where_it_opened(desk: Desk) -> None:
    first, second = await _scripted(desk)
    async with desk.services.db.connect() as conn:
        figures = await report(conn, _span(desk))
        opened = [
            (await desk.services.conversations.summary(c)).conversation.created_at
            for c in (first, second)
        ]
    expected = [[0] * 24 for _ in range(7)]
    for at in opened:
        expected[at.weekday()][at.hour] += 1
    assert figures.hour_of_week == expected


async def test_the_conversations_behind_a_figure(desk: Desk) -> None:
    first, second = await _scripted(desk)
    async with desk.services.db.connect() as conn:
        opened = await behind(conn, _span(desk), "volume")
        resolved = await behind(conn, _span(desk), "resolution")
        rated = await behind(conn, _span(desk), "rating")
        omars = await behind(conn, _span(desk, operator_id=desk.omar.id), "first_response")
    assert [b.conversation_id for b in opened] == [second, first]
    assert [(b.conversation_id, b.status) for b in resolved] == [(first, "closed")]
    assert [b.conversation_id for b in rated] == [first]
    assert [b.conversation_id for b in omars] == [second]


async def test_per_conversation_export(desk: Desk) -> None:
    first, second = await _scripted(desk)
    async with desk.services.db.connect() as conn:
        cells = await per_conversation(conn, _span(desk))
    header, *rows = cells
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_id) == {str(first), str(second)}
    closed, open_ = by_id[str(first)], by_id[str(second)]
    assert (closed["status"], closed["rating"], closed["reopens"]) == ("closed", "5", "0")
    assert closed["assignee_id"] == str(desk.olivia.id)
    assert float(closed["first_response_seconds"]) > 0
    assert float(closed["resolution_seconds"]) >= float(closed["first_response_seconds"])
    assert (open_["status"], open_["closed_at"], open_["resolution_seconds"]) == ("open", "", "")


async def test_tickets_and_tags(desk: Desk) -> None:
    first, second = await _scripted(desk)
    olivia = desk.operator(desk.olivia)
    await desk.tickets.create_from_conversation(first, olivia, "Parcel", "low", tags=["shipping"])
    await desk.tickets.create_from_conversation(second, olivia, "Cards", "low", tags=["gifts"])
    async with desk.services.db.connect() as conn:
        everyone = await report(conn, _span(desk))
        omar = await report(conn, _span(desk, operator_id=desk.omar.id))
    assert everyone.tickets_opened == 2
    assert everyone.tags == [("gifts", 0, 1), ("shipping", 0, 1)]
    assert (omar.tickets_opened, omar.tags) == (1, [("gifts", 0, 1)])
