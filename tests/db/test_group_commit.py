"""Visitor messages written together in one transaction (group commit), on real storage:
every sender gets their own message back, and one sender's failure costs nobody else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.events import MessageCreated
from porch.conversations.service import ConversationService
from porch.conversations.tables import messages
from porch.db.engine import Database
from porch.db.group_commit import GroupCommit
from porch.errors import NotFound
from porch.events import EventBus
from porch.sites.directory import SiteDirectory
from porch.visitors.models import Page
from porch.visitors.service import VisitorService

PAGE = Page("https://shop.example/", "Home", "")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def stored_bodies(db: Database) -> list[str]:
    async with db.connect() as conn:
        return sorted(await conn.scalars(sa.select(messages.c.body)))


async def test_concurrent_senders_each_get_their_own_message(db: Database) -> None:
    bus, created = EventBus(), []

    async def record(event: MessageCreated) -> None:
        created.append(event.message.body)

    bus.subscribe(MessageCreated, record)
    chat = ConversationService(db, bus, VisitorService(db, bus))
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    visitors = [await chat.visitors.open_session(site, None, PAGE) for _ in range(5)]

    sent = await asyncio.gather(
        *(
            chat.send_visitor_message(v.id, f"c-{v.id}-{n}", f"{v.name} {n}")
            for v in visitors
            for n in range(4)
        )
    )

    asked = [f"{v.name} {n}" for v in visitors for n in range(4)]
    assert [m.body for m in sent] == asked  # each caller gets its own message back
    assert len({m.conversation_id for m in sent}) == len(visitors)
    expected = sorted(asked)
    assert await stored_bodies(db) == expected
    assert sorted(created) == expected  # published once each, after the commit


async def test_a_failing_sender_does_not_undo_the_others(db: Database) -> None:
    chat = ConversationService(db, EventBus(), VisitorService(db, EventBus()))
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    alice = await chat.visitors.open_session(site, None, PAGE)
    bob = await chat.visitors.open_session(site, None, PAGE)
    gone = 10_000_000  # no such visitor: this send fails inside the shared transaction

    results = await asyncio.gather(
        chat.send_visitor_message(alice.id, "a-1", "from alice"),
        chat.send_visitor_message(gone, "g-1", "from nobody"),
        chat.send_visitor_message(bob.id, "b-1", "from bob"),
        return_exceptions=True,
    )

    assert isinstance(results[1], NotFound)
    assert [r.body for r in (results[0], results[2])] == ["from alice", "from bob"]
    assert await stored_bodies(db) == ["from alice", "from bob"]


async def test_a_resend_in_the_same_batch_is_stored_once(db: Database) -> None:
    chat = ConversationService(db, EventBus(), VisitorService(db, EventBus()))
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    visitor = await chat.visitors.open_session(site, None, PAGE)

    first, again = await asyncio.gather(
        chat.send_visitor_message(visitor.id, "same", "hello"),
        chat.send_visitor_message(visitor.id, "same", "hello"),
    )

    assert first.id == again.id
    assert await stored_bodies(db) == ["hello"]


async def test_a_write_job_that_waits_on_anything_else_fails_loudly(db: Database) -> None:
    # On SQLite a batch runs in the writer thread, where only the connection may be awaited:
    # a job that waits on the event loop must fail at once, not hang or half-write.
    chat = ConversationService(db, EventBus(), VisitorService(db, EventBus()))
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    visitor = await chat.visitors.open_session(site, None, PAGE)
    await chat.send_visitor_message(visitor.id, "first", "stored")
    writes = GroupCommit(db)

    async def change_then_wait(conn: AsyncConnection) -> None:
        await conn.execute(sa.update(messages).values(body="changed"))
        await asyncio.sleep(0)

    if db.writer is None:  # PostgreSQL: jobs run on the event loop, where this is fine
        await writes.run(change_then_wait)
        assert await stored_bodies(db) == ["changed"]
        return
    with pytest.raises(RuntimeError, match="awaited something other than its connection"):
        await writes.run(change_then_wait)
    assert await stored_bodies(db) == ["stored"]
