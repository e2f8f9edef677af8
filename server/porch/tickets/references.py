"""Ticket references (`#1042`): each site's own sequence, taken from a counter row.

The reference is taken by one statement that inserts the site's counter or bumps it and
returns the new value (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on PostgreSQL and
SQLite alike). The row stays locked until the ticket's transaction ends, so concurrent
creations take turns on it: every reference is distinct, and one whose transaction rolls
back is given again, so there are no gaps. On SQLite it is the transaction's first
statement, so the transaction starts as the one writer (a read first would make a stale
snapshot that cannot become a write under contention).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.errors import NotFound
from porch.tickets.tables import ticket_counters, tickets

FIRST_REFERENCE = 1001

_INSERTS: dict[str, Callable[[sa.Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def take_reference(conn: AsyncConnection, site_id: int) -> int:
    """The site's next reference, held by this transaction until it ends."""
    try:
        result = await conn.execute(_statement(conn.dialect.name), {"site_id": site_id})
    except sa.exc.IntegrityError as exc:  # the counter's foreign key: no such site
        raise NotFound(f"no site {site_id}") from exc
    return int(result.scalar_one())


@cache
def _statement(dialect: str) -> sa.Executable:
    # A site without a counter row yet (made before migration 0023 filled them, or its
    # first ticket) starts after its highest reference, else at FIRST_REFERENCE.
    site_id = sa.bindparam("site_id", type_=sa.Integer)
    highest = (
        sa.select(sa.func.max(tickets.c.reference))
        .where(tickets.c.site_id == site_id)
        .scalar_subquery()
    )
    start = sa.func.coalesce(highest + 1, FIRST_REFERENCE)
    # `WHERE true`: SQLite reads an upsert's SELECT without a WHERE as a join's ON.
    row = sa.select(site_id, start).where(sa.true())
    insert = _INSERTS[dialect](ticket_counters).from_select(["site_id", "last_reference"], row)
    return insert.on_conflict_do_update(
        index_elements=[ticket_counters.c.site_id],
        set_={"last_reference": ticket_counters.c.last_reference + 1},
    ).returning(ticket_counters.c.last_reference)
