"""The flow engine against real storage (SQLite and PostgreSQL) on a manual clock: which
triggers apply, starting and walking flows, buttons and questions answered in the
conversation, delays as jobs that survive a restart, caps, priority, loops, and never
interrupting an operator."""

from __future__ import annotations

import copy
from typing import Any

from porch.flows.events import FlowHandover, FlowStopped
from porch.flows.templates import load
from tests.flows.conftest import HOME, PRICING, Shop, operator_actor


def message_flow(name: str = "Hi", **trigger: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "name": name,
        "trigger": trigger or {"type": "page_open", "page": {"match": "contains", "value": "/"}},
        "start": "hi",
        "nodes": {"hi": {"type": "message", "text": f"{name}!"}},
    }


async def test_pricing_help_is_watched_only_on_pricing_pages_and_runs_to_a_handover(
    shop: Shop,
) -> None:
    flow = await shop.template("pricing-page-help")
    assert await shop.watchers(HOME) == []
    [watch] = await shop.watchers(PRICING)
    assert watch == {"flow": flow.id, "priority": 60, "on": "timer", "ms": 30_000}
    shop.services.events.subscribe(FlowHandover, shop.record)

    started = await shop.fire("timer", flow, PRICING)
    assert [m.body for m in started.messages] == [
        "Questions about our plans? We can help you choose."
    ]
    offer = started.messages[0]
    assert offer.author == "bot" and offer.author_name == "Acme Shoes"
    assert offer.parts == {
        "choices": [
            {"id": "yes", "label": "Yes, help me choose"},
            {"id": "no", "label": "No thanks"},
        ]
    }
    await shop.click("Yes, help me choose")
    await shop.say("not an email")
    await shop.say("ann@example.com")
    assert await shop.bodies() == [
        ("bot", "Questions about our plans? We can help you choose."),
        ("visitor", "Yes, help me choose"),
        ("bot", "What's your email? We'll send a comparison and answer here too."),
        ("visitor", "not an email"),
        ("bot", "That doesn't look like an email address. Try again?"),
        ("visitor", "ann@example.com"),
        ("bot", "Thanks! A teammate will reply shortly."),
    ]
    clicked = (await shop.thread())[1]
    assert clicked.parts == {"choice": {"message_id": offer.id, "choice_id": "yes"}}
    assert (await shop.services.visitors.get(shop.visitor.id)).email == "ann@example.com"  # type: ignore[union-attr]
    [handover] = shop.seen
    assert isinstance(handover, FlowHandover) and handover.to == "human"
    # Once per visit: nothing more to watch here.
    assert await shop.watchers(PRICING) == []


async def test_exit_intent_discount_once_per_visit_and_again_on_the_next(shop: Shop) -> None:
    flow = await shop.template("exit-intent-discount")
    [watch] = await shop.watchers(HOME)
    assert watch["on"] == "exit"
    assert (await shop.fire("scroll", flow)) is None  # not what it watches for
    first = await shop.fire("exit", flow)
    assert "STAY10" in first.messages[0].body
    await shop.click("Maybe later")
    assert await shop.fire("exit", flow) is None
    await shop.later(minutes=31)  # the visit is over; a new page view starts another
    await shop.page(HOME)
    assert await shop.fire("exit", flow) is not None


async def test_the_highest_priority_of_several_fires_and_one_flow_talks_at_a_time(
    shop: Shop,
) -> None:
    low = await shop.add({**message_flow("Low"), "priority": 10})
    high = await shop.add({**message_flow("High"), "priority": 90})
    watched = await shop.watchers(HOME)
    assert [w["flow"] for w in watched] == [high.id, low.id]
    started = await shop.engine.fire(shop.visitor.id, "now", [low.id, high.id], shop.context(HOME))
    assert started is not None and started.run.flow_id == high.id
    assert await shop.bodies() == [("bot", "High!")]


async def test_a_waiting_flow_keeps_the_floor(shop: Shop) -> None:
    pricing = await shop.template("pricing-page-help")
    other = await shop.add(message_flow("Other"))
    assert await shop.fire("timer", pricing, PRICING) is not None
    assert await shop.fire("now", other) is None  # pricing waits for a click


async def test_flows_never_interrupt_an_operator(shop: Shop) -> None:
    olivia = await shop.services.operators.create("o@shop.example", "Olivia", "pw-123456")
    exit_flow = await shop.template("exit-intent-discount")
    summary = await shop.services.conversations.start(shop.visitor.id, operator_actor(olivia.id))
    await shop.services.conversations.post_message(
        operator_actor(olivia.id), summary.conversation.id, "op-1", "Hello, I'm Olivia"
    )
    assert await shop.watchers(HOME) == []
    assert await shop.fire("exit", exit_flow) is None
    assert await shop.bodies() == [("operator", "Hello, I'm Olivia")]


