"""The AI bot: answers visitors from the site's knowledge base on Anthropic's Claude,
cites its sources, streams into the widget and hands off to people (docs/bot.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from porch.bot.service import BotService
    from porch.services import Services


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> BotService:
    """The bot's job and its reaction to visitors' messages (tests call this for the
    service)."""
    from porch.bot import panel, queries, resolved, routing
    from porch.bot.service import REPLY_JOB, BotService
    from porch.conversations.events import MessageCreated

    bot = BotService(services)
    services.jobs.register(REPLY_JOB, bot.reply)
    services.events.enqueue_on(MessageCreated, REPLY_JOB, when=queries.bot_should_see)
    routing.install(services)
    resolved.install(services)
    attach_flow_handover(services, bot)
    services.routes += panel.routes(services, bot)
    services.on_shutdown.append(bot.close)
    return bot


FLOW_HANDOFF = "bot.flow_handoff"


def attach_flow_handover(services: Services, bot: BotService) -> None:
    """A flow's "hand over to a human" makes the bot step aside the way it does itself
    (a job on `flow.handover`; nothing happens when the bot is not answering)."""
    from porch.flows.events import FlowHandover

    async def step_aside(payload: dict[str, Any]) -> None:
        conversation_id = int(payload["data"]["conversation_id"])
        await bot.flow_handoff(
            conversation_id, "a flow handed the chat to the team", str(conversation_id)
        )

    services.jobs.register(FLOW_HANDOFF, step_aside)
    services.events.enqueue_on(FlowHandover, FLOW_HANDOFF, when=lambda event: event.to == "human")
