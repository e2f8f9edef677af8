"""The figures on the Analytics page, derived from reporting events (and the tickets' own
SLA records). Percentiles interpolate between the two durations around each rank
(`percentile_cont`'s linear interpolation), the same on SQLite and PostgreSQL: the
database ranks the durations and returns only those few."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.analytics.tables import reporting_events as events


@dataclass(frozen=True)
class Span:
    """The range asked for: `start` (inclusive) to `end` (exclusive), UTC."""

    start: datetime
    end: datetime
    business: bool = False
    site_id: int | None = None
    operator_id: int | None = None
    """Facts by this operator, and about conversations assigned to them."""
    team_id: int | None = None
    """Facts by the team's members, and about conversations of the team or its members."""


@dataclass(frozen=True)
class Durations:
    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class OperatorLoad:
    operator_id: int
    name: str
    assigned: int
    replies: int
    resolved: int
    open_now: int


@dataclass(frozen=True)
class FlowFigures:
    name: str
    triggered: int
    completed: int
    """Runs that reached the flow's end (its goal), not stopped on the way."""


@dataclass
class Report:
    volume: list[tuple[date, int]]
    first_response: Durations
    resolution: Durations
    resolutions: int
    reopens: int
    bot_resolved: int
    bot_handoffs: int
    sla: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per priority: (deadlines met, deadlines missed)."""
    workload: list[OperatorLoad] = field(default_factory=list)
    ratings: dict[int, int] = field(default_factory=dict)
    """How many ratings of each score (1–5)."""
    hour_of_week: list[list[int]] = field(default_factory=list)
    """Conversations opened per weekday (0 = Monday) and hour, in their site's time zone
    (its business hours'): 7 rows of 24."""
    time_zone: str = "UTC"
    """The zone of the hour-of-week grid ("each site's time zone" when sites differ)."""
    ticket_volume: list[tuple[date, int]] = field(default_factory=list)
    """Tickets created per UTC day, every day of the range."""
    flows: list[FlowFigures] = field(default_factory=list)
    tickets_opened: int = 0
    ticket_resolution: Durations = Durations(0, None, None)
    tags: list[tuple[str, int, int]] = field(default_factory=list)
    """Per tag: conversations opened in the range with it, tickets created with it."""

    @property
    def csat(self) -> float | None:
        """The share of satisfied ratings (4 or 5), the usual CSAT."""
        return _ratio(sum(n for score, n in self.ratings.items() if score >= 4),
                      sum(self.ratings.values()))  # fmt: skip

    @property
    def sla_missed(self) -> int:
        return sum(missed for _, missed in self.sla.values())

    @property
    def sla_compliance(self) -> float | None:
        """Deadlines met among deadlines settled or missed, every priority together."""
        met = sum(met for met, _ in self.sla.values())
        return _ratio(met, met + self.sla_missed)

    @property
    def reopen_rate(self) -> float | None:
        return _ratio(self.reopens, self.resolutions)

    @property
    def bot_resolution_rate(self) -> float | None:
        return _ratio(self.bot_resolved, self.bot_resolved + self.bot_handoffs)


def percentile(ordered: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's `percentile_cont`)."""
    return percentile_of(dict(enumerate(ordered)), len(ordered), p)


async def report(conn: AsyncConnection, span: Span) -> Report:
    kinds = await _counts(conn, span)
    opened = await _opened(conn, span)
    zones = await _zones(conn, span)
    tickets_opened = await _tickets_opened(conn, span)
    return Report(
        volume=volume_of([at for _, at in opened], span),
        first_response=await durations(conn, span, "first_response"),
        resolution=await durations(conn, span, "resolution"),
        resolutions=kinds["resolution"],
        reopens=kinds["reopen"],
        bot_resolved=kinds["bot_resolved"],
        bot_handoffs=kinds["bot_handoff"],
        sla=await sla_by_priority(conn, span),
        workload=await workload(conn, span),
        ratings=await ratings(conn, span),
        hour_of_week=hour_of_week(opened, zones),
        time_zone=zone_name(zones),
        ticket_volume=volume_of([at for at, _ in tickets_opened], span),
        flows=await flows(conn, span),
        tickets_opened=len(tickets_opened),
        ticket_resolution=await durations(conn, span, "ticket_resolution"),
        tags=await tags(conn, span, [found for _, found in tickets_opened]),
    )


def within(span: Span) -> list[sa.ColumnElement[bool]]:
    found = [events.c.at >= span.start, events.c.at < span.end]
    if span.site_id is not None:
        found.append(events.c.site_id == span.site_id)
    people = _people(span)
    if people is not None:
        operators, conversations = people
        found.append(
            sa.or_(events.c.operator_id.in_(operators), events.c.conversation_id.in_(conversations))
        )
    return found


def _people(span: Span) -> tuple[sa.Select[Any], sa.Select[Any]] | None:
    """For the operator or team filter: (their operator ids, their conversations' ids)."""
    from porch.conversations.tables import conversations
    from porch.operators.tables import team_members

    if span.operator_id is not None:
        operators = sa.select(sa.literal(span.operator_id))
        mine = conversations.c.assignee_id == span.operator_id
    elif span.team_id is not None:
        operators = sa.select(team_members.c.operator_id).where(
            team_members.c.team_id == span.team_id
        )
        mine = sa.or_(
            conversations.c.team_id == span.team_id, conversations.c.assignee_id.in_(operators)
        )
    else:
        return None
    return operators, sa.select(conversations.c.id).where(mine)


def opened_query(span: Span) -> sa.Select[Any]:
    """Conversations opened in the range, for the site, operator or team asked."""
    from porch.conversations.tables import conversations as table

    query = sa.select(table.c.id, table.c.created_at, table.c.site_id).where(
        table.c.created_at >= span.start, table.c.created_at < span.end
    )
    if span.site_id is not None:
        query = query.where(table.c.site_id == span.site_id)
    people = _people(span)
    if people is not None:
        query = query.where(table.c.id.in_(people[1]))
    return query


COUNTED = ("resolution", "reopen", "bot_resolved", "bot_handoff")


async def _counts(conn: AsyncConnection, span: Span) -> Counter[str]:
    """How many facts of each `COUNTED` kind (named, so each kind is one index range)."""
    rows = await conn.execute(
        sa.select(events.c.kind, sa.func.count())
        .where(*within(span), events.c.kind.in_(COUNTED))
        .group_by(events.c.kind)
    )
    return Counter({kind: count for kind, count in rows})


async def durations(conn: AsyncConnection, span: Span, kind: str) -> Durations:
    column = events.c.business_seconds if span.business else events.c.seconds
    ranked = (
        sa.select(
            column.label("seconds"),
            (sa.func.row_number().over(order_by=column) - 1).label("rank"),
            sa.func.count().over().label("n"),
        )
        .where(*within(span), events.c.kind == kind, column.is_not(None))
        .subquery()
    )
    rows = (
        await conn.execute(
            sa.select(ranked.c.rank, ranked.c.seconds, ranked.c.n).where(
                sa.or_(*(_around(ranked.c.rank, ranked.c.n, p) for p in PERCENTILES))
            )
        )
    ).all()
    count = int(rows[0].n) if rows else 0
    found = {int(rank): float(seconds) for rank, seconds, _ in rows}
    return Durations(count, *(percentile_of(found, count, p) for p in PERCENTILES))


PERCENTILES = (0.5, 0.9)
"""The median and p90 (tenths: `_around` counts in whole tenths)."""


def _around(rank: Any, n: Any, p: float) -> sa.ColumnElement[bool]:
    """The ranks next to p·(n − 1), in whole numbers (no rounding in SQL to agree with
    Python's): p·10 = k, so rank·10 ∈ [k(n − 1) − 10, k(n − 1) + 20] holds both
    neighbours of the interpolation, with a rank of slack either side."""
    k = round(p * 10)
    return sa.and_(rank * 10 >= k * (n - 1) - 10, rank * 10 <= k * (n - 1) + 20)


def percentile_of(ranked: dict[int, float], count: int, p: float) -> float | None:
    """`percentile` over the durations ranked 0…count − 1, given those around the rank."""
    if not count:
        return None
    rank = p * (count - 1)
    low = int(rank)
    high = min(low + 1, count - 1)
    return ranked[low] + (ranked[high] - ranked[low]) * (rank - low)


async def _opened(conn: AsyncConnection, span: Span) -> list[tuple[int, datetime]]:
    """(site, when) of each conversation opened in the range."""
    return [(site_id, at) for _, at, site_id in await conn.execute(opened_query(span))]


async def _zones(conn: AsyncConnection, span: Span) -> dict[int, ZoneInfo]:
    """Each site's time zone (its business hours'; UTC when it has none)."""
    from porch.hours.models import BusinessHours
    from porch.sites.tables import sites

    query = sa.select(sites.c.id, sites.c.settings)
    if span.site_id is not None:
        query = query.where(sites.c.id == span.site_id)
    return {
        site_id: _zone_of(BusinessHours, settings or {})
        for site_id, settings in await conn.execute(query)
    }


def _zone_of(hours: Any, settings: dict[str, Any]) -> ZoneInfo:
    try:
        zone: ZoneInfo = hours.of_site(settings).zone
    except ValueError:  # hours saved before a zone was withdrawn: UTC rather than no page
        return ZoneInfo("UTC")
    return zone


def zone_name(zones: dict[int, ZoneInfo]) -> str:
    names = {str(zone) for zone in zones.values()}
    return names.pop() if len(names) == 1 else "each site's time zone" if names else "UTC"


async def volume(conn: AsyncConnection, span: Span) -> list[tuple[date, int]]:
    return volume_of([at for _, at in await _opened(conn, span)], span)


def volume_of(opened: list[datetime], span: Span) -> list[tuple[date, int]]:
    """How many per UTC day, every day of the range (zeros included)."""
    days = Counter(at.date() for at in opened)
    first, last = span.start.date(), (span.end - timedelta(microseconds=1)).date()
    return [
        (first + timedelta(days=n), days[first + timedelta(days=n)])
        for n in range((last - first).days + 1)
    ]


async def sla_by_priority(conn: AsyncConnection, span: Span) -> dict[str, tuple[int, int]]:
    """Deadlines met and missed per ticket priority, from the `sla_hit` and `sla_miss`
    facts (a deadline breached then answered late is one fact: one miss)."""
    hit = sa.func.sum(sa.case((events.c.kind == "sla_hit", 1), else_=0))
    rows = await conn.execute(
        sa.select(events.c.priority, hit, sa.func.count())
        .where(*within(span), events.c.kind.in_(("sla_hit", "sla_miss")))
        .group_by(events.c.priority)
    )
    found = {str(priority or "unknown"): (int(met), int(n) - int(met)) for priority, met, n in rows}
    return dict(sorted(found.items(), key=lambda item: _rank(item[0])))


def _rank(priority: str) -> tuple[int, str]:
    """Most urgent first, like the tickets' own lists."""
    order = ("critical", "high", "medium", "low")
    return (order.index(priority) if priority in order else len(order), priority)


async def workload(conn: AsyncConnection, span: Span) -> list[OperatorLoad]:
    """Per operator: conversations opened in the range now assigned to them, replies and
    resolutions in the range, and conversations open and assigned to them now."""
    from porch.conversations.tables import conversations
    from porch.operators.tables import operators

    people = _people(span)
    whose = [] if people is None else [events.c.operator_id.in_(people[0])]
    acted = await conn.execute(
        sa.select(
            events.c.operator_id,
            sa.func.sum(sa.case((events.c.kind == "reply", 1), else_=0)),
            sa.func.sum(sa.case((events.c.kind == "resolution", 1), else_=0)),
        )
        .where(*within(span), *whose, events.c.kind.in_(("reply", "resolution")))
        .group_by(events.c.operator_id)
    )
    counts: dict[int, list[int]] = {}
    for operator_id, replies, resolved in acted:
        if operator_id is not None:
            counts.setdefault(operator_id, [0, 0, 0, 0])[1:3] = [int(replies), int(resolved)]
    opened = opened_query(span).subquery()
    assignee = conversations.c.assignee_id
    assigned = sa.select(assignee, sa.func.count()).where(
        conversations.c.id.in_(sa.select(opened.c.id)), assignee.is_not(None)
    )
    for operator_id, n in await conn.execute(assigned.group_by(assignee)):
        counts.setdefault(operator_id, [0, 0, 0, 0])[0] = int(n)
    open_now = sa.select(assignee, sa.func.count()).where(
        conversations.c.status == "open", assignee.is_not(None)
    )
    if span.site_id is not None:
        open_now = open_now.where(conversations.c.site_id == span.site_id)
    if people is not None:
        assigned = assigned.where(assignee.in_(people[0]))
        open_now = open_now.where(assignee.in_(people[0]))
    for operator_id, n in await conn.execute(open_now.group_by(assignee)):
        counts.setdefault(operator_id, [0, 0, 0, 0])[3] = int(n)
    names = dict(
        (await conn.execute(sa.select(operators.c.id, operators.c.name).where(
            operators.c.id.in_(list(counts))
        ))).all()
    )  # fmt: skip
    found = [
        OperatorLoad(operator_id, names[operator_id], *counts[operator_id])
        for operator_id in counts
        if operator_id in names
    ]
    return sorted(found, key=lambda load: (load.name, load.operator_id))


async def ratings(conn: AsyncConnection, span: Span) -> dict[int, int]:
    rows = await conn.execute(
        sa.select(events.c.value, sa.func.count())
        .where(*within(span), events.c.kind == "rating")
        .group_by(events.c.value)
    )
    return {int(score): int(count) for score, count in rows}


def hour_of_week(opened: list[tuple[int, datetime]], zones: dict[int, ZoneInfo]) -> list[list[int]]:
    """Conversations opened per weekday (Monday first) and hour of the day, in the local
    time of their site (the hours its customers write in)."""
    utc = ZoneInfo("UTC")
    grid = [[0] * 24 for _ in range(7)]
    for site_id, at in opened:
        local = at.astimezone(zones.get(site_id, utc))
        grid[local.weekday()][local.hour] += 1
    return grid


async def flows(conn: AsyncConnection, span: Span) -> list[FlowFigures]:
    """Per flow: runs started in the range (`flow_triggered`) and runs that reached the
    flow's end in it (`flow_goal`). By site and range only: a flow works for a visitor,
    not for an operator or a team."""
    from porch.flows.tables import flows as table

    where = [events.c.at >= span.start, events.c.at < span.end]
    if span.site_id is not None:
        where.append(events.c.site_id == span.site_id)
    goal = sa.func.sum(sa.case((events.c.kind == "flow_goal", 1), else_=0))
    rows = (
        await conn.execute(
            sa.select(events.c.flow_id, sa.func.count() - goal, goal)
            .where(*where, events.c.kind.in_(("flow_triggered", "flow_goal")))
            .group_by(events.c.flow_id)
        )
    ).all()
    names = dict(
        (await conn.execute(sa.select(table.c.id, table.c.name).where(
            table.c.id.in_([flow_id for flow_id, _, _ in rows])
        ))).all()
    )  # fmt: skip
    found = [
        FlowFigures(names.get(flow_id, f"Deleted flow {flow_id}"), int(started), int(goals or 0))
        for flow_id, started, goals in rows
    ]
    return sorted(found, key=lambda f: f.name)


async def _tickets_opened(conn: AsyncConnection, span: Span) -> list[tuple[datetime, list[str]]]:
    """When each ticket created in the range was, and its tags."""
    from porch.tickets.tables import tickets

    query = sa.select(tickets.c.created_at, tickets.c.tags).where(
        tickets.c.created_at >= span.start, tickets.c.created_at < span.end
    )
    if span.site_id is not None:
        query = query.where(tickets.c.site_id == span.site_id)
    people = _people(span)
    if people is not None:
        query = query.where(tickets.c.conversation_id.in_(people[1]))
    return [(at, list(found or [])) for at, found in await conn.execute(query)]


async def tags(
    conn: AsyncConnection, span: Span, ticket_tags: list[list[str]]
) -> list[tuple[str, int, int]]:
    """Per tag: conversations opened in the range that carry it, and tickets."""
    from porch.inbox.tables import conversation_tags

    opened = opened_query(span).subquery()
    rows = await conn.execute(
        sa.select(conversation_tags.c.tag, sa.func.count())
        .where(conversation_tags.c.conversation_id.in_(sa.select(opened.c.id)))
        .group_by(conversation_tags.c.tag)
    )
    chats = {str(tag): int(n) for tag, n in rows}
    tickets = Counter(str(tag) for found in ticket_tags for tag in found)
    return [(tag, chats.get(tag, 0), tickets[tag]) for tag in sorted(set(chats) | set(tickets))]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
