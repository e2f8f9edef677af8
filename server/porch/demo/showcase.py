"""What `porch demo` shows beyond a live chat: a returning customer with a past
conversation and tickets in the help desk. Made once; later runs find it and add nothing.

Kept apart from `seed.py` (which tests use for a clean demo site): only the demo command
seeds this.
"""

from __future__ import annotations

from datetime import timedelta

from porch.actors import Actor
from porch.conversations.tables import conversations
from porch.demo.seed import Demo
from porch.operators.demo import seed_team
from porch.services import Services
from porch.tickets.service import TicketService
from porch.visitors import queries as visitor_queries
from porch.visitors.identity import Identity
from porch.visitors.models import Page

CUSTOMER = Identity("1001", "Dana Reyes", "dana@shop.example")
"""The storefront's "Sign in as a customer" (porch.demo.routes.DEMO_CUSTOMER)."""
SHOP_PAGE = "/demo"


async def seed_showcase(services: Services, demo: Demo) -> None:
    if await _seeded(services, demo):
        return
    olivia = Actor.operator(demo.operator.id, demo.operator.name)
    page = Page(services.config.base_url + SHOP_PAGE, "Porch Coffee Roasters")
    dana = await services.visitors.open_session(demo.site, None, page, CUSTOMER)
    chat = services.conversations
    asked = await chat.send_visitor_message(
        dana.id, "demo-1", "Hi! My grinder arrived with a cracked hopper. Order #1042."
    )
    conversation_id = asked.conversation_id
    await chat.post_message(
        olivia,
        conversation_id,
        "demo-2",
        "So sorry, Dana! Could you send a photo? I've opened a ticket for a replacement.",
    )
    tickets = TicketService(services.db, services.events, services.clock, chat)
    ticket = await tickets.create_from_conversation(
        conversation_id, olivia, "Replacement for a cracked grinder hopper", "high"
    )
    await tickets.update(ticket.id, olivia, status="pending")
    await chat.close(conversation_id, olivia)
    await _closed_days_ago(services, conversation_id, days=3)
    walk_in = await services.visitors.open_session(demo.site, None, page)
    await tickets.create(
        demo.site.id,
        walk_in.id,
        "Wholesale pricing for a café",
        "Called the shop: 20 kg a month of Ember Blend, wants a price list.",
        "medium",
        olivia,
    )
    await _seed_canned_replies(services, demo)  # before the templates that suggest them
    await _seed_ticket_setup(tickets, demo)
    await seed_team(services, demo)
    await _api_key(services, demo)
    await _seed_bot(services, demo)
    await _seed_email(services, demo)
    await _seed_flows(services, demo)


async def _seed_canned_replies(services: Services, demo: Demo) -> None:
    """Shared canned replies to try with `/` in the reply box (docs/inbox.md)."""
    from porch.canned.service import CannedReplies

    canned = CannedReplies(services.db, services.clock)
    await canned.add(
        demo.site.id,
        "hi",
        "Greeting",
        "Hi {{contact.name}}, {{operator.name}} from {{site.name}} here. How can I help?",
    )
    await canned.add(
        demo.site.id,
        "photo",
        "Ask for a photo",
        "Could you send a photo of the damage? It helps us replace it faster.",
    )
    await canned.add(
        demo.site.id,
        "thanks",
        "Thanks and goodbye",
        "Thanks for writing, {{contact.name}}! Anything else, just reply here.",
    )


async def _api_key(services: Services, demo: Demo) -> None:
    """A read key, so Developers shows one (its token is not kept: make your own there)."""
    from porch.api.keys import KeyService

    await KeyService(services.db, services.clock).create(demo.site.id, "Demo reports", "read")


async def _seed_bot(services: Services, demo: Demo) -> None:
    """The bot's demo knowledge base (porch.bot.demo)."""
    from porch.bot.demo import seed_knowledge

    await seed_knowledge(services, demo.site.id)


async def _seed_email(services: Services, demo: Demo) -> None:
    """A support address and a ticket that came in by mail (porch.email.demo)."""
    from porch.email.demo import seed_email

    await seed_email(services, demo)


async def _seed_flows(services: Services, demo: Demo) -> None:
    """Two proactive flows to try on the storefront: help after 30 s on /demo/pricing,
    and a welcome back for a returning visitor (docs/flows.md)."""
    from porch.flows import templates
    from porch.flows.store import FlowStore

    store = FlowStore(services.db, services.events, services.clock)
    for name in ("pricing-page-help", "welcome-returning-visitor"):
        await store.create(demo.site.id, templates.load(name), enabled=True, template=name)


async def _seeded(services: Services, demo: Demo) -> bool:
    async with services.db.connect() as conn:
        found = await visitor_queries.verified_visitor(conn, demo.site.id, CUSTOMER.user_id)
    return found is not None


async def _closed_days_ago(services: Services, conversation_id: int, days: int) -> None:
    """A past conversation, so Dana's next message starts a new one (the reopen window is
    a day) and the widget lists this one under earlier conversations."""
    closed_at = services.clock.now() - timedelta(days=days)
    async with services.db.begin() as conn:
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation_id)
            .values(closed_at=closed_at, created_at=closed_at - timedelta(minutes=20))
        )


async def _seed_ticket_setup(tickets: TicketService, demo: Demo) -> None:
    """An "Order number" field, a custom status and templates for recurring requests."""
    site_id = demo.site.id
    order = await tickets.catalog.add_field(site_id, "Order number", "text")
    await tickets.catalog.add_field(
        site_id, "Reason", "select", ["Damaged", "Late", "Wrong item", "Changed my mind"]
    )
    await tickets.catalog.add_status(site_id, "Waiting on warehouse", "pending")
    await tickets.catalog.add_template(
        site_id, "Refund", "Refund request", "high", ["refund"], {order.id: ""},
        "Check the payment before refunding; refunds over €100 need a second pair of eyes.",
        ["photo", "thanks"],
    )  # fmt: skip
    await tickets.catalog.add_template(
        site_id, "Address change", "Change of delivery address", "medium", ["shipping"], {},
        "Only before the parcel leaves: check the warehouse status first.",
    )  # fmt: skip
    await tickets.catalog.add_template(
        site_id, "Password reset", "Password reset", "low", ["account"], {},
        "Never reset by chat alone: send the reset link to the address on file.",
    )  # fmt: skip
