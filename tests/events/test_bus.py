"""The event bus: listeners after the commit, and durable reactions written as jobs in the
causing transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from porch.actors import Actor
from porch.conversations.events import ConversationOpened, MessageCreated
from porch.conversations.service import ConversationService
from porch.db.engine import Database
from porch.events import EventBus, payload
from porch.jobs.queue import JobQueue
from porch.jobs.tables import jobs
from porch.sites.directory import SiteDirectory
from porch.sites.events import IdentitySecretRotated, SiteUpdated
from porch.sites.models import Site
from porch.visitors.models import Page
from porch.visitors.service import VisitorService

PAGE = Page("https://shop.example/", "Home")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def job_payloads(db: Database, kind: str) -> list[dict[str, Any]]:
    async with db.connect() as conn:
        rows = await conn.execute(sa.select(jobs.c.payload).where(jobs.c.kind == kind))
        return [row.payload for row in rows]


SITE = Site(1, "site_x", "Shop", ["https://shop.example"], {}, identity_secret="s3cret")


async def test_listeners_by_type_then_every_event_and_a_failure_harms_no_one() -> None:
    bus, heard = EventBus(), []

    async def broken(_event: object) -> None:
        raise RuntimeError("listener bug")

    async def by_type(event: object) -> None:
        heard.append(("type", event))

    async def everything(event: object) -> None:
        heard.append(("all", event))

    bus.subscribe(SiteUpdated, broken)
    bus.subscribe(SiteUpdated, by_type)
    bus.subscribe_all(everything)
    event, other = SiteUpdated(SITE), IdentitySecretRotated(SITE)
    await bus.publish(event)
    await bus.publish(other)
    assert heard == [("type", event), ("all", event), ("all", other)]


async def test_a_durable_reaction_is_a_job_in_the_same_transaction(database_url: str) -> None:
    db, bus = Database(database_url), EventBus()
    try:
        sites = SiteDirectory(db, bus)
        bus.enqueue_on(SiteUpdated, "test.site_changed")
        site = await sites.create("Shop", ["https://shop.example"])
        with pytest.raises(Exception, match="no site"):  # rolled back: no job either
            await sites.update(site.id + 100, name="Nope")
        assert await job_payloads(db, "test.site_changed") == []
        renamed = await sites.update(site.id, name="Mugs")
        [job] = await job_payloads(db, "test.site_changed")
        assert job == payload(SiteUpdated(renamed)) and job["type"] == "site.updated"
        assert job["data"]["site"]["name"] == "Mugs"
        # Secrets never ride in a payload (the record marks them repr=False).
        bus.enqueue_on(IdentitySecretRotated, "test.rotated")
        rotated = await sites.rotate_identity_secret(site.id)
        [secret_job] = await job_payloads(db, "test.rotated")
        assert rotated.identity_secret not in str(secret_job)
        assert "identity_secret" not in secret_job["data"]["site"]
    finally:
        await db.dispose()


async def test_a_job_subscription_to_every_event_runs_once_per_fact(database_url: str) -> None:
    """What webhooks and analytics will do: every event of a visitor's first message,
    even on the grouped message path, reaches a handler through the queue."""
    db, bus = Database(database_url), EventBus()
    queue = JobQueue(db)
    bus.jobs_committed = queue.notify
    seen: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def record(job: dict[str, Any]) -> None:
        seen.append(job)
        if len(seen) == 2:
            done.set()

    queue.register("test.every_event", record)
    bus.enqueue_on(None, "test.every_event")
    visitors = VisitorService(db, EventBus())  # its page views are not the subject here
    conversations = ConversationService(db, bus, visitors)
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    visitor = await visitors.open_session(site, None, PAGE)
    await queue.start()
    try:
        await conversations.send_visitor_message(visitor.id, "c-1", "Hello 👋")
        await conversations.send_visitor_message(visitor.id, "c-1", "Hello 👋")  # a resend
        await asyncio.wait_for(done.wait(), timeout=10)
    finally:
        await queue.stop()
        await db.dispose()
    assert [job["type"] for job in seen] == [ConversationOpened.name, MessageCreated.name]
    message = seen[1]["data"]
    assert message["message"]["body"] == "Hello 👋"
    assert message["actor"] == {"kind": "visitor", "id": visitor.id, "name": visitor.name}
    assert await job_payloads(db, "test.every_event") == []  # done jobs leave the table


def test_payloads_are_plain_json_with_the_actor_and_no_secret() -> None:
    event = SiteUpdated(SITE, Actor.system("flows"))
    assert payload(event) == {
        "type": "site.updated",
        "data": {
            "site": {
                "id": 1,
                "key": "site_x",
                "name": "Shop",
                "allowed_origins": ["https://shop.example"],
                "settings": {},
            },
            "actor": {"kind": "system", "id": None, "name": "flows"},
        },
    }


async def test_a_filtered_subscription_writes_jobs_only_for_events_it_wants(
    database_url: str,
) -> None:
    """The busiest paths write no job a subscriber would drop: `only_if` runs in the
    causing transaction (here on the grouped message path)."""
    db, bus = Database(database_url), EventBus()
    woken: list[bool] = []
    bus.jobs_committed = lambda: woken.append(True)

    async def about_refunds(_conn: object, event: MessageCreated) -> bool:
        return "refund" in event.message.body

    bus.enqueue_on(MessageCreated, "test.refunds", only_if=about_refunds)
    try:
        visitors = VisitorService(db, EventBus())
        conversations = ConversationService(db, bus, visitors)
        site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
        visitor = await visitors.open_session(site, None, PAGE)
        await conversations.send_visitor_message(visitor.id, "c-1", "Hello")
        assert await job_payloads(db, "test.refunds") == [] and woken == []
        await conversations.send_visitor_message(visitor.id, "c-2", "I want a refund")
        [job] = await job_payloads(db, "test.refunds")
        assert job["data"]["message"]["body"] == "I want a refund" and woken == [True]
    finally:
        await db.dispose()


async def test_sql_conditions_of_all_subscribers_are_read_in_one_query(database_url: str) -> None:
    """`when` filters answer from the event or name a SQL condition; the message path
    reads every subscriber's condition in a single SELECT and writes only wanted jobs."""
    db, bus = Database(database_url), EventBus()
    selects: list[str] = []

    def count_selects(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    def has_jobs(_event: MessageCreated) -> Any:
        return sa.exists().where(jobs.c.kind == "test.seen")  # false until one is written

    def always_sql(_event: MessageCreated) -> Any:
        return sa.literal(True)

    bus.enqueue_on(MessageCreated, "test.never", when=lambda event: "zzz" in event.message.body)
    bus.enqueue_on(MessageCreated, "test.seen", when=always_sql)
    bus.enqueue_on(MessageCreated, "test.second", when=has_jobs)
    try:
        visitors = VisitorService(db, EventBus())
        conversations = ConversationService(db, bus, visitors)
        site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
        visitor = await visitors.open_session(site, None, PAGE)
        engines = [db.engine.sync_engine] + ([db.writer.engine] if db.writer else [])
        for engine in engines:  # SQLite writes messages through its writer thread's engine
            sa.event.listen(engine, "before_cursor_execute", count_selects)
        await conversations.send_visitor_message(visitor.id, "c-1", "Hello")
        conditions = [s for s in selects if "AS c1" in s and "AS c2" in s]
        assert len(conditions) == 1, selects  # both SQL conditions, one statement
        assert len(await job_payloads(db, "test.seen")) == 1
        assert await job_payloads(db, "test.never") == []
        assert await job_payloads(db, "test.second") == []  # read before the first was written
        await conversations.send_visitor_message(visitor.id, "c-2", "Again")
        assert len(await job_payloads(db, "test.second")) == 1
    finally:
        await db.dispose()
