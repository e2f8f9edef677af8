"""The visitor, conversation and site services against real storage (SQLite and
PostgreSQL): what is stored, what is published, and that it reads back the same on both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from porch import wire
from porch.actors import Actor
from porch.conversations.events import (
    ConversationAssigned,
    ConversationOpened,
    ConversationReopened,
    MessageCreated,
    VisitorTyping,
)
from porch.conversations.models import Message
from porch.conversations.service import ConversationService
from porch.conversations.tables import OPEN, conversations, messages
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.db.upsert import insert_ignore
from porch.errors import Invalid, NotFound, SiteError
from porch.events import EventBus
from porch.operators.service import Operator, OperatorService
from porch.sites.directory import SiteDirectory
from porch.sites.events import SiteUpdated
from porch.sites.models import Site
from porch.visitors.events import PageViewed
from porch.visitors.models import Page, Visitor
from porch.visitors.service import VisitorService
from porch.visitors.tables import page_views

PAGE = Page("https://shop.example/", "Home", "")
OLIVIA = Actor.operator(1, "Olivia")


class Recorder:
    def __init__(self, bus: EventBus) -> None:
        self.seen: list[object] = []
        for kind in (
            ConversationOpened,
            ConversationReopened,
            ConversationAssigned,
            MessageCreated,
            PageViewed,
            SiteUpdated,
            VisitorTyping,
        ):
            bus.subscribe(kind, self.record)

    async def record(self, event: object) -> None:
        self.seen.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.seen if isinstance(e, kind)]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def visitors(db: Database, bus: EventBus) -> VisitorService:
    return VisitorService(db, bus)


@pytest.fixture
def chat(db: Database, bus: EventBus, visitors: VisitorService) -> ConversationService:
    return ConversationService(db, bus, visitors)


@pytest.fixture
def sites(db: Database, bus: EventBus, chat: ConversationService) -> SiteDirectory:
    return SiteDirectory(db, bus)  # after `chat`, which listens to its updates


@pytest.fixture
async def site(sites: SiteDirectory) -> Site:
    return await sites.create("Shop", ["https://shop.example", "https://*.shop.example"])


@pytest.fixture
async def operator(db: Database) -> Operator:
    return await OperatorService(db).create("olivia@shop.example", "Olivia", "pw-123456")


async def count(db: Database, table: sa.Table) -> int:
    async with db.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(table))


async def test_sites_round_trip_with_default_settings(site: Site, sites: SiteDirectory) -> None:
    assert site.key.startswith("site_") and len(site.key) > 20
    assert site.settings == {
        "typing_preview": True,
        "color": "#4f46e5",
        "greeting": "Hi! How can we help?",
    }
    assert await sites.by_key(site.key) == site
    assert await sites.by_key("site_nope") is None
    updated = await sites.update_settings(site.id, typing_preview=False)
    assert updated.typing_preview is False
    assert (await sites.by_key(site.key)).settings["color"] == "#4f46e5"
    assert [s.id for s in await sites.all()] == [site.id]


async def test_site_origins_must_be_origins(sites: SiteDirectory) -> None:
    with pytest.raises(Invalid):
        await sites.create("Bad", ["shop.example/path"])


async def test_update_site_checks_like_create_and_publishes(
    site: Site, bus: EventBus, sites: SiteDirectory
) -> None:
    recorder = Recorder(bus)
    with pytest.raises(SiteError) as refused:
        await sites.update(site.id, name=" ", origins=["https://ok.example", "nope"])
    assert set(refused.value.problems) == {"name", "origins"}
    with pytest.raises(NotFound):
        await sites.update(site.id + 100, name="Other")
    assert await sites.get(site.id) == site and recorder.seen == []

    renamed = await sites.update(
        site.id, name=" Mugs ", origins=["https://mugs.example/", "https://mugs.example"]
    )
    assert (renamed.name, renamed.allowed_origins) == ("Mugs", ["https://mugs.example"])
    assert renamed.settings == site.settings and renamed.key == site.key
    assert await sites.get(site.id) == renamed
    assert recorder.of(SiteUpdated) == [SiteUpdated(renamed)]


async def test_typing_preview_off_forgets_the_sites_drafts(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    bus: EventBus,
    sites: SiteDirectory,
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    await chat.visitor_typing(visitor.id, "my address is")
    conversation = (await chat.visitor_hello(visitor.id)).conversation.id
    assert await chat.drafts.get(conversation) == "my address is"
    recorder = Recorder(bus)
    await sites.update_settings(site.id, typing_preview=False)
    assert await chat.drafts.get(conversation) == ""
    assert [(e.conversation_id, e.draft) for e in recorder.of(VisitorTyping)] == [
        (conversation, "")
    ]
    await chat.visitor_typing(visitor.id, "my address is 1 Main St")
    assert await chat.drafts.get(conversation) == "" and len(recorder.of(VisitorTyping)) == 1


async def test_session_creates_then_resumes_only_on_the_same_site(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    bus: EventBus,
    sites: SiteDirectory,
) -> None:
    recorder = Recorder(bus)
    first = await visitors.open_session(site, None, PAGE)
    again = await visitors.open_session(site, first.id, Page("https://shop.example/cart", "Cart"))
    assert again.id == first.id and again.name == first.name
    other_site = await sites.create("Other", ["https://other.example"])
    elsewhere = await visitors.open_session(other_site, first.id, PAGE)
    assert elsewhere.id != first.id and elsewhere.site_id == other_site.id
    assert [e.visitor_id for e in recorder.of(PageViewed)] == [first.id, first.id, elsewhere.id]
    summary = await visitors.summary(first.id, online={first.id})
    assert summary.online and summary.visit.pages_viewed == 2
    assert summary.visit.current_page == Page("https://shop.example/cart", "Cart", "")


async def test_visit_restarts_after_a_long_gap(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    async with db.begin() as conn:  # yesterday's visit
        await conn.execute(page_views.update().values(created_at=utcnow() - timedelta(hours=5)))
    await visitors.record_page_view(visitor.id, Page("https://shop.example/a", "A"))
    await visitors.record_page_view(visitor.id, Page("https://shop.example/b", "B"))
    summary = await visitors.summary(visitor.id, online=set())
    assert summary.visit.pages_viewed == 2 and not summary.online
    assert wire.visitor_summary(summary)["current_page"] == {
        "url": "https://shop.example/b",
        "title": "B",
    }


async def test_visitor_message_is_idempotent_on_client_id(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database, bus: EventBus
) -> None:
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    first = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    again = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    assert again == first
    assert await count(db, messages) == 1
    assert len(recorder.of(MessageCreated)) == 1
    assert len(recorder.of(ConversationOpened)) == 1


async def test_concurrent_duplicate_insert_is_skipped_not_an_error(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database
) -> None:
    """The race the pre-check cannot see: the unique row already exists at insert time.
    On PostgreSQL a raised IntegrityError would abort the transaction."""
    visitor = await visitors.open_session(site, None, PAGE)
    message = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    values = {
        "conversation_id": message.conversation_id,
        "client_id": "c-1",
        "author": "visitor",
        "body": "again",
        "internal": False,
        "created_at": message.created_at,
    }
    async with db.begin() as conn:
        assert await insert_ignore(conn, messages, values, ["conversation_id", "client_id"]) is None
        assert await conn.scalar(sa.select(sa.func.count()).select_from(messages)) == 1


async def test_parallel_resends_store_one_message(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    await chat.send_visitor_message(visitor.id, "first", "Hi")
    results = await asyncio.gather(
        *(chat.send_visitor_message(visitor.id, "c-2", "Same") for _ in range(5))
    )
    assert len({m.id for m in results}) == 1
    assert await count(db, messages) == 2


async def test_a_message_soon_after_a_close_reopens_the_conversation(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    db: Database,
    operator: Operator,
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    first = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    closed = await chat.close(first.conversation_id, OLIVIA)
    assert closed.conversation.status == "closed"
    second = await chat.send_visitor_message(visitor.id, "c-2", "Still there?")
    assert second.conversation_id == first.conversation_id
    assert (await chat.summary(first.conversation_id)).conversation.status == "open"
    assert await count(db, conversations) == 1


async def test_unread_counts_visitor_messages_since_an_operator_read(
    chat: ConversationService, visitors: VisitorService, site: Site, operator: Operator
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    m = await chat.send_visitor_message(visitor.id, "c-1", "one")
    await chat.send_visitor_message(visitor.id, "c-2", "two")
    assert (await chat.summary(m.conversation_id)).unread == 2
    detail = await chat.watch(m.conversation_id, OLIVIA, online=set())
    assert detail.summary.unread == 0
    await chat.post_message(
        Actor.operator(operator.id, operator.name), m.conversation_id, "o-1", "note", internal=True
    )
    await chat.send_visitor_message(visitor.id, "c-3", "three")
    summary = await chat.summary(m.conversation_id)
    assert summary.unread == 1 and summary.last_message.body == "three"


async def test_internal_notes_stay_out_of_the_visitor_history(
    chat: ConversationService, visitors: VisitorService, site: Site, operator: Operator
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    m = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    await chat.post_message(
        Actor.operator(operator.id, operator.name), m.conversation_id, "o-1", "VIP!", internal=True
    )
    await chat.post_message(
        Actor.operator(operator.id, operator.name), m.conversation_id, "o-2", "Hi!", internal=False
    )
    hello = await chat.visitor_hello(visitor.id)
    assert [(x.author, x.body) for x in hello.messages] == [
        ("visitor", "Hello"),
        ("operator", "Hi!"),
    ]
    everything = await chat.messages(m.conversation_id, include_internal=True)
    assert [x.body for x in everything] == ["Hello", "VIP!", "Hi!"]
    assert everything[1].author_name == "Olivia" and everything[0].author_name == visitor.name


async def test_inbox_lists_newest_activity_first_and_filters_by_status(
    chat: ConversationService, visitors: VisitorService, site: Site
) -> None:
    a = await visitors.open_session(site, None, PAGE)
    b = await visitors.open_session(site, None, PAGE)
    ma = await chat.send_visitor_message(a.id, "c-1", "from a")
    mb = await chat.send_visitor_message(b.id, "c-1", "from b")
    await chat.send_visitor_message(a.id, "c-2", "a again")
    assert [s.conversation.id for s in await chat.inbox("open")] == [
        ma.conversation_id,
        mb.conversation_id,
    ]
    await chat.close(mb.conversation_id, OLIVIA)
    assert [s.visitor_name for s in await chat.inbox("closed")] == [b.name]


async def test_assign_checks_the_operator_exists(
    chat: ConversationService, visitors: VisitorService, site: Site, operator: Operator
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    m = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    summary = await chat.assign(m.conversation_id, operator.id, OLIVIA)
    assert wire.conversation_summary(summary)["assignee"] == {"id": operator.id, "name": "Olivia"}
    with pytest.raises(NotFound):
        await chat.assign(m.conversation_id, operator.id + 100, OLIVIA)
    assert (await chat.assign(m.conversation_id, None, OLIVIA)).assignee is None
    with pytest.raises(NotFound):
        await chat.close(m.conversation_id + 100, OLIVIA)


async def test_start_conversation_creates_and_assigns(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    operator: Operator,
    bus: EventBus,
) -> None:
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    summary = await chat.start(visitor.id, Actor.operator(operator.id, operator.name))
    assert summary.conversation.visitor_id == visitor.id and summary.assignee.id == operator.id
    again = await chat.start(visitor.id, Actor.operator(operator.id, operator.name))
    assert again.conversation.id == summary.conversation.id
    assert len(recorder.of(ConversationOpened)) == 1
    assert len(recorder.of(ConversationAssigned)) == 1  # taken once, not again
    with pytest.raises(NotFound):
        await chat.start(visitor.id + 100, Actor.operator(operator.id, operator.name))


async def test_typing_draft_opens_the_conversation_and_is_kept_until_sent(
    chat: ConversationService, visitors: VisitorService, site: Site, bus: EventBus
) -> None:
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    await chat.visitor_typing(visitor.id, "")
    assert recorder.of(ConversationOpened) == []
    await chat.visitor_typing(visitor.id, "I need he")
    conversation_id = recorder.of(ConversationOpened)[0].conversation.conversation.id
    assert await chat.drafts.get(conversation_id) == "I need he"
    await chat.send_visitor_message(visitor.id, "c-1", "I need help")
    assert await chat.drafts.get(conversation_id) == ""
    assert [e.draft for e in recorder.of(VisitorTyping)] == ["I need he"]


async def test_typing_preview_off_drops_drafts(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    bus: EventBus,
    sites: SiteDirectory,
) -> None:
    recorder = Recorder(bus)
    await sites.update_settings(site.id, typing_preview=False)
    visitor = await visitors.open_session(site, None, PAGE)
    await chat.visitor_typing(visitor.id, "secret draft")
    assert recorder.of(VisitorTyping) == [] and recorder.of(ConversationOpened) == []


async def test_visitor_update_merges_attributes_with_a_cap(
    chat: ConversationService, visitors: VisitorService, site: Site
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    updated = await visitors.update(
        visitor.id, name="Ann", email="ann@example.com", attributes={"plan": "pro"}
    )
    assert (updated.name, updated.email, updated.attributes) == (
        "Ann",
        "ann@example.com",
        {"plan": "pro"},
    )
    updated = await visitors.update(visitor.id, attributes={"orders": 3})
    assert updated.attributes == {"plan": "pro", "orders": 3} and updated.name == "Ann"
    with pytest.raises(Invalid):
        await visitors.update(visitor.id, attributes={f"k{i}": i for i in range(49)})


async def test_live_visitors_list_online_first(
    chat: ConversationService, visitors: VisitorService, site: Site
) -> None:
    a = await visitors.open_session(site, None, PAGE)
    b = await visitors.open_session(site, None, PAGE)
    listed = await visitors.list_live(online={a.id})
    assert [(s.visitor.id, s.online) for s in listed] == [(a.id, True), (b.id, False)]


async def test_concurrent_first_messages_share_one_conversation(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database, bus: EventBus
) -> None:
    """Two tabs sending a first message at once: one conversation, every message in it."""
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    sent = await asyncio.gather(
        *(chat.send_visitor_message(visitor.id, f"tab-{n}", f"Hello {n}") for n in range(6))
    )
    assert len({m.conversation_id for m in sent}) == 1
    assert len({m.id for m in sent}) == 6
    assert await count(db, conversations) == 1
    assert await count(db, messages) == 6
    assert len(recorder.of(ConversationOpened)) == 1


async def test_concurrent_first_drafts_and_messages_share_one_conversation(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    drafts = [chat.visitor_typing(visitor.id, f"draft {n}") for n in range(3)]
    sends = [chat.send_visitor_message(visitor.id, f"c-{n}", f"Hi {n}") for n in range(3)]
    results = await asyncio.gather(*drafts, *sends)
    assert len({m.conversation_id for m in results[3:]}) == 1
    assert await count(db, conversations) == 1
    assert await count(db, messages) == 3


async def test_the_database_refuses_a_second_open_conversation_per_visitor(
    chat: ConversationService, visitors: VisitorService, site: Site, db: Database
) -> None:
    visitor = await visitors.open_session(site, None, PAGE)
    first = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    now = utcnow()
    values = {
        "site_id": site.id,
        "visitor_id": visitor.id,
        "status": "open",
        "created_at": now,
        "last_activity_at": now,
    }
    with pytest.raises(sa.exc.IntegrityError):
        async with db.begin() as conn:
            await conn.execute(conversations.insert().values(values))
    async with db.begin() as conn:
        assert await insert_ignore(conn, conversations, values, ["visitor_id"], OPEN) is None
    assert (await chat.summary(first.conversation_id)).conversation.status == "open"


async def set_reopen_window(sites: SiteDirectory, site: Site, hours: float) -> None:
    await sites.update_settings(site.id, reopen_window_hours=hours)


async def close_long_ago(db: Database, conversation_id: int, hours: float) -> None:
    """As if it had been closed `hours` ago (the reopen window is measured from the close)."""
    async with db.begin() as conn:
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation_id)
            .values(closed_at=utcnow() - timedelta(hours=hours))
        )


async def test_a_message_after_the_reopen_window_starts_a_new_conversation(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    db: Database,
    bus: EventBus,
) -> None:
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    first = await chat.send_visitor_message(visitor.id, "c-1", "Where is my order?")
    await chat.close(first.conversation_id, OLIVIA)
    await close_long_ago(db, first.conversation_id, hours=25)  # default window: 24 h
    second = await chat.send_visitor_message(visitor.id, "c-2", "Another question")
    assert second.conversation_id != first.conversation_id
    assert len(recorder.of(ConversationOpened)) == 2 and recorder.of(ConversationReopened) == []
    assert (await chat.summary(first.conversation_id)).conversation.status == "closed"

    hello = await chat.visitor_hello(visitor.id)
    assert hello.conversation.id == second.conversation_id
    assert [m.body for m in hello.messages] == ["Another question"]
    assert [s.conversation.id for s in hello.earlier] == [first.conversation_id]
    earlier = await chat.visitor_transcript(visitor.id, first.conversation_id)
    assert [m.body for m in earlier] == ["Where is my order?"]
    detail = await chat.watch(second.conversation_id, OLIVIA, online=set())
    assert [s.conversation.id for s in detail.history] == [first.conversation_id]


async def closed_with_no_reopen_window(
    chat: ConversationService, visitors: VisitorService, site: Site, sites: SiteDirectory
) -> tuple[Visitor, Message]:
    """A visitor whose first conversation an operator closed, on a site where any later
    message starts a new one; the visitor and their first message."""
    await set_reopen_window(sites, site, 0)
    visitor = await visitors.open_session(site, None, PAGE)
    first = await chat.send_visitor_message(visitor.id, "c-1", "Hello")
    await chat.close(first.conversation_id, OLIVIA)
    return visitor, first


async def test_a_zero_reopen_window_always_starts_a_new_conversation(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    sites: SiteDirectory,
    db: Database,
) -> None:
    visitor, first = await closed_with_no_reopen_window(chat, visitors, site, sites)
    second = await chat.send_visitor_message(visitor.id, "c-2", "Hello again")
    assert second.conversation_id != first.conversation_id
    assert await count(db, conversations) == 2


async def test_a_visitor_never_reads_another_visitors_conversation(
    chat: ConversationService, visitors: VisitorService, site: Site
) -> None:
    alice = await visitors.open_session(site, None, PAGE)
    bob = await visitors.open_session(site, None, PAGE)
    theirs = await chat.send_visitor_message(alice.id, "c-1", "private")
    with pytest.raises(NotFound):
        await chat.visitor_transcript(bob.id, theirs.conversation_id)


async def test_concurrent_messages_after_a_close_agree_on_one_new_conversation(
    chat: ConversationService,
    visitors: VisitorService,
    site: Site,
    sites: SiteDirectory,
    db: Database,
) -> None:
    visitor, first = await closed_with_no_reopen_window(chat, visitors, site, sites)
    sent = await asyncio.gather(
        *(chat.send_visitor_message(visitor.id, f"tab-{n}", f"Back {n}") for n in range(6))
    )
    assert len({m.conversation_id for m in sent}) == 1
    assert sent[0].conversation_id != first.conversation_id
    assert await count(db, conversations) == 2


async def test_the_bot_and_the_system_post_through_the_same_service(
    chat: ConversationService, visitors: VisitorService, site: Site, bus: EventBus
) -> None:
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    asked = await chat.send_visitor_message(visitor.id, "c-1", "Do you ship to Spain?")
    bot = Actor.bot("Porch assistant")
    answer = await chat.post_message(bot, asked.conversation_id, "b-1", "Yes, in 3 days.")
    note = await chat.post_message(
        Actor.system("flows"), asked.conversation_id, "s-1", "Tagged: shipping", internal=True
    )
    assert (answer.author, answer.author_name) == ("bot", "Porch assistant")
    stored = await chat.messages(asked.conversation_id, include_internal=True)
    assert [(m.author, m.author_name) for m in stored] == [
        ("visitor", visitor.name),
        ("bot", "Porch assistant"),
        ("system", "flows"),
    ]
    assert note.internal and [m.body for m in (await chat.visitor_hello(visitor.id)).messages] == [
        "Do you ship to Spain?",
        "Yes, in 3 days.",
    ]
    assert [e.actor for e in recorder.of(MessageCreated)][1:] == [bot, Actor.system("flows")]
    with pytest.raises(Invalid):
        await chat.post_message(Actor.visitor(visitor.id), asked.conversation_id, "v", "x")


async def test_message_parts_are_stored_and_sent_with_the_message(
    chat: ConversationService, visitors: VisitorService, site: Site, bus: EventBus
) -> None:
    recorder = Recorder(bus)
    visitor = await visitors.open_session(site, None, PAGE)
    asked = await chat.send_visitor_message(
        visitor.id, "c-1", "Here is the parcel", parts={"attachments": [{"id": "f1"}]}
    )
    choices = {"choices": [{"id": "yes", "label": "Yes 👍"}, {"id": "no", "label": "No"}]}
    offer = await chat.post_message(
        Actor.bot("Porch assistant"), asked.conversation_id, "b-1", "Was it useful?", parts=choices
    )
    bot = Actor.bot("Porch assistant")
    plain = await chat.post_message(bot, asked.conversation_id, "b-2", "Ok")

    stored = await chat.messages(asked.conversation_id, include_internal=False)
    assert [m.parts for m in stored] == [{"attachments": [{"id": "f1"}]}, choices, None]
    hello = await chat.visitor_hello(visitor.id)
    assert [wire.message(m).get("parts") for m in hello.messages] == [
        {"attachments": [{"id": "f1"}]},
        choices,
        None,
    ]
    assert "parts" not in wire.message(plain)  # plain text costs no extra key on the wire
    assert [e.message.parts for e in recorder.of(MessageCreated)] == [
        {"attachments": [{"id": "f1"}]},
        choices,
        None,
    ]
    assert offer.parts == choices
