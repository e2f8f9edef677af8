"""SLA deadlines met and missed and flows' runs and goals are reporting events, written by
the recorder's job from the tickets' and flows' own events; the Analytics figures (SLA
compliance by priority, flows triggered and goals reached) are derived from them. Ticket
volume is counted per day and the hour-of-week grid is in the site's time zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from porch import analytics, flows, realtime, tickets
from porch.analytics.figures import Span, report
from porch.analytics.tables import reporting_events
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.flows.engine import FlowEngine
from porch.services import Services
from porch.sites.models import Site
from tests.analytics.conftest import Desk
from tests.flows.conftest import CHROME
from tests.support.desk import PAGE

MINUTE = timedelta(minutes=1)


async def _facts(services: Services, *kinds: str) -> list[tuple[Any, ...]]:
    async with services.db.connect() as conn:
        rows = await conn.execute(
            sa.select(
                reporting_events.c.kind,
                reporting_events.c.ticket_id,
                reporting_events.c.priority,
                reporting_events.c.flow_id,
            )
            .where(reporting_events.c.kind.in_(kinds))
            .order_by(reporting_events.c.id)
        )
        return [tuple(row) for row in rows]


async def _figures(services: Services, start: datetime, end: datetime) -> Any:
    async with services.db.connect() as conn:
        return await report(conn, Span(start, end))


async def test_deadlines_met_and_missed_give_compliance_by_priority(desk: Desk) -> None:
    start = desk.clock.now()
    olivia = desk.operator(desk.olivia)
    quick = await desk.tickets.create_from_conversation(await desk.chat(), olivia, "Quick", "high")
    slow = await desk.tickets.create_from_conversation(await desk.chat(), olivia, "Slow", "low")
    desk.clock.advance(minutes=10)
    await desk.tickets.reply(quick.id, olivia, "q1", "On it")  # 10 min of 60: met
    await desk.run_due()
    await desk.tickets.update(quick.id, olivia, status="resolved")  # within 8 h: met
    desk.clock.advance(hours=9)  # the low ticket's 8 h first response is gone
    await desk.run_due()  # its timer publishes the breach
    await desk.tickets.reply(slow.id, olivia, "s1", "Sorry")  # answered late: the same miss
    await desk.run_due()

    assert sorted(await _facts(desk.services, "sla_hit", "sla_miss")) == [
        ("sla_hit", quick.id, "high", None),
        ("sla_hit", quick.id, "high", None),
        ("sla_miss", slow.id, "low", None),
    ]
    figures = await _figures(desk.services, start, desk.clock.now() + timedelta(days=1))
    assert figures.sla == {"high": (2, 0), "low": (0, 1)}
    assert figures.sla_compliance == 2 / 3


async def test_a_deadline_settled_late_before_its_timer_ran_is_a_miss(desk: Desk) -> None:
    start = desk.clock.now()
    olivia = desk.operator(desk.olivia)
    ticket = await desk.tickets.create_from_conversation(
        await desk.chat(), olivia, "Hi", "critical"
    )
    desk.clock.advance(hours=3)  # past both deadlines (15 min, 2 h); no timer has run
    await desk.tickets.update(ticket.id, olivia, status="resolved")
    await desk.run_due()  # the timers find the ticket resolved (its clocks stopped)

    assert await _facts(desk.services, "sla_hit", "sla_miss") == [
        ("sla_miss", ticket.id, "critical", None)  # resolution; the first response never came
    ]
    figures = await _figures(desk.services, start, desk.clock.now() + timedelta(days=1))
    assert figures.sla == {"critical": (0, 1)}


async def test_tickets_are_counted_per_day(desk: Desk) -> None:
    day = desk.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    requester = await desk.visitor()
    olivia = desk.operator(desk.olivia)
    for n in range(3):
        await desk.tickets.create(desk.site.id, requester.id, f"T{n}", "", "low", olivia)
        desk.clock.advance(hours=10)
    figures = await _figures(desk.services, day, day + timedelta(days=3))

    assert [n for _, n in figures.ticket_volume] == [2, 1, 0]  # 09:00 and 19:00, then 05:00


async def test_the_hour_of_week_is_in_the_sites_time_zone(desk: Desk) -> None:
    tokyo = {"timezone": "Asia/Tokyo", "weekly": {"mon": [["09:00", "17:00"]]}}
    await desk.services.sites.update_settings(desk.site.id, business_hours=tokyo)
    await desk.chat()  # stamped by the database's wall clock
    now = datetime.now(UTC)
    figures = await _figures(desk.services, now - timedelta(days=1), now + timedelta(days=1))

    local = [
        (day, hour) for day, row in enumerate(figures.hour_of_week) for hour, n in enumerate(row)
        if n
    ]  # fmt: skip
    assert len(local) == 1
    day, hour = local[0]
    expected = {(at.weekday(), at.hour) for at in _around(now, ZoneInfo("Asia/Tokyo"))}
    assert (day, hour) in expected  # the conversation opened a moment before `now`
    assert figures.time_zone == "Asia/Tokyo"


def _around(now: datetime, zone: ZoneInfo) -> list[datetime]:
    return [(now - timedelta(minutes=m)).astimezone(zone) for m in (0, 1, 2)]


# -- flows -----------------------------------------------------------------------------


@pytest.fixture
async def shop(config: Config) -> AsyncIterator[tuple[Services, FlowEngine, Site]]:
    services = build_services(config, clock=ManualClock(datetime.now(UTC)))
    realtime.install(services)
    tickets.setup(services)
    engine = flows.setup(services)
    analytics.install(services)
    site = await services.sites.create("Acme", ["https://shop.example"])
    yield services, engine, site
    await services.db.dispose()


def _flow(name: str, nodes: dict[str, Any]) -> dict[str, Any]:
    trigger = {"type": "page_open", "page": {"match": "contains", "value": "/"}}
    return {"format": 1, "name": name, "trigger": trigger, "start": "hi", "nodes": nodes}


async def test_flow_runs_and_goals_reached_are_facts(
    shop: tuple[Services, FlowEngine, Site],
) -> None:
    services, engine, site = shop
    start = datetime.now(UTC) - timedelta(minutes=1)
    saying = {"hi": {"type": "message", "text": "Hi!"}}
    hello = await engine.store.create(site.id, _flow("Hello", saying), enabled=True)
    asking = {
        "hi": {
            "type": "buttons",
            "text": "Shoes?",
            "choices": [{"id": "yes", "label": "Yes", "next": "bye"}],
        },
        "bye": {"type": "message", "text": "Bye"},
    }
    ask = await engine.store.create(site.id, _flow("Ask", asking), enabled=True)
    context = {"url": PAGE.url, "referrer": "", "user_agent": CHROME}
    for flow in (hello, hello, ask):
        visitor = await services.visitors.open_session(site, None, PAGE)
        assert isinstance(services.clock, ManualClock)
        services.clock.set(datetime.now(UTC))  # page views carry the database's time
        started = await engine.fire(visitor.id, "now", [flow.id], context)
        assert started is not None, flow.name
    services.clock.set(datetime.now(UTC))
    while await services.jobs.run_due():
        pass

    assert sorted(await _facts(services, "flow_triggered", "flow_goal")) == [
        ("flow_goal", None, None, hello.id),
        ("flow_goal", None, None, hello.id),
        ("flow_triggered", None, None, hello.id),
        ("flow_triggered", None, None, hello.id),
        ("flow_triggered", None, None, ask.id),
    ]
    figures = await _figures(services, start, datetime.now(UTC) + timedelta(days=1))
    assert [(f.name, f.triggered, f.completed) for f in figures.flows] == [
        ("Ask", 1, 0),  # waits for a click: not at its end
        ("Hello", 2, 2),
    ]
