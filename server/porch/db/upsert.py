"""Insert-if-absent, the one piece of dialect-specific SQL the domain needs.

A plain INSERT that hits a unique constraint raises, and on PostgreSQL that aborts the
whole transaction; ON CONFLICT DO NOTHING skips the row instead on both backends.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

_INSERTS: dict[str, Callable[[sa.Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def insert_ignore(
    conn: AsyncConnection,
    table: sa.Table,
    values: dict[str, Any],
    conflict: list[str],
    where: sa.TextClause | None = None,
) -> int | None:
    """Insert `values`; the new row's id, or None when a row with the same `conflict`
    columns already exists (among rows matching `where`, for a partial unique index:
    pass the index's own predicate object)."""
    stmt = _statement(conn.dialect.name, table, tuple(values), tuple(conflict), where)
    return (await conn.execute(stmt, values)).scalar()


@cache
def _statement(
    dialect: str,
    table: sa.Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    where: sa.TextClause | None,
) -> sa.Executable:
    """Built once per shape, with bound parameters: on the message path, building the
    statement and its cache key anew each time cost as much as running it."""
    insert = _INSERTS[dialect](table).values({c: sa.bindparam(c) for c in columns})
    return insert.on_conflict_do_nothing(
        index_elements=list(conflict), index_where=where
    ).returning(table.c.id)
