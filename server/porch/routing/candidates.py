"""Who could take a piece of work: active operators, their skills, their open load."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.tables import conversations
from porch.operators.service import Operator, operator_from_row
from porch.operators.tables import operators
from porch.operators.teams import team_member_ids
from porch.tickets.models import ACTIVE
from porch.tickets.tables import tickets


@dataclass(frozen=True)
class Candidate:
    operator: Operator
    online: bool
    load: int
    """Open chats (for a chat) or open and pending tickets (for a ticket) they have now."""

    @property
    def id(self) -> int:
        return self.operator.id

    def has_room(self, kind: str) -> bool:
        limit = self.operator.max_chats if kind == "chat" else self.operator.max_tickets
        return limit is None or self.load < limit


async def active_operators(conn: AsyncConnection, team_id: int | None) -> list[Operator]:
    query = sa.select(operators).where(operators.c.deactivated_at.is_(None))
    if team_id is not None:
        query = query.where(operators.c.id.in_(await team_member_ids(conn, team_id)))
    return [operator_from_row(row) for row in await conn.execute(query.order_by(operators.c.id))]


async def loads(conn: AsyncConnection, kind: str, operator_ids: Collection[int]) -> dict[int, int]:
    """How much open work of `kind` each operator has."""
    if not operator_ids:
        return {}
    if kind == "chat":
        column, where = conversations.c.assignee_id, conversations.c.status == "open"
    else:
        column, where = tickets.c.assignee_id, tickets.c.status.in_(ACTIVE)
    query = (
        sa.select(column, sa.func.count())
        .where(where)
        .where(column.in_(list(operator_ids)))
        .group_by(column)
    )
    counted = {int(row[0]): int(row[1]) for row in await conn.execute(query)}
    return {operator_id: counted.get(operator_id, 0) for operator_id in operator_ids}


async def candidates(
    conn: AsyncConnection, kind: str, team_id: int | None, online_ids: Collection[int]
) -> list[Candidate]:
    found = await active_operators(conn, team_id)
    load = await loads(conn, kind, [o.id for o in found])
    return [Candidate(o, o.id in online_ids, load[o.id]) for o in found]
