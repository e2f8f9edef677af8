"""After a close, the visitor is asked "How did we do?" in the closed conversation, which
stays closed; the site can turn it off or ask only after human conversations; a rating
shows to operators as a note and marks the question answered."""

from __future__ import annotations

from datetime import timedelta

from porch.analytics.ratings import ASK_AFTER, RatingSubmit, rate
from porch.conversations.models import Message
from tests.analytics.conftest import Desk

MINUTE = timedelta(minutes=1)


async def _messages(desk: Desk, conversation_id: int) -> list[Message]:
    return await desk.services.conversations.messages(conversation_id, include_internal=True)


async def _status(desk: Desk, conversation_id: int) -> str:
    summary = await desk.services.conversations.summary(conversation_id)
    return summary.conversation.status


async def _answered_and_closed(desk: Desk) -> int:
    conversation_id = await desk.chat()
    await desk.reply(desk.olivia, conversation_id, MINUTE)
    await desk.close(desk.olivia, conversation_id, MINUTE)
    await desk.run_due()
    desk.clock.advance(ASK_AFTER)  # the question waits a moment after the close
    await desk.run_due()
    return conversation_id


async def test_a_close_asks_for_a_rating_without_reopening(desk: Desk) -> None:
    conversation_id = await _answered_and_closed(desk)
    await desk.run_due()  # a job run twice asks once

    asked = [m for m in await _messages(desk, conversation_id) if m.parts]
    assert [(m.author, m.body, m.internal) for m in asked] == [("system", "How did we do?", False)]
    assert asked[0].parts == {"rating_request": {"conversation_id": conversation_id, "scale": 5}}
    assert await _status(desk, conversation_id) == "closed"


async def test_a_rating_shows_as_a_note_and_answers_the_question(desk: Desk) -> None:
    conversation_id = await _answered_and_closed(desk)
    visitor_id = (await desk.services.conversations.summary(conversation_id)).conversation
    await rate(
        desk.services,
        visitor_id.visitor_id,
        RatingSubmit(conversation_id=conversation_id, score=2, comment="Slow"),
    )
    await desk.run_due()

    found = await _messages(desk, conversation_id)
    note = [m for m in found if m.parts and "rating" in m.parts]
    assert [(m.body, m.internal, m.parts) for m in note] == [
        ("Rated 2/5: Slow", True, {"rating": {"score": 2, "comment": "Slow"}})
    ]
    question = [m for m in found if m.parts and "rating_request" in m.parts]
    assert question[0].parts is not None
    assert question[0].parts["rating_request"]["rated"] == 2
    assert await _status(desk, conversation_id) == "closed"


async def test_the_site_can_turn_ratings_off(desk: Desk) -> None:
    await desk.services.sites.update_settings(desk.site.id, csat_enabled=False)
    conversation_id = await _answered_and_closed(desk)
    assert not [m for m in await _messages(desk, conversation_id) if m.author == "system"]


async def test_human_only_skips_conversations_no_operator_answered(desk: Desk) -> None:
    await desk.services.sites.update_settings(desk.site.id, csat_human_only=True)
    silent = await desk.chat()
    await desk.close(desk.olivia, silent, MINUTE)
    await desk.run_due()
    answered = await _answered_and_closed(desk)
    assert not [m for m in await _messages(desk, silent) if m.author == "system"]
    assert [m.body for m in await _messages(desk, answered) if m.author == "system"] == [
        "How did we do?"
    ]


async def test_a_quick_last_word_comes_before_the_question(desk: Desk) -> None:
    conversation_id = await desk.chat()
    await desk.reply(desk.olivia, conversation_id, MINUTE)
    await desk.close(desk.olivia, conversation_id, MINUTE)
    await desk.run_due()  # the question is due in a few seconds
    await desk.services.conversations.reopen(conversation_id, desk.operator(desk.olivia))
    desk.clock.advance(ASK_AFTER)
    await desk.run_due()
    assert not [m for m in await _messages(desk, conversation_id) if m.author == "system"]


async def test_a_resolved_ticket_from_chat_is_rated_in_the_widget_once(desk: Desk) -> None:
    import pytest
    import sqlalchemy as sa

    from porch.analytics.tables import reporting_events
    from porch.errors import Invalid, NotFound

    conversation_id = await desk.chat()
    olivia = desk.operator(desk.olivia)
    ticket = await desk.tickets.create_from_conversation(conversation_id, olivia, "Late", "low")
    await desk.tickets.update(ticket.id, olivia, status="resolved")
    await desk.run_due()
    await desk.run_due()  # a job run twice asks once

    asked = [
        m for m in await _messages(desk, conversation_id) if m.parts and "rating_request" in m.parts
    ]
    assert [(m.body, m.parts) for m in asked] == [
        ("How did we do?", {"rating_request": {"conversation_id": conversation_id,
                                               "ticket_id": ticket.id, "scale": 5}})
    ]  # fmt: skip
    assert await _status(desk, conversation_id) == "open"  # the chat goes on; it is the ticket
    summary = await desk.services.conversations.summary(conversation_id)
    visitor_id = summary.conversation.visitor_id
    stranger = (await desk.visitor()).id
    with pytest.raises(NotFound):  # someone else's
        await rate(desk.services, stranger, RatingSubmit(
            conversation_id=conversation_id, ticket_id=ticket.id, score=5))  # fmt: skip
    submit = RatingSubmit(conversation_id=conversation_id, ticket_id=ticket.id, score=4)
    await rate(desk.services, visitor_id, submit)
    with pytest.raises(Invalid):  # once
        await rate(desk.services, visitor_id, submit)
    await desk.run_due()

    async with desk.services.db.connect() as conn:
        facts = (await conn.execute(sa.select(
            reporting_events.c.kind, reporting_events.c.ticket_id, reporting_events.c.value
        ).where(reporting_events.c.kind == "rating"))).all()  # fmt: skip
    assert [tuple(f) for f in facts] == [("rating", ticket.id, 4)]
    notes = [m.body for m in await _messages(desk, conversation_id) if m.internal and m.parts]
    assert "Ticket rated 4/5" in notes


async def test_a_ticket_is_not_rated_before_it_is_resolved(desk: Desk) -> None:
    import pytest

    from porch.errors import Invalid

    conversation_id = await desk.chat()
    olivia = desk.operator(desk.olivia)
    ticket = await desk.tickets.create_from_conversation(conversation_id, olivia, "Late", "low")
    summary = await desk.services.conversations.summary(conversation_id)
    with pytest.raises(Invalid):
        await rate(desk.services, summary.conversation.visitor_id, RatingSubmit(
            conversation_id=conversation_id, ticket_id=ticket.id, score=5))  # fmt: skip
