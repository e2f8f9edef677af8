"""`porch demo` shows the help desk: a returning customer's past conversation and tickets,
proactive flows and the bot's knowledge base, seeded once (on SQLite, the demo's
database)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from porch.app import build_services
from porch.bot.knowledge.store import KnowledgeBase
from porch.demo.seed import seed_demo
from porch.demo.showcase import CUSTOMER, seed_showcase
from porch.flows.store import FlowStore
from porch.tickets.catalog import Catalog
from porch.tickets.tables import tickets
from porch.visitors import queries as visitor_queries
from tests.conftest import make_config


async def test_the_demo_has_a_returning_customer_and_tickets_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    services = build_services(make_config(tmp_path, sqlite_url))
    try:
        demo = await seed_demo(services)
        await seed_showcase(services, demo)
        await seed_showcase(services, demo)  # a second run adds nothing
        async with services.db.connect() as conn:
            dana = await visitor_queries.verified_visitor(conn, demo.site.id, CUSTOMER.user_id)
        assert dana is not None and dana.name == "Dana Reyes"
        hello = await services.conversations.visitor_hello(dana.id)
        assert hello.conversation is not None and hello.conversation.status == "closed"
        assert [m.author for m in hello.messages] == ["visitor", "operator"]
        async with services.db.connect() as conn:
            rows = await conn.execute(
                sa.select(tickets.c.subject, tickets.c.priority, tickets.c.status)
            )
        assert sorted(tuple(row) for row in rows) == [
            ("Replacement for a cracked grinder hopper", "high", "pending"),
            ("Wholesale pricing for a café", "medium", "open"),
        ]
        shop = Catalog(services.db)
        assert [t.name for t in await shop.templates(demo.site.id)] == [
            "Address change",
            "Password reset",
            "Refund",
        ]
        assert [f.name for f in await shop.fields(demo.site.id)] == ["Order number", "Reason"]
        flows = await FlowStore(services.db, services.events, services.clock).list(demo.site.id)
        assert sorted((f.template, f.enabled) for f in flows) == [
            ("pricing-page-help", True),
            ("welcome-returning-visitor", True),
        ]
        knowledge = KnowledgeBase(services.db, services.clock)
        assert len(await knowledge.sources(demo.site.id)) >= 3
    finally:
        await services.db.dispose()
