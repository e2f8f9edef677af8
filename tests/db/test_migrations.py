"""Alembic revisions against real databases: the migrated schema is exactly what the
tables in code describe, and data-fixing upgrades keep every message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from porch.conversations.tables import conversations, messages
from porch.db.engine import create_engine
from porch.db.fulltext import is_fulltext_table
from porch.db.migrate import upgrade
from porch.db.tables import metadata
from porch.sites.tables import sites
from porch.visitors.tables import visitors


def _managed(name: str | None, kind: str, _parents: object) -> bool:
    """Full-text objects are dialect-specific SQL the tables in code cannot describe: the
    search's FTS5 tables and indexes (`porch.db.fulltext`) and the bot's (`_fts`, an FTS5
    table and its shadow tables on SQLite, an expression index on PostgreSQL)."""
    if is_fulltext_table(name) or str(name).endswith("_fulltext"):
        return False
    return not (name and "_fts" in name and kind in ("table", "index"))


def _diff(connection: sa.Connection) -> list:
    opts = {"compare_type": True, "include_name": _managed}
    context = MigrationContext.configure(connection, opts=opts)
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


async def test_upgrade_keeps_closed_conversations_as_history(empty_database_url: str) -> None:
    """0008: a closed conversation gets its close time (its last activity), and from then on
    a visitor may have many conversations but only one open."""
    url = empty_database_url
    await asyncio.to_thread(upgrade, url, "0007")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    person = {"site_id": 1, "attributes": {}, "first_seen_at": t0, "last_seen_at": t0}
    talk = {"site_id": 1, "created_at": t0}
    await run(
        url,
        sites.insert().values(
            id=1,
            key="k",
            name="Shop",
            allowed_origins=[],
            settings={},
            identity_secret="s",
            created_at=t0,
        ),
        visitors.insert().values(id=1, name="Amber", **person),
        visitors.insert().values(id=2, name="Basil", **person),
        conversations.insert().values(
            id=1, visitor_id=1, status="closed", last_activity_at=t0 + timedelta(hours=2), **talk
        ),
        conversations.insert().values(
            id=2, visitor_id=2, status="open", last_activity_at=t0, **talk
        ),
    )
    await asyncio.to_thread(upgrade, url, "head")
    closed = await run(
        url, sa.select(conversations.c.id, conversations.c.closed_at).order_by(conversations.c.id)
    )
    assert [tuple(r) for r in closed] == [(1, t0 + timedelta(hours=2)), (2, None)]
    again = {"last_activity_at": t0, **talk}
    await run(url, conversations.insert().values(id=3, visitor_id=1, status="open", **again))
    with pytest.raises(sa.exc.IntegrityError):  # Basil already has an open one
        await run(url, conversations.insert().values(id=4, visitor_id=2, status="open", **again))
    assert await schema_differences(url) == []


async def test_upgrade_writes_sla_hits_and_flow_facts(empty_database_url: str) -> None:
    """0030: deadlines met and flow runs already stored become the reporting events the
    recorder writes now, with the keys it uses (so a late job records nothing twice)."""
    from porch.analytics.tables import reporting_events as facts
    from porch.flows.tables import flow_runs, flows
    from porch.tickets.tables import sla_records, tickets

    url = empty_database_url
    await asyncio.to_thread(upgrade, url, "0028")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    due = t0 + timedelta(hours=1)
    person = {"site_id": 1, "attributes": {}, "first_seen_at": t0, "last_seen_at": t0}
    ticket = {"site_id": 1, "subject": "S", "description": "", "requester_id": 1,
              "status": "open", "tags": [], "created_at": t0, "updated_at": t0}  # fmt: skip
    flow = {"site_id": 1, "enabled": True, "trigger_type": "page_open", "priority": 50,
            "version": 1, "document": {}, "created_at": t0, "updated_at": t0}  # fmt: skip
    run_ = {"flow_id": 1, "version": 1, "visitor_id": 1, "step": 1, "context": {},
            "started_at": t0, "updated_at": due}  # fmt: skip
    await run(
        url,
        sites.insert().values(
            id=1,
            key="k",
            name="Shop",
            allowed_origins=[],
            settings={},
            identity_secret="s",
            created_at=t0,
        ),
        visitors.insert().values(id=1, name="Amber", **person),
        tickets.insert().values(id=1, reference=1, priority="high", **ticket),
        tickets.insert().values(id=2, reference=2, priority="low", **ticket),
        sla_records.insert().values(
            ticket_id=1, target="first_response", outcome="met", due_at=due, at=t0
        ),
        sla_records.insert().values(
            ticket_id=2, target="first_response", outcome="breached", due_at=due, at=due
        ),
        facts.insert().values(
            key=f"sla_miss:2:first_response:{due.isoformat()}",
            site_id=1,
            kind="sla_miss",
            ticket_id=2,
            at=due,
        ),
        flows.insert().values(id=1, name="Hello", **flow),
        flow_runs.insert().values(id=1, status="done", **run_),
        flow_runs.insert().values(id=2, status="waiting", **run_),
    )
    await asyncio.to_thread(upgrade, url, "head")
    found = await run(
        url,
        sa.select(facts.c.key, facts.c.kind, facts.c.priority, facts.c.flow_id, facts.c.at)
        .order_by(facts.c.key),
    )  # fmt: skip
    assert [tuple(r) for r in found] == [
        ("flow_goal:1", "flow_goal", None, 1, due),
        ("flow_triggered:1", "flow_triggered", None, 1, t0),
        ("flow_triggered:2", "flow_triggered", None, 1, t0),
        (f"sla_hit:1:first_response:{due.isoformat()}", "sla_hit", "high", None, t0),
        (f"sla_miss:2:first_response:{due.isoformat()}", "sla_miss", "low", None, due),
    ]
    assert await schema_differences(url) == []
