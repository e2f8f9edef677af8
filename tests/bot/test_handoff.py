"""Handoffs decided by Porch around the model, each with one clear message to the visitor:
asked for a person (words or the button), frustration, a loop, twice unanswered, the model
asking, and every API failure; people online get the conversation, else a ticket."""

from __future__ import annotations

import pytest

from porch.bot import wording
from porch.bot.state import load
from porch.tickets.service import TicketService
from tests.bot.conftest import Shop
from tests.bot.fake_anthropic import Fail, Text, ToolUse, Turn


async def _state(shop: Shop, conversation_id: int) -> str:
    async with shop.services.db.connect() as conn:
        return (await load(conn, conversation_id)).state


async def test_asking_for_a_person_reaches_people_online_with_the_reason(shop: Shop) -> None:
    await shop.operator_online()
    handed: list[object] = []
    from porch.bot.events import BotHandedOff

    async def heard(event: BotHandedOff) -> None:
        handed.append(event)

    shop.services.events.subscribe(BotHandedOff, heard)
    first = await shop.ask("How long does shipping take?")
    await shop.ask("Can I talk to a human please?")
    said = await shop.bot_says(first.conversation_id)
    assert said[-1].body == wording.CONNECTING
    notes = [m for m in await shop.transcript(first.conversation_id, True) if m.internal]
    assert notes[-1].body == "Bot handoff: The visitor asked for a person."
    assert len(shop.fake.requests) == 1  # Porch decided, not the model
    assert [e.reason for e in handed] == ["The visitor asked for a person."]  # type: ignore[attr-defined]
    await shop.ask("Hello?")
    assert len(await shop.bot_says(first.conversation_id)) == 2  # silent after the handoff


async def test_the_talk_to_a_person_button_hands_off(shop: Shop) -> None:
    await shop.operator_online()
    first = await shop.ask("How long does shipping take?")
    [answer] = await shop.bot_says(first.conversation_id)
    click = {"choice": {"message_id": answer.id, "choice_id": "bot.handoff"}}
    await shop.ask("Talk to a person", click)
    assert (await shop.bot_says(first.conversation_id))[-1].body == wording.CONNECTING
    assert await _state(shop, first.conversation_id) == "handed_off"


async def test_with_nobody_online_the_bot_collects_an_email_and_opens_a_ticket(shop: Shop) -> None:
    first = await shop.ask("I need someone from your team")
    assert (await shop.bot_says(first.conversation_id))[-1].body == wording.ASK_EMAIL
    await shop.ask("sure, it's dana@example.com")
    last = (await shop.bot_says(first.conversation_id))[-1].body
    assert "ticket #1001" in last and "dana@example.com" in last
    tickets = TicketService(shop.services.db, shop.services.events, shop.services.clock)
    ticket = await tickets.get(1)
    assert ticket.conversation_id == first.conversation_id
    assert ticket.subject == "I need someone from your team"
    visitor = await shop.services.visitors.get(shop.visitor.id)
    assert visitor is not None and visitor.email == "dana@example.com"


@pytest.mark.parametrize("status", [429, 500, 529])
async def test_api_failures_hand_off_gracefully(shop: Shop, status: int) -> None:
    await shop.operator_online()
    shop.fake.always = Fail(status, "overloaded_error" if status == 529 else "api_error")
    asked = await shop.ask("How long does shipping take?")
    [said] = await shop.bot_says(asked.conversation_id)
    assert said.body == wording.CONNECTING
    notes = [m.body for m in await shop.transcript(asked.conversation_id, True) if m.internal]
    assert notes == [f"Bot handoff: The AI failed: the AI service answered HTTP {status}."]


async def test_a_refusal_hands_off(shop: Shop) -> None:
    await shop.operator_online()
    shop.fake.script(Turn([Text("")], stop_reason="refusal"))
    asked = await shop.ask("How long does shipping take?")
    assert [m.body for m in await shop.bot_says(asked.conversation_id)] == [wording.CONNECTING]


async def test_twice_unanswered_hands_off(shop: Shop) -> None:
    await shop.operator_online()
    first = await shop.ask("Do you sell tea?")
    assert "don't know" in (await shop.bot_says(first.conversation_id))[0].body
    await shop.ask("What about hot chocolate?")
    said = await shop.bot_says(first.conversation_id)
    assert said[-1].body == wording.CONNECTING
    notes = [m.body for m in await shop.transcript(first.conversation_id, True) if m.internal]
    assert notes == ["Bot handoff: The bot could not answer twice in a row."]


