"""Insert-if-absent, the one piece of dialect-specific SQL the domain needs.

A plain INSERT that hits a unique constraint raises, and on PostgreSQL that aborts the
whole transaction; ON CONFLICT DO NOTHING skips the row instead on both backends.
"""

from __future__ import annotations

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
    insert = _INSERTS[conn.dialect.name]
    stmt = (
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(table.c.id)
    )
    return (await conn.execute(stmt)).scalar()
