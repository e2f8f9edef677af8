"""Handing off to people through routing: when the bot hands a conversation over with
operators online, the site's chat routing (if on) assigns one at once; the operator sees
the whole bot exchange and the handoff note. While the bot answers first, routing leaves
new chats alone (`answers_first`, one of `services.first_responders`) so the bot gets
its turn."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.bot import settings
from porch.bot.events import BotHandedOff
from porch.services import Services

ROUTE_JOB = "bot.route"


async def answers_first(conn: AsyncConnection, site_id: int) -> bool:
    """Whether the site's bot takes every new chat first (mode `first`)."""
    return await settings.mode(conn, site_id) == "first"


async def wants_routing(conn: AsyncConnection, event: Any) -> bool:
    """A handoff with people online on a site that routes chats."""
    from porch.routing.settings import RoutingSettings
    from porch.sites import queries as site_queries

    assert isinstance(event, BotHandedOff)
    if not event.operators_online:
        return False
    site = await site_queries.site(conn, event.site_id)
    return site is not None and RoutingSettings.of_site(site.settings).enabled("chat")


def install(services: Services) -> None:
    from porch.routing.service import Router

    router = Router(services)
    services.first_responders.append(answers_first)

    async def route(payload: dict[str, Any]) -> None:
        await router.route("chat", int(payload["data"]["conversation_id"]))

    services.jobs.register(ROUTE_JOB, route)
    services.events.enqueue_on(BotHandedOff, ROUTE_JOB, only_if=wants_routing)
