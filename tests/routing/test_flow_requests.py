"""What flows ask of routing: "assign to team" puts the chat in the team and gives it to a
member who is online; "hand over to a human" gives the chat to someone now, even on a
site that does not route every new chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from porch import flows
from porch.operators.teams import TeamService
from porch.visitors.models import Page
from tests.routing.conftest import Desk

HOME = Page("https://shop.example/", "Home")
CONTEXT: dict[str, Any] = {"url": HOME.url, "referrer": "", "user_agent": "Mozilla/5.0"}


def flow_to(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": 1,
        "name": "Route it",
        "trigger": {"type": "first_visit"},
        "start": "hi",
        "nodes": {"hi": {"type": "message", "text": "One moment", "next": "go"}, "go": node},
    }


async def run_flow(desk: Desk, node: dict[str, Any]) -> int:
    """A new visitor meets the flow; the jobs it causes run; its conversation's id."""
    desk.clock.set(datetime.now(UTC))  # page views are stamped with the real time
    engine = flows.setup(desk.services)
    visitor = await desk.services.visitors.open_session(desk.site, None, HOME)
    flow = await engine.store.create(desk.site.id, flow_to(node), enabled=True)
    started = await engine.fire(visitor.id, "now", [flow.id], CONTEXT)
    assert started is not None and started.run.conversation_id is not None
    for _ in range(3):
        desk.clock.set(datetime.now(UTC) + timedelta(seconds=1))
        await desk.run_due()
    return started.run.conversation_id


async def test_a_flow_puts_the_chat_in_a_team_and_a_member_gets_it(desk: Desk) -> None:
    teams = TeamService(desk.services.db, desk.clock)
    billing = await teams.create("Billing")
    await teams.update(billing.id, "Billing", None, [desk.omar.id])
    await desk.online(desk.olivia, desk.omar)
    chat = await run_flow(desk, {"type": "assign", "team": "billing"})  # any case
    assert await desk.chat_owner(chat) == desk.omar.id  # the member, not Olivia


async def test_a_team_that_does_not_exist_leaves_the_chat_in_the_inbox(desk: Desk) -> None:
    await desk.online(desk.olivia)
    chat = await run_flow(desk, {"type": "assign", "team": "Nobody"})
    assert await desk.chat_owner(chat) is None
    assert await desk.services.jobs.list(failed_only=True) == []


async def test_a_handover_gives_the_chat_to_someone_online_without_routing_rules(
    desk: Desk,
) -> None:
    await desk.online(desk.omar)  # the site routes nothing by itself (no rules set)
    chat = await run_flow(desk, {"type": "handover", "to": "human"})
    assert await desk.chat_owner(chat) == desk.omar.id
