"""The run log: each node a run did, with its inputs, outcome and any error (an invalid
answer), readable per flow and per conversation, and gone after 30 days (a daily job
reading `services.clock`)."""

from __future__ import annotations

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