async def test_delays_are_jobs_and_survive_a_restart(shop: Shop, config: Any) -> None:
    from porch import flows, realtime
    from porch.app import build_services

    document = {
        "format": 1,
        "name": "Nudge",
        "trigger": {"type": "first_visit"},
        "start": "a",
        "nodes": {
            "a": {"type": "message", "text": "Hi {name}", "next": "wait"},
            "wait": {"type": "delay", "seconds": 600, "next": "b"},
            "b": {"type": "message", "text": "Still around?"},
        },
    }
    flow = await shop.add(document)
    await shop.fire("now", flow)
    await shop.later(minutes=9)
    assert await shop.bodies() == [("bot", f"Hi {shop.visitor.name}")]
    # Another process on the same database (built afresh: nothing in memory) runs it.
    first, services = shop.services, build_services(config, clock=shop.clock)
    realtime.install(services)
    flows.setup(services)
    shop.services = services
    try:
        await shop.later(minutes=2)
        assert await shop.bodies() == [
            ("bot", f"Hi {shop.visitor.name}"),
            ("bot", "Still around?"),
        ]
    finally:
        shop.services = first
        await services.db.dispose()


async def test_a_typing_pause_shows_typing_then_the_message(shop: Shop) -> None:
    document = message_flow("Typed")
    document["nodes"]["hi"]["typing_ms"] = 1500
    flow = await shop.add(document)
    started = await shop.fire("now", flow)
    assert started.messages == []
    await shop.later(seconds=2)
    assert await shop.bodies() == [("bot", "Typed!")]


async def test_flows_starting_each_other_in_a_loop_are_stopped(shop: Shop) -> None:
    shop.services.events.subscribe(FlowStopped, shop.record)
    a = await shop.add(message_flow("A"))
    b = await shop.add(message_flow("B", type="from_flow"))
    doc_a, doc_b = copy.deepcopy(a.document), copy.deepcopy(b.document)
    doc_a["nodes"]["hi"]["next"] = "go"
    doc_a["nodes"]["go"] = {"type": "start_flow", "flow_id": b.id}
    doc_b["nodes"]["hi"]["next"] = "go"
    doc_b["nodes"]["go"] = {"type": "start_flow", "flow_id": a.id}
    a = await shop.engine.store.save(a.id, doc_a)
    await shop.engine.store.save(b.id, doc_b)
    await shop.fire("now", a)
    assert await shop.bodies() == [("bot", "A!"), ("bot", "B!")]
    assert [e.reason for e in shop.seen] == ["loop"]  # type: ignore[attr-defined]


async def test_a_cycle_without_waiting_is_stopped(shop: Shop) -> None:
    shop.services.events.subscribe(FlowStopped, shop.record)
    document = message_flow("Echo")
    document["nodes"]["hi"]["next"] = "again"
    document["nodes"]["again"] = {"type": "set_property", "property": "x", "value": 1, "next": "hi"}
    flow = await shop.add(document)
    await shop.fire("now", flow)
    assert await shop.bodies() == [("bot", "Echo!")]
    assert [e.reason for e in shop.seen] == ["loop"]  # type: ignore[attr-defined]


async def test_lead_capture_saves_name_and_email_and_tags_the_contact(shop: Shop) -> None:
    flow = await shop.template("lead-capture")
    [watch] = await shop.watchers(HOME)
    assert watch["on"] == "timer" and 0 < watch["ms"] <= 60_000
    await shop.fire("timer", flow)
    await shop.say("<b>Ann</b>")
    await shop.say("ann@example.com")
    visitor = await shop.services.visitors.get(shop.visitor.id)
    assert visitor is not None
    assert (visitor.name, visitor.email, visitor.attributes["tags"]) == (
        "<b>Ann</b>",
        "ann@example.com",
        "lead",
    )
    # The answer goes into the text as text.
    assert ("bot", "Got it, <b>Ann</b>. We'll be in touch at ann@example.com.") in (
        await shop.bodies()
    )
    assert await shop.watchers(HOME) == []  # has an email now, and once per visitor


async def test_abandoned_cart_needs_items_in_the_cart(shop: Shop) -> None:
    flow = await shop.template("abandoned-cart")
    [watch] = await shop.watchers(HOME)
    assert watch == {
        "flow": flow.id, "priority": 80, "on": "exit", "idle_ms": 120_000, "cart": True
    }  # fmt: skip
    assert await shop.fire("exit", flow, cart={"value": 0, "items": 0}) is None
    started = await shop.fire("exit", flow, cart={"value": 59.0, "items": 1})
    assert "left something in your cart" in started.messages[0].body


async def test_out_of_hours_asks_for_an_email_only_when_nobody_is_there(shop: Shop) -> None:
    flow = await shop.template("out-of-hours")
    [watch] = await shop.watchers(HOME)
    assert watch["on"] == "click"
    await shop.fire("click", flow)  # nobody online in this test
    await shop.say("me@example.com")
    assert (await shop.bodies())[-1] == (
        "bot",
        "Thanks! We'll reply to me@example.com within one business day.",
    )


