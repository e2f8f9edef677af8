"""Alembic revisions against real databases: the migrated schema is exactly what the
tables in code describe, and data-fixing upgrades keep every message."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from porch.chat.tables import conversations, messages, sites, visitors
from porch.db.engine import create_engine
from porch.db.migrate import upgrade
from porch.db.tables import metadata
from tests.support import databases


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_template: str | None
) -> Iterator[str]:
    """A database with no tables yet, on each backend."""
    if request.param == "sqlite":
        yield databases.sqlite_database(tmp_path, revision=None)
        return
    if postgres_template is not None:
        pytest.skip(postgres_template)
    url, name = databases.postgres_database(migrated=False)
    yield url
    databases.drop_postgres_database(name)


def _diff(connection: sa.Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


async def schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff)
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_tables_in_code(database_url: str) -> None:
    assert await schema_differences(database_url) == []


async def run(url: str, *statements: sa.Executable) -> list[sa.Row]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            *_, last = [await conn.execute(s) for s in statements]
            return list(last) if last.returns_rows else []
    finally:
        await engine.dispose()


async def test_upgrade_merges_duplicate_conversations(empty_database_url: str) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade, url, "0001")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    row = {"created_at": t0, "status": "open", "site_id": 1, "visitor_id": 1}
    await run(
        url,
        sites.insert().values(
            id=1, key="k", name="Shop", allowed_origins=[], settings={}, created_at=t0
        ),
        visitors.insert().values(
            id=1, site_id=1, name="Amber", attributes={}, first_seen_at=t0, last_seen_at=t0
        ),
        conversations.insert().values(id=1, last_activity_at=t0, **row),
        conversations.insert().values(id=2, last_activity_at=t0 + timedelta(hours=1), **row),
    )
    message = {"author": "visitor", "internal": False, "created_at": t0, "body": "hi"}
    await run(
        url,
        *(
            messages.insert().values(conversation_id=c, client_id=client_id, **message)
            for c, client_id in [(1, "tab-a"), (2, "tab-b"), (2, "tab-a")]  # two tabs raced
        ),
    )
    await asyncio.to_thread(upgrade, url, "head")
    left = await run(url, sa.select(conversations.c.id, conversations.c.last_activity_at))
    assert [(r.id, r.last_activity_at) for r in left] == [(1, t0 + timedelta(hours=1))]
    kept = await run(
        url,
        sa.select(messages.c.conversation_id, messages.c.client_id).order_by(messages.c.id),
    )
    assert [tuple(r) for r in kept] == [(1, "tab-a"), (1, "tab-b")]
    assert await schema_differences(url) == []
