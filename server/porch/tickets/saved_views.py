"""Saved views: an operator's named filters and sort, personal or shared, with counts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from porch.clock import Clock
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.tickets import filters, queries
from porch.tickets.models import SORTS, SavedView, Sort, Ticket
from porch.tickets.tables import ticket_views

MAX_NAME = 80
MAX_VIEWS = 100


def _sort(sort: str) -> Sort:
    for known in SORTS:
        if sort == known:
            return known
    raise Invalid(f"a view sorts by one of: {', '.join(SORTS)}")


def _filters(raw: dict[str, Any]) -> filters.Filters:
    try:
        return filters.Filters.model_validate(raw)
    except ValidationError as error:
        raise Invalid(f"bad filters: {error.errors()[0]['msg']}") from None


def _visible(operator_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(ticket_views.c.shared.is_(True), ticket_views.c.owner_id == operator_id)


class SavedViews:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def save(
        self,
        owner_id: int,
        name: str,
        raw_filters: dict[str, Any],
        sort: str = "priority",
        shared: bool = False,
    ) -> SavedView:
        name = name.strip()
        if not 0 < len(name) <= MAX_NAME:
            raise Invalid(f"a view's name has 1 to {MAX_NAME} characters")
        checked = _filters(raw_filters).model_dump(exclude_defaults=True)
        values: dict[str, Any] = {
            "owner_id": owner_id,
            "name": name,
            "shared": shared,
            "filters": checked,
            "sort": _sort(sort),
            "created_at": self.clock.now(),
        }
        async with self.db.begin() as conn:
            mine = await conn.scalar(
                sa.select(sa.func.count()).where(ticket_views.c.owner_id == owner_id)
            )
            if int(mine or 0) >= MAX_VIEWS:
                raise Invalid(f"at most {MAX_VIEWS} views each")
            result = await conn.execute(
                ticket_views.insert().values(values).returning(ticket_views.c.id)
            )
            return SavedView(id=int(result.scalar_one()), **values)

    async def delete(self, operator_id: int, view_id: int) -> None:
        """Its owner deletes a view (shared or not)."""
        async with self.db.begin() as conn:
            gone = await conn.execute(
                ticket_views.delete().where(
                    ticket_views.c.id == view_id, ticket_views.c.owner_id == operator_id
                )
            )
        if gone.rowcount == 0:
            raise NotFound(f"no view {view_id} of yours")

    async def visible(self, operator_id: int) -> list[SavedView]:
        query = ticket_views.select().where(_visible(operator_id)).order_by(ticket_views.c.name)
        async with self.db.connect() as conn:
            return [SavedView(**row._mapping) for row in await conn.execute(query)]

    async def get(self, operator_id: int, view_id: int) -> SavedView:
        query = ticket_views.select().where(ticket_views.c.id == view_id, _visible(operator_id))
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no view {view_id}")
        return SavedView(**row._mapping)

    async def tickets(self, operator_id: int, view: SavedView, limit: int = 200) -> list[Ticket]:
        where = filters.condition(_filters(view.filters), operator_id, self.clock.now())
        async with self.db.connect() as conn:
            return await queries.filtered(conn, where, filters.order(view.sort), limit)

    async def counts(self, operator_id: int, views: list[SavedView]) -> dict[int, int]:
        """How many tickets each view holds now (one count each)."""
        now = self.clock.now()
        counts = {}
        async with self.db.connect() as conn:
            for view in views:
                where = filters.condition(_filters(view.filters), operator_id, now)
                counts[view.id] = await queries.count(conn, where)
        return counts