async def test_welcome_returning_visitor_only_on_a_later_visit(shop: Shop) -> None:
    flow = await shop.template("welcome-returning-visitor")
    assert await shop.watchers(HOME) == []
    await shop.later(hours=2)
    await shop.page(HOME)
    [watch] = await shop.watchers(HOME)
    assert watch == {"flow": flow.id, "priority": 40, "on": "now"}
    await shop.fire("now", flow)
    await shop.click("Just browsing")
    assert (await shop.bodies())[-1] == ("bot", "Enjoy! We're here if you need us.")


async def test_visitor_says_and_no_operator_reply_are_server_side(shop: Shop) -> None:
    says = message_flow("Refunds", type="visitor_says", keywords=["refund"])
    says["nodes"]["hi"]["text"] = "Refunds take 5 days."
    await shop.add(says)
    wait = message_flow("Sorry", type="no_operator_reply", minutes=5)
    wait["nodes"]["hi"]["text"] = "Sorry for the wait!"
    wait["frequency"] = {"per": "always"}
    await shop.add(wait)
    await shop.say("I want a REFUND")
    assert await shop.bodies() == [
        ("visitor", "I want a REFUND"),
        ("bot", "Refunds take 5 days."),
    ]
    # The bot's answer counts as a reply: no apology for that message.
    await shop.later(minutes=6)
    await shop.say("hello?")
    await shop.later(minutes=4)
    assert (await shop.bodies())[-1] == ("visitor", "hello?")
    await shop.later(minutes=2)
    assert (await shop.bodies())[-1] == ("bot", "Sorry for the wait!")


async def test_actions_on_other_features(shop: Shop) -> None:
    olivia = await shop.services.operators.create("o@shop.example", "Olivia", "pw-123456")
    document = {
        "format": 1,
        "name": "Ops",
        "trigger": {"type": "first_visit"},
        "start": "hi",
        "nodes": {
            "hi": {"type": "message", "text": "Let me get you help", "next": "p"},
            "p": {"type": "set_priority", "priority": "high", "next": "t"},
            "t": {"type": "create_ticket", "subject": "Help for {name}", "next": "tag"},
            "tag": {"type": "add_tag", "tag": "vip", "next": "untag"},
            "untag": {"type": "remove_tag", "tag": "vip", "next": "prop"},
            "prop": {"type": "set_property", "property": "plan", "value": "pro", "next": "as"},
            "as": {"type": "assign", "operator_id": olivia.id, "next": "close"},
            "close": {"type": "close_conversation"},
        },
    }
    flow = await shop.add(document)
    started = await shop.fire("now", flow)
    from porch.tickets.service import TicketService

    tickets = TicketService(
        shop.services.db, shop.services.events, shop.clock, shop.services.conversations
    )
    [ticket] = await tickets.list("unassigned", olivia.id)
    assert (ticket.subject, ticket.priority) == (f"Help for {shop.visitor.name}", "high")
    summary = await shop.services.conversations.summary(started.run.conversation_id)
    assert summary.conversation.status == "closed"
    assert summary.assignee is not None and summary.assignee.id == olivia.id
    visitor = await shop.services.visitors.get(shop.visitor.id)
    assert visitor is not None and visitor.attributes == {"tags": "", "plan": "pro"}


async def test_disabled_and_edited_flows(shop: Shop) -> None:
    flow = await shop.add(message_flow("Hi"), enabled=False)
    assert await shop.watchers(HOME) == []
    await shop.engine.store.set_enabled(flow.id, True)
    assert len(await shop.watchers(HOME)) == 1
    edited = load("exit-intent-discount")
    flow = await shop.engine.store.save(flow.id, edited)
    assert flow.version == 2 and flow.trigger_type == "exit_intent"
    assert [v.version for v in await shop.engine.store.versions(flow.id)] == [1, 2]


async def test_webhooks_never_reach_private_addresses_unless_allowed(
    shop: Shop, config: Any
) -> None:
    import dataclasses

    from aiohttp import web

    received: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        document = message_flow("Hook")
        document["frequency"] = {"per": "always"}
        document["nodes"]["hi"]["next"] = "call"
        document["nodes"]["call"] = {"type": "webhook", "url": f"http://127.0.0.1:{port}/hook"}
        flow = await shop.add(document)
        await shop.fire("now", flow)
        await shop.settle()
        assert received == []  # loopback: refused (and logged), not retried
        shop.services.config = dataclasses.replace(config, allow_private_targets=True)
        await shop.later(minutes=31)
        await shop.page(HOME)
        await shop.fire("now", flow)
        await shop.settle()
        [call] = received
        assert call["flow_id"] == flow.id
        assert call["visitor"]["id"] == shop.visitor.id
        assert call["page"]["url"] == HOME.url
    finally:
        await runner.cleanup()
