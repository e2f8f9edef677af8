"""Migration 0013 indexes what was already there: rows written before it are found after."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from porch.conversations.tables import conversations, messages
from porch.db.engine import Database
from porch.db.migrate import upgrade
from porch.search.service import SearchService
from porch.sites.tables import sites
from porch.visitors.tables import visitors


async def test_rows_from_before_the_migration_are_found(empty_database_url: str) -> None:
    await asyncio.to_thread(upgrade, empty_database_url, "0009")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    db = Database(empty_database_url)
    try:
        async with db.begin() as conn:
            await conn.execute(
                sites.insert().values(
                    id=1,
                    key="k",
                    name="Shop",
                    allowed_origins=[],
                    settings={},
                    identity_secret="s",
                    created_at=t0,
                )
            )
            await conn.execute(
                visitors.insert().values(
                    id=1,
                    site_id=1,
                    name="Odile Older",
                    attributes={},
                    first_seen_at=t0,
                    last_seen_at=t0,
                )
            )
            await conn.execute(
                conversations.insert().values(
                    id=1,
                    site_id=1,
                    visitor_id=1,
                    status="open",
                    created_at=t0,
                    last_activity_at=t0,
                )
            )
            await conn.execute(
                messages.insert().values(
                    conversation_id=1,
                    client_id="a",
                    author="visitor",
                    internal=False,
                    created_at=t0,
                    body="An umbrella from last winter",
                )
            )
    finally:
        await db.dispose()
    await asyncio.to_thread(upgrade, empty_database_url, "head")
    db = Database(empty_database_url)
    try:
        search = SearchService(db)
        assert [(h.kind, h.id) for h in await search.search("umbrella")] == [("conversation", 1)]
        assert [(h.kind, h.id) for h in await search.search("odile")] == [("contact", 1)]
    finally:
        await db.dispose()
