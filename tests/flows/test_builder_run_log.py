"""The run log: each node a run did, with its inputs, outcome and any error (an invalid
answer), readable per flow and per conversation, and gone after 30 days (a daily job
reading `services.clock`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from porch.flows import run_log
from tests.flows.conftest import PRICING, Shop


async def test_each_node_is_logged_with_its_outcome_and_errors(shop: Shop) -> None:
    flow = await shop.template("pricing-page-help")
    await shop.fire("timer", flow, PRICING)
    await shop.click("Yes, help me choose")
    await shop.say("not an email")
    await shop.say("ann@example.com")
    steps = list(reversed(await run_log.for_flow(shop.services.db, flow.id)))
    assert [(s.node, s.outcome, s.error) for s in steps] == [
        ("offer", "waiting for the visitor", None),
        ("ask", "waiting for the visitor", None),
        ("ask", "asked again", "invalid answer"),
        ("ask", "answered", None),
        ("thanks", "on to human", None),
        ("human", "end of the flow", None),
    ]
    assert steps[0].detail["url"] == PRICING.url
    assert steps[0].detail["settings"]["choices"][0]["label"] == "Yes, help me choose"
    assert steps[2].detail["answer"] == "not an email"
    conversation_id = steps[-1].conversation_id
    assert conversation_id is not None
    by_conversation = await run_log.for_conversation(shop.services.db, conversation_id)
    assert len(by_conversation) == len(steps)


async def test_the_log_is_kept_30_days(shop: Shop) -> None:
    flow = await shop.template("pricing-page-help")
    await shop.fire("timer", flow, PRICING)
    assert len(await run_log.for_flow(shop.services.db, flow.id)) == 1
    await run_log.schedule(shop.services, shop.clock.now())
    await shop.later(days=29)
    assert len(await run_log.for_flow(shop.services.db, flow.id)) == 1
    await shop.later(days=2)
    assert await run_log.for_flow(shop.services.db, flow.id) == []


async def test_a_webhook_that_fails_shows_its_status_in_the_log(shop: Shop, config: Any) -> None:
    from aiohttp import web

    replies = [503, 200, 404]

    async def hook(request: web.Request) -> web.Response:
        return web.Response(status=replies.pop(0), text="")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    shop.services.config = dataclasses.replace(config, allow_private_targets=True)
    try:
        document = {
            "format": 1,
            "name": "Hook",
            "trigger": {"type": "page_open", "page": {"match": "contains", "value": "/"}},
            "frequency": {"per": "always"},
            "start": "call",
            "nodes": {"call": {"type": "webhook", "url": f"http://127.0.0.1:{port}/hook"}},
        }
        flow = await shop.add(document)
        await shop.fire("now", flow)
        await shop.settle()
        await shop.later(minutes=10)  # the retry after its backoff
        await shop.fire("now", flow)  # a second run: the receiver refuses it (404)
        await shop.settle()
    finally:
        await runner.cleanup()
    calls = [s for s in reversed(await run_log.for_flow(shop.services.db, flow.id))]
    assert [(s.node, s.outcome, s.error) for s in calls if s.outcome.startswith("webhook")] == [
        ("call", "webhook failed, retried", "HTTP 503"),
        ("call", "webhook sent (HTTP 200)", None),
        ("call", "webhook failed", "HTTP 404"),
    ]
    assert calls[1].detail["status"] == 503
    assert calls[1].detail["settings"]["url"].endswith("/hook")
