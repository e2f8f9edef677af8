"""Insert-if-absent, the one piece of dialect-specific SQL the domain needs.

A plain INSERT that hits a unique constraint raises, and on PostgreSQL that aborts the
whole transaction; ON CONFLICT DO NOTHING skips the row instead on both backends.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def insert_ignore(
    conn: AsyncConnection, table: sa.Table, values: dict[str, Any], conflict: list[str]
) -> int | None:
    """Insert `values`; the new row's id, or None when a row with the same `conflict`
    columns already exists."""
    stmt = _statement(conn.dialect.name, table, tuple(values), tuple(conflict))
    return (await conn.execute(stmt, values)).scalar()


@cache
def _statement(
    dialect: str, table: sa.Table, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> sa.Executable:
    """Built once per shape, with bound parameters: on the message path, building the
    statement and its cache key anew each time cost as much as running it."""
    return (
        _INSERTS[dialect](table)
        .values({column: sa.bindparam(column) for column in columns})
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(table.c.id)
    )
