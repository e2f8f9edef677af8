"""Saved views' filters: what an operator may combine (status, priority, assignee, tag,
custom field, created and updated ranges, SLA state) and the SQL each becomes.

Every filter is optional; given ones all apply (AND). Teams come with routing (another
feature adds `tickets.team_id`): `team_condition` is where its filter plugs in.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import Field, StringConstraints

from porch.realtime.schemas import Id, Payload
from porch.text import TextOnly
from porch.tickets.models import ACTIVE, STATUSES, Sort
from porch.tickets.tables import ticket_field_values, tickets

Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), TextOnly
]
StatusName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), TextOnly
]
FieldValue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), TextOnly]
Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
SlaState = Literal["ok", "warning", "breached", "paused", "none"]


class FieldFilter(Payload):
    field_id: Id
    value: FieldValue


class Filters(Payload):
    """`status`: built-in or custom status names; `assignee`: an operator id, `"me"` or
    `"none"`; days are `YYYY-MM-DD` (UTC), both ends included."""

    status: Annotated[list[StatusName], Field(max_length=12)] = Field(default_factory=list)
    priority: Annotated[list[Literal["critical", "high", "medium", "low"]], Field(max_length=4)] = (
        Field(default_factory=list)
    )
    assignee: Id | Literal["me", "none"] | None = None
    tag: Tag | None = None
    field: FieldFilter | None = None
    created_from: Day | None = None
    created_to: Day | None = None
    updated_from: Day | None = None
    updated_to: Day | None = None
    sla: SlaState | None = None
    team_id: Id | None = None


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)


def team_condition(team_id: int) -> sa.ColumnElement[bool]:
    """Tickets of one team (porch.routing sets teams; docs/team.md)."""
    return tickets.c.team_id == team_id


def _status(names: list[str]) -> sa.ColumnElement[bool]:
    """A built-in status matches the tickets in it, custom statuses mapped to it included
    (the index on status serves it); a custom status matches its own tickets."""
    built_in = [name for name in names if name in STATUSES]
    custom = [name for name in names if name not in STATUSES]
    if not custom:
        return tickets.c.status.in_(built_in)
    if not built_in:
        return tickets.c.custom_status.in_(custom)
    return sa.or_(tickets.c.status.in_(built_in), tickets.c.custom_status.in_(custom))


def _tag(tag: str) -> sa.ColumnElement[bool]:
    """Tags are a JSON list: match the tag's JSON text (quotes included), which both
    SQLite and PostgreSQL store as written."""
    needle = json.dumps(tag).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.cast(tickets.c.tags, sa.Text).like(f"%{needle}%", escape="\\")


def _sla(state: str, now: datetime) -> sa.ColumnElement[bool]:
    """From the stored soonest deadline and its 80% instant (`sla_due_at`, `sla_warn_at`),
    which the server moves with the deadlines; the clocks run only while open."""
    running = sa.and_(tickets.c.status.in_(ACTIVE), tickets.c.sla_due_at.is_not(None))
    conditions = {
        "breached": sa.and_(running, tickets.c.sla_due_at <= now),
        "warning": sa.and_(running, tickets.c.sla_warn_at <= now, tickets.c.sla_due_at > now),
        "ok": sa.and_(running, tickets.c.sla_warn_at > now),
        "paused": sa.and_(tickets.c.status.in_(ACTIVE), tickets.c.sla_paused_at.is_not(None)),
        "none": sa.or_(tickets.c.status.not_in(ACTIVE), tickets.c.sla_due_at.is_(None)),
    }
    return conditions[state]


def condition(filters: Filters, operator_id: int, now: datetime) -> sa.ColumnElement[bool]:
    """The WHERE of a saved view (merged tickets never show: they live on in their
    target)."""
    parts: list[sa.ColumnElement[bool]] = [tickets.c.merged_into_id.is_(None)]
    if filters.status:
        parts.append(_status(filters.status))
    if filters.priority:
        parts.append(tickets.c.priority.in_(filters.priority))
    if filters.assignee == "me":
        parts.append(tickets.c.assignee_id == operator_id)
    elif filters.assignee == "none":
        parts.append(tickets.c.assignee_id.is_(None))
    elif filters.assignee is not None:
        parts.append(tickets.c.assignee_id == filters.assignee)
    if filters.tag:
        parts.append(_tag(filters.tag))
    if filters.field is not None:
        parts.append(
            sa.exists().where(
                ticket_field_values.c.ticket_id == tickets.c.id,
                ticket_field_values.c.field_id == filters.field.field_id,
                ticket_field_values.c.value == filters.field.value,
            )
        )
    parts += _ranges(filters)
    if filters.sla is not None:
        parts.append(_sla(filters.sla, now))
    if filters.team_id is not None:
        parts.append(team_condition(filters.team_id))
    return sa.and_(*parts)


def _ranges(filters: Filters) -> list[sa.ColumnElement[bool]]:
    parts: list[sa.ColumnElement[bool]] = []
    day = timedelta(days=1)
    if filters.created_from:
        parts.append(tickets.c.created_at >= _day(filters.created_from))
    if filters.created_to:
        parts.append(tickets.c.created_at < _day(filters.created_to) + day)
    if filters.updated_from:
        parts.append(tickets.c.updated_at >= _day(filters.updated_from))
    if filters.updated_to:
        parts.append(tickets.c.updated_at < _day(filters.updated_to) + day)
    return parts


PRIORITY_ORDER = sa.case(
    {"critical": 0, "high": 1, "medium": 2, "low": 3}, value=tickets.c.priority, else_=4
)


def order(sort: Sort) -> list[Any]:
    """Ties go by number, in the sort's direction."""
    orders: dict[Sort, list[Any]] = {
        "priority": [PRIORITY_ORDER, tickets.c.created_at, tickets.c.id],
        "newest": [tickets.c.created_at.desc(), tickets.c.id.desc()],
        "oldest": [tickets.c.created_at, tickets.c.id],
        "updated": [tickets.c.updated_at.desc(), tickets.c.id.desc()],
        "due": [tickets.c.sla_due_at.is_(None), tickets.c.sla_due_at, tickets.c.id],
    }
    return orders[sort]