async def test_frustration_hands_off(shop: Shop) -> None:
    await shop.operator_online()
    asked = await shop.ask("This is useless!!!")
    assert [m.body for m in await shop.bot_says(asked.conversation_id)] == [wording.CONNECTING]


async def test_the_model_may_hand_off(shop: Shop) -> None:
    await shop.operator_online()
    shop.fake.script(Turn([ToolUse("handoff_to_human", {"reason": "Wants a refund exception"})]))
    asked = await shop.ask("How long does shipping take?")
    assert [m.body for m in await shop.bot_says(asked.conversation_id)] == [wording.CONNECTING]
    notes = [m.body for m in await shop.transcript(asked.conversation_id, True) if m.internal]
    assert notes == ["Bot handoff: Wants a refund exception"]


async def test_the_model_may_open_a_ticket_for_a_known_email(shop: Shop) -> None:
    await shop.services.visitors.update(shop.visitor.id, email="dana@example.com")
    shop.fake.script(Turn([ToolUse("create_ticket", {"subject": "Wholesale", "priority": "high"})]))
    asked = await shop.ask("I'd like wholesale prices for my café")
    [said] = await shop.bot_says(asked.conversation_id)
    assert "ticket #1001" in said.body
    tickets = TicketService(shop.services.db, shop.services.events, shop.services.clock)
    ticket = await tickets.get(1)
    assert (ticket.subject, ticket.priority) == ("Wholesale", "high")


async def test_a_flow_can_hand_off_once(shop: Shop) -> None:
    await shop.operator_online()
    asked = await shop.ask("How long does shipping take?")
    reason = "The refund flow needs a person."
    assert await shop.bot.flow_handoff(asked.conversation_id, reason, "refunds-1") is True
    assert (await shop.bot_says(asked.conversation_id))[-1].body == wording.CONNECTING
    notes = [m.body for m in await shop.transcript(asked.conversation_id, True) if m.internal]
    assert notes == [f"Bot handoff: {reason}"]
    assert await shop.bot.flow_handoff(asked.conversation_id, reason, "refunds-2") is False


async def test_with_chat_routing_the_handoff_assigns_an_online_operator(shop: Shop) -> None:
    """Routing leaves new chats to a bot that answers first, then routes the handoff."""
    from porch import routing

    routing.install(shop.services)
    await shop.services.sites.update_settings(shop.site.id, routing={"chats": True})
    await shop.operator_online()
    first = await shop.ask("How long does shipping take?")
    await shop.services.jobs.run_due()
    summary = await shop.services.conversations.summary(first.conversation_id)
    assert summary.conversation.assignee_id is None  # the bot has it
    assert len(await shop.bot_says(first.conversation_id)) == 1
    await shop.ask("Can I talk to a human please?")
    await shop.services.jobs.run_due()
    summary = await shop.services.conversations.summary(first.conversation_id)
    assert summary.conversation.assignee_id == shop.olivia.id
    notes = [m.body for m in await shop.transcript(first.conversation_id, True) if m.internal]
    assert "Bot handoff: The visitor asked for a person." in notes
    await shop.ask("Hello?")
    assert len(await shop.bot_says(first.conversation_id)) == 2  # silent once assigned


async def test_past_the_daily_limit_the_bot_hands_off_without_calling_the_model(
    shop: Shop,
) -> None:
    from porch.bot import settings
    from porch.bot.settings import BotSettingsUpdate

    async with shop.services.db.begin() as conn:
        await settings.save(conn, shop.site.id, BotSettingsUpdate(daily_limit=1), shop.bot.box)
    await shop.operator_online()
    first = await shop.ask("How long does shipping take?")
    await shop.ask("Do you ship to Canada?")
    said = await shop.bot_says(first.conversation_id)
    assert said[-1].body == wording.CONNECTING and len(shop.fake.requests) == 1
    notes = [m.body for m in await shop.transcript(first.conversation_id, True) if m.internal]
    assert notes[-1] == "Bot handoff: The bot reached its daily limit of answers (1)."
