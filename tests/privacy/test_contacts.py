"""A contact's export holds exactly their data (contact, conversations, messages, tickets,
ratings, consents, page views), and erasure leaves no row of theirs in any table, while
another visitor's data stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from porch.analytics.ratings import RatingSubmit, rate
from porch.analytics.tables import reporting_events
from porch.attachments.tables import attachments
from porch.conversations.tables import conversations, messages
from porch.db.metadata import metadata
from porch.privacy import consent, contacts
from porch.privacy.tables import consents
from porch.tickets.tables import tickets
from porch.visitors.tables import page_views, visitors
from tests.analytics.conftest import Desk

MINUTE = timedelta(minutes=1)


async def _customer(desk: Desk, email: str, question: str) -> tuple[int, int]:
    """A visitor who wrote, was answered, got a ticket, rated the chat: (visitor, chat)."""
    visitor = await desk.visitor()
    chats = desk.services.conversations
    await desk.services.visitors.update(visitor.id, email=email)
    await desk.services.sites.update_settings(desk.site.id, consent_required=True)
    await consent.give(desk.services, visitor.id)
    sent = await chats.send_visitor_message(visitor.id, f"c-{visitor.id}", question)
    chat = sent.conversation_id
    await desk.reply(desk.olivia, chat, MINUTE)
    await desk.tickets.create_from_conversation(chat, desk.operator(desk.olivia), question, "low")
    await desk.close(desk.olivia, chat, MINUTE)
    await desk.run_due()
    await rate(desk.services, visitor.id, RatingSubmit(conversation_id=chat, score=4, comment="ok"))
    await desk.run_due()
    return visitor.id, chat


async def test_an_export_holds_exactly_their_data(desk: Desk) -> None:
    alice, chat = await _customer(desk, "alice@example.com", "Where is my order?")
    await _customer(desk, "bob@example.com", "Do you ship abroad?")
    async with desk.services.db.connect() as conn:
        found = await contacts.find(conn, desk.site.id, "ALICE@example.com")
        data = await contacts.export(conn, found)

    assert found == [alice]
    [person] = data["visitors"]
    assert (person["id"], person["email"]) == (alice, "alice@example.com")
    assert [c["id"] for c in person["conversations"]] == [chat]
    bodies = [m["body"] for m in person["conversations"][0]["messages"]]
    assert bodies[0] == "Where is my order?" and "Do you ship abroad?" not in bodies
    assert [t["subject"] for t in person["tickets"]] == ["Where is my order?"]
    assert [(r["score"], r["comment"]) for r in person["ratings"]] == [(4, "ok")]
    assert len(person["consents"]) == 1 and person["page_views"]


async def _rows_of(desk: Desk, visitor_id: int, chat: int) -> dict[str, int]:
    """Rows in any table that point at the visitor or their conversation."""
    found: dict[str, int] = {}
    async with desk.services.db.connect() as conn:
        for table in metadata.sorted_tables:
            for column in table.columns:
                target: Any = None
                if column.name in ("visitor_id", "requester_id") or (
                    table.name == "visitors" and column.name == "id"
                ):
                    target = visitor_id
                elif column.name == "conversation_id" or (
                    table.name == "conversations" and column.name == "id"
                ):
                    target = chat
                if target is None:
                    continue
                n = await conn.scalar(
                    sa.select(sa.func.count()).select_from(table).where(column == target)
                )
                if n:
                    found[f"{table.name}.{column.name}"] = int(n)
    return found


async def test_erasure_leaves_no_row_of_theirs(desk: Desk) -> None:
    alice, chat = await _customer(desk, "alice@example.com", "Where is my order?")
    bob, bobs_chat = await _customer(desk, "bob@example.com", "Do you ship abroad?")
    assert await _rows_of(desk, alice, chat)  # the check sees their rows while they exist

    async with desk.services.events.transaction(desk.services.db) as unit:
        await unit.record(await contacts.erase(unit.conn, [alice]))
    await desk.run_due()

    assert await _rows_of(desk, alice, chat) == {}
    async with desk.services.db.connect() as conn:
        comments = list(await conn.scalars(sa.select(reporting_events.c.comment)))
        kept = {
            table.name: await conn.scalar(sa.select(sa.func.count()).select_from(table))
            for table in (visitors, conversations, tickets, consents, page_views)
        }
        said = list(await conn.scalars(sa.select(messages.c.body)))
        files = await conn.scalar(sa.select(sa.func.count()).select_from(attachments))
    assert comments.count("ok") == 1  # bob's rating only
    assert kept == {"visitors": 1, "conversations": 1, "tickets": 1, "privacy_consents": 1,
                    "page_views": 1}  # fmt: skip
    assert "Where is my order?" not in said and "Do you ship abroad?" in said
    assert files == 0
    assert (bob, bobs_chat) != (alice, chat)
