"""The bot answers visitors on the real `anthropic` SDK against the fake Messages API:
cited answers stored with their sources, what Porch sends, the modes, and silence once a
human joined."""

from __future__ import annotations

from porch.actors import Actor
from tests.bot.conftest import API_KEY, Shop
from tests.bot.fake_anthropic import Text, Turn


async def test_a_question_gets_a_cited_answer_with_a_way_to_a_person(shop: Shop) -> None:
    asked = await shop.ask("How long does shipping take?")
    [answer] = await shop.bot_says(asked.conversation_id)
    assert answer.author_name == "Porch Bot"
    assert "3 to 5 business days" in answer.body
    assert answer.parts is not None
    [source] = answer.parts["sources"]
    assert source["title"] == "Shipping and delivery"
    assert source["url"].endswith("/demo?help=shipping")
    assert answer.parts["choices"] == [{"id": "bot.handoff", "label": "Talk to a person"}]


async def test_the_request_carries_model_cached_instructions_cited_passages_and_tools(
    shop: Shop,
) -> None:
    await shop.ask("Can I return an opened bag of coffee?")
    sent = shop.fake.last
    assert sent["model"] == "claude-haiku-5-5"
    assert sent["stream"] is True
    [system] = sent["system"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert "Porch Bot" in system["text"]
    assert [t["name"] for t in sent["tools"]] == ["handoff_to_human", "create_ticket"]
    assert sent["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    question = sent["messages"][-1]
    results = [b for b in question["content"] if b["type"] == "search_result"]
    assert results and results[0]["title"] == "Returns and refunds"
    assert all(r["citations"] == {"enabled": True} for r in results)
    assert question["content"][-1] == {
        "type": "text",
        "text": "Can I return an opened bag of coffee?",
    }
    sent_key = shop.fake.headers[-1].get("x-api-key") or shop.fake.headers[-1]["authorization"]
    assert sent_key.endswith(API_KEY)


async def test_the_conversation_so_far_goes_with_the_next_question(shop: Shop) -> None:
    await shop.ask("How long does shipping take?")
    await shop.ask("And to Canada?")
    roles = [m["role"] for m in shop.fake.last["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert shop.fake.last["messages"][0]["content"] == "How long does shipping take?"


async def test_per_site_model_and_instructions(shop: Shop) -> None:
    from porch.bot import settings
    from porch.bot.settings import BotSettingsUpdate, key_box

    update = BotSettingsUpdate(
        model="claude-sonnet-5", instructions="Never discuss politics.", name="Beans"
    )
    async with shop.services.db.begin() as conn:
        await settings.save(conn, shop.site.id, update, key_box(shop.services.config.secret_key))
    asked = await shop.ask("Which coffee is decaf?")
    assert shop.fake.last["model"] == "claude-sonnet-5"
    assert "Never discuss politics." in shop.fake.last["system"][0]["text"]
    [answer] = await shop.bot_says(asked.conversation_id)
    assert answer.author_name == "Beans (bot)"  # marked as a bot in every transcript


async def test_a_bot_that_is_off_writes_no_job_and_says_nothing(shop: Shop) -> None:
    await shop.set_mode("off")
    asked = await shop.ask("How long does shipping take?")
    assert await shop.bot_says(asked.conversation_id) == []
    assert shop.fake.requests == []


async def test_outside_hours_mode_keeps_quiet_while_people_are_at_work(shop: Shop) -> None:
    await shop.set_mode("outside_hours")
    await shop.operator_online()  # no business hours set: always at work
    asked = await shop.ask("How long does shipping take?")
    assert await shop.bot_says(asked.conversation_id) == []
    await shop.services.presence.operator_disconnected("sid-olivia")
    asked = await shop.ask("How much is express shipping?")
    assert len(await shop.bot_says(asked.conversation_id)) == 1


async def test_the_bot_stays_silent_once_a_human_joined(shop: Shop) -> None:
    asked = await shop.ask("How long does shipping take?")
    olivia = Actor.operator(shop.olivia.id, shop.olivia.name)
    await shop.services.conversations.post_message(olivia, asked.conversation_id, "o-1", "Hi!")
    await shop.ask("What about express?")
    assert len(await shop.bot_says(asked.conversation_id)) == 1
    assert len(shop.fake.requests) == 1


async def test_a_job_that_runs_twice_answers_once(shop: Shop) -> None:
    asked = await shop.ask("How long does shipping take?")
    payload = {
        "type": "message.created",
        "data": {
            "message": {"id": asked.id, "conversation_id": asked.conversation_id,
                        "body": asked.body, "parts": None},
            "conversation": {"conversation": {"site_id": shop.site.id,
                                              "visitor_id": shop.visitor.id}},
        },
    }  # fmt: skip
    await shop.bot.reply(payload)
    assert len(await shop.bot_says(asked.conversation_id)) == 1
    assert len(shop.fake.requests) == 1


async def test_a_slow_stream_still_ends_in_one_stored_answer(shop: Shop) -> None:
    shop.fake.script(Turn([Text("Standard shipping takes 3 to 5 business days.", [0])], delay=0.02))
    asked = await shop.ask("How long does shipping take?")
    [answer] = await shop.bot_says(asked.conversation_id)
    assert answer.body == "Standard shipping takes 3 to 5 business days."
