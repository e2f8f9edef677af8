"""Ticket references (`#1042`) under a burst of concurrent creations: each ticket gets its
own, and together they run on without a gap, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from porch.db.engine import Database
from porch.db.migrate import upgrade
from porch.errors import NotFound
from porch.sites.tables import sites
from porch.tickets.references import take_reference
from porch.tickets.tables import tickets
from porch.visitors.tables import visitors
from tests.tickets.conftest import PAGE, Desk

BURST = 12


async def test_a_burst_of_creations_gets_distinct_consecutive_references(desk: Desk) -> None:
    requesters = [
        await desk.services.visitors.open_session(desk.site, None, PAGE) for _ in range(BURST)
    ]
    made = await asyncio.gather(
        *(
            desk.tickets.create(desk.site.id, r.id, f"Help {i}", "", "medium", desk.as_olivia)
            for i, r in enumerate(requesters)
        )
    )
    assert sorted(t.reference for t in made) == list(range(1001, 1001 + BURST))


async def test_each_site_counts_on_its_own_and_a_refused_creation_takes_none(
    desk: Desk,
) -> None:
    other = await desk.services.sites.create("Other shop", ["https://other.example"])
    theirs = await desk.services.visitors.open_session(other, None, PAGE)
    first = await desk.tickets.create(desk.site.id, desk.visitor.id, "A", "", "low", desk.as_olivia)
    with pytest.raises(NotFound):  # their visitor is not on this site: nothing is made
        await desk.tickets.create(desk.site.id, theirs.id, "B", "", "low", desk.as_olivia)
    second = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "C", "", "low", desk.as_olivia
    )
    elsewhere = await desk.tickets.create(other.id, theirs.id, "D", "", "low", desk.as_olivia)
    assert (first.reference, second.reference, elsewhere.reference) == (1001, 1002, 1001)
    with pytest.raises(NotFound):
        await desk.tickets.create(999_999, desk.visitor.id, "E", "", "low", desk.as_olivia)


async def test_the_upgrade_counts_on_from_the_tickets_there_are(empty_database_url: str) -> None:
    """Migration 0023 fills each site's counter from its highest reference."""
    url = empty_database_url
    await asyncio.to_thread(upgrade, url, "0019")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    ticket = {"site_id": 1, "requester_id": 1, "description": "", "priority": "low",
              "status": "open", "tags": [], "created_at": t0, "updated_at": t0}  # fmt: skip
    db = Database(url)
    try:
        async with db.begin() as conn:
            await conn.execute(
                sites.insert().values(id=1, key="k", name="Shop", allowed_origins=[],
                                      settings={}, identity_secret="s", created_at=t0)
            )  # fmt: skip
            await conn.execute(
                visitors.insert().values(id=1, site_id=1, name="Amber", attributes={},
                                         first_seen_at=t0, last_seen_at=t0)
            )  # fmt: skip
            for reference in (1001, 1002, 1007):
                await conn.execute(
                    tickets.insert().values(reference=reference, subject="Old", **ticket)
                )
        await asyncio.to_thread(upgrade, url, "head")
        async with db.begin() as conn:
            assert await take_reference(conn, 1) == 1008
    finally:
        await db.dispose()
