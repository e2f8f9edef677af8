"""Full-text search against real storage (SQLite FTS5, PostgreSQL tsvector): what is found,
in what order, under which filters, and snippets that are text, not HTML."""

from __future__ import annotations

from datetime import timedelta

import pytest

from porch.search.models import Filters
from tests.search.conftest import Desk


async def test_finds_tickets_notes_messages_and_contacts(desk: Desk) -> None:
    conversation = await desk.visitor_says("Where is my parcel? It never arrived")
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Lost parcel to Lisbon", "high"
    )
    await desk.tickets.add_note(ticket.id, desk.as_olivia, "Courier confirms the zebra label")
    await desk.services.visitors.update(
        desk.visitor.id, name="Amber Zed", email="amber@mugs.example"
    )

    found = {(h.kind, h.id) for h in await desk.search.search("parcel")}
    assert found == {("ticket", ticket.id), ("conversation", conversation)}
    [note] = await desk.search.search("zebra")
    assert (note.kind, note.id, note.detail) == ("ticket", ticket.id, "Internal note")
    assert note.title == f"{ticket.label} Lost parcel to Lisbon"
    [contact] = await desk.search.search("mugs")  # the email's domain
    assert (contact.kind, contact.id, contact.title) == ("contact", desk.visitor.id, "Amber Zed")
    assert contact.url == f"/panel?c={conversation}"
    assert [h.kind for h in await desk.search.search("amb")] == ["contact"]  # prefixes


async def test_every_word_must_match_and_better_matches_rank_first(desk: Desk) -> None:
    weak = await desk.visitor_says(
        "Hello, I have a question about a refund and also about delivery times to Spain"
    )
    other = await desk.another_visitor()
    strong = await desk.visitor_says("Refund refund refund please", other)
    hits = await desk.search.search("refund")
    assert [h.id for h in hits] == [strong, weak]
    assert [h.id for h in await desk.search.search("refund spain")] == [weak]
    assert await desk.search.search("refund norway") == []


async def test_filters_by_kind_status_and_date(desk: Desk) -> None:
    conversation = await desk.visitor_says("The blue kettle leaks")
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Kettle leaks", "low"
    )
    assert {h.kind for h in await desk.search.search("kettle")} == {"ticket", "conversation"}
    only = await desk.search.search("kettle", Filters(kinds=("ticket",)))
    assert [(h.kind, h.id) for h in only] == [("ticket", ticket.id)]
    assert await desk.search.search("kettle", Filters(kinds=("ticket",), status="resolved")) == []
    await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    resolved = await desk.search.search("kettle", Filters(kinds=("ticket",), status="resolved"))
    assert [h.id for h in resolved] == [ticket.id]
    later = desk.clock.now() + timedelta(days=1)
    assert await desk.search.search("kettle", Filters(kinds=("ticket",), since=later)) == []
    earlier = desk.clock.now() - timedelta(days=1)
    assert len(await desk.search.search("kettle", Filters(kinds=("ticket",), until=later))) == 1
    assert await desk.search.search("kettle", Filters(kinds=("ticket",), until=earlier)) == []


async def test_snippets_are_text_with_marked_hits(desk: Desk) -> None:
    await desk.visitor_says('<script>alert("x")</script> my voucher <b>fails</b>')
    [hit] = await desk.search.search("voucher")
    assert ("voucher", True) in hit.snippet
    text = "".join(piece for piece, _ in hit.snippet)
    assert "\ue000" not in text and "\ue001" not in text
    assert [piece for piece, marked in hit.snippet if marked] == ["voucher"]


async def test_search_syntax_is_just_words(desk: Desk) -> None:
    await desk.visitor_says("Order 1042 is late")
    for query in ['"', "order*", "NEAR(order late)", "order OR", "-order", "o'rder:*", "(", ""]:
        await desk.search.search(query)  # never a syntax error
    assert len(await desk.search.search('"order" late!')) == 1
    assert await desk.search.search("!!! ??") == []


async def test_edits_and_deletions_reach_the_index(desk: Desk) -> None:
    conversation = await desk.visitor_says("Question about my toaster")
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Toaster", "low"
    )
    await desk.tickets.update(ticket.id, desk.as_olivia, subject="Broken waffle iron")
    assert [h.kind for h in await desk.search.search("waffle")] == ["ticket"]
    assert [h.kind for h in await desk.search.search("toaster")] == ["conversation"]
    await desk.services.visitors.update(desk.visitor.id, name="Quentin Quill")
    assert [h.title for h in await desk.search.search("quill")] == ["Quentin Quill"]


async def test_without_filters_the_newest_matches_are_ranked(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from porch.search import queries

    monkeypatch.setattr(queries, "RANK_WINDOW", 2)  # 1,000 in production
    strong = await desk.visitor_says("Lamp lamp lamp lamp")
    others = [await desk.another_visitor() for _ in range(2)]
    weak = [
        await desk.visitor_says(f"A question about the lamp and other things {n}", v)
        for n, v in enumerate(others)
    ]
    found = [h.id for h in await desk.search.search("lamp", Filters(kinds=("conversation",)))]
    assert sorted(found) == sorted(weak)  # the oldest, strongest match is past the window
    wider = Filters(kinds=("conversation",), status="open")  # filters rank every match
    best, *_ = await desk.search.search("lamp", wider)
    assert best.id == strong
