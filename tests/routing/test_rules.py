"""Routing rules against real storage (SQLite and PostgreSQL) on a manual clock: round-robin
among online operators, capacity, skills, business hours with the customer's
acknowledgement, the fallback, and a person's assignment always winning."""

from __future__ import annotations

import asyncio

from porch.actors import Actor
from porch.routing.service import Router
from tests.routing.conftest import Desk
from tests.support.desk import PAGE

PARIS_OFFICE = {
    "timezone": "Europe/Paris",
    "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}


async def test_routing_off_leaves_chats_to_operators(desk: Desk) -> None:
    await desk.online(desk.olivia, desk.omar)
    chat = await desk.chat()
    await desk.run_due()
    assert await desk.chat_owner(chat) is None


async def test_two_operators_online_take_turns(desk: Desk) -> None:
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    owners = []
    for _ in range(4):
        owners.append(await desk.chat_owner(await desk.routed_chat()))
    olivia, omar = desk.olivia.id, desk.omar.id
    assert owners == [olivia, omar, olivia, omar]


async def test_only_online_operators_get_work(desk: Desk) -> None:
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    await desk.services.presence.set_status(desk.olivia.id, "away")
    chats = [await desk.routed_chat(), await desk.routed_chat()]
    assert [await desk.chat_owner(c) for c in chats] == [desk.omar.id, desk.omar.id]


async def test_an_operator_at_capacity_is_skipped_then_the_fallback_takes_it(desk: Desk) -> None:
    await desk.rules(fallback_operator_id=desk.olivia.id)
    await desk.services.operators.set_capacity(desk.olivia.id, 1, None)
    await desk.services.operators.set_capacity(desk.omar.id, 1, None)
    await desk.online(desk.olivia, desk.omar)
    first, second, third = [await desk.routed_chat() for _ in range(3)]
    assert await desk.chat_owner(first) == desk.olivia.id
    assert await desk.chat_owner(second) == desk.omar.id
    # Both are full: nothing stays ownerless, the site's fallback gets it.
    assert await desk.chat_owner(third) == desk.olivia.id


async def test_capacity_counts_open_tickets_for_tickets(desk: Desk) -> None:
    await desk.rules()
    await desk.services.operators.set_capacity(desk.olivia.id, None, 1)
    await desk.online(desk.olivia, desk.omar)
    tickets = [await desk.routed_ticket() for _ in range(3)]
    owners = [await desk.ticket_owner(t) for t in tickets]
    assert owners == [desk.olivia.id, desk.omar.id, desk.omar.id]


async def test_a_tagged_ticket_goes_to_an_operator_with_the_skill(desk: Desk) -> None:
    await desk.rules(rules=[{"tag": "refund", "skill": "billing"}])
    await desk.services.operators.set_skills(desk.omar.id, ["billing"])
    await desk.online(desk.olivia, desk.omar)
    refunds = [await desk.routed_ticket("Refund"), await desk.routed_ticket("refund")]
    plain = await desk.routed_ticket("shipping")  # no one has that skill: round-robin
    assert [await desk.ticket_owner(t) for t in refunds] == [desk.omar.id, desk.omar.id]
    assert await desk.ticket_owner(plain) == desk.olivia.id


async def test_a_tag_is_a_skill_of_its_own_name(desk: Desk) -> None:
    await desk.rules()
    await desk.services.operators.set_skills(desk.omar.id, ["wholesale"])
    await desk.online(desk.olivia, desk.omar)
    ticket = await desk.ticket("wholesale")
    await desk.run_due()
    assert await desk.ticket_owner(ticket) == desk.omar.id


async def test_outside_hours_the_customer_hears_when_and_the_morning_shift_gets_it(
    desk: Desk,
) -> None:
    await desk.services.sites.update_settings(desk.site.id, business_hours=PARIS_OFFICE)
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    desk.clock.advance(hours=8, minutes=30)  # Monday 17:30 UTC, 18:30 in Paris: closed
    chat = await desk.chat("Anyone there?")
    await desk.run_due()
    await desk.run_due()  # the acknowledgement is sent once
    assert await desk.chat_owner(chat) is None
    [_, ack] = await desk.messages(chat)
    assert (ack.author, ack.author_name) == ("system", "routing")
    assert "Tuesday 8 January, 09:00 (Europe/Paris)" in ack.body
    desk.clock.advance(hours=14)  # Tuesday 07:30 UTC, 08:30 in Paris: still closed
    await desk.run_due()
    assert await desk.chat_owner(chat) is None
    desk.clock.advance(minutes=30)  # 09:00 in Paris: the shift starts
    await desk.run_due()
    assert await desk.chat_owner(chat) == desk.olivia.id
    assert len(await desk.messages(chat)) == 2


async def test_the_after_hours_message_is_the_sites(desk: Desk) -> None:
    await desk.services.sites.update_settings(desk.site.id, business_hours=PARIS_OFFICE)
    await desk.rules(after_hours_message="Back at {time}, promise.")
    desk.clock.advance(days=5)  # Saturday
    chat = await desk.chat()
    await desk.run_due()
    [_, ack] = await desk.messages(chat)
    assert ack.body == "Back at Monday 14 January, 09:00 (Europe/Paris), promise."


async def test_a_manual_assignment_always_wins(desk: Desk) -> None:
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    chat = await desk.chat()
    as_omar = Actor.operator(desk.omar.id, "Omar")
    await desk.services.conversations.assign(chat, desk.omar.id, as_omar)  # before routing ran
    ticket = await desk.ticket()
    await desk.tickets.update(ticket, as_omar, assignee_id=desk.omar.id)
    await desk.run_due()
    assert await desk.chat_owner(chat) == desk.omar.id
    assert await desk.ticket_owner(ticket) == desk.omar.id
    # The round-robin did not move: the next chat still starts with Olivia.
    following = await desk.chat()
    await desk.run_due()
    assert await desk.chat_owner(following) == desk.olivia.id


async def test_an_operator_reaching_out_keeps_the_chat(desk: Desk) -> None:
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    visitor = await desk.services.visitors.open_session(desk.site, None, PAGE)
    summary = await desk.services.conversations.start(
        visitor.id, Actor.operator(desk.omar.id, "Omar")
    )
    await desk.run_due()
    assert await desk.chat_owner(summary.conversation.id) == desk.omar.id


async def test_nobody_online_the_least_busy_active_operator_gets_it(desk: Desk) -> None:
    await desk.rules()
    await desk.online(desk.olivia)
    first = await desk.chat()
    await desk.run_due()
    await desk.offline(desk.olivia)
    second = await desk.chat()
    await desk.run_due()
    assert await desk.chat_owner(first) == desk.olivia.id
    assert await desk.chat_owner(second) == desk.omar.id  # no open chats: least busy


async def test_deactivated_operators_get_nothing(desk: Desk) -> None:
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    await desk.services.operators.set_active(desk.omar.id, False, desk.clock.now())
    chats = [await desk.routed_chat(), await desk.routed_chat()]
    assert [await desk.chat_owner(c) for c in chats] == [desk.olivia.id, desk.olivia.id]


async def test_a_site_team_keeps_work_among_its_members(desk: Desk) -> None:
    from porch.operators.teams import TeamService

    teams = TeamService(desk.services.db, desk.clock)
    billing = await teams.create("Billing", lead_id=desk.omar.id)
    await desk.rules(team_id=billing.id)
    await desk.online(desk.olivia, desk.omar)
    chats = [await desk.routed_chat(), await desk.routed_chat()]
    assert [await desk.chat_owner(c) for c in chats] == [desk.omar.id, desk.omar.id]


async def test_a_rule_can_send_a_ticket_to_a_team(desk: Desk) -> None:
    from porch.operators.teams import TeamService

    teams = TeamService(desk.services.db, desk.clock)
    billing = await teams.create("Billing")
    await teams.update(billing.id, "Billing", None, [desk.omar.id])
    await desk.rules(rules=[{"tag": "invoice", "team_id": billing.id}])
    await desk.online(desk.olivia, desk.omar)
    ticket = await desk.ticket("invoice")
    await desk.run_due()
    assert await desk.ticket_owner(ticket) == desk.omar.id


async def test_routers_running_at_once_never_exceed_an_operators_capacity(desk: Desk) -> None:
    """Routing jobs at the same moment (several workers): each sees the assignments
    made before it in the operator's load, so the one slot left is given once."""
    await desk.rules(fallback_operator_id=desk.omar.id)
    await desk.services.operators.set_capacity(desk.olivia.id, None, 2)
    await desk.online(desk.olivia)
    assert await desk.ticket_owner(await desk.routed_ticket()) == desk.olivia.id
    racing = [await desk.ticket() for _ in range(6)]
    await asyncio.gather(*(Router(desk.services).route("ticket", t) for t in racing))
    owners = [await desk.ticket_owner(t) for t in racing]
    assert owners.count(desk.olivia.id) == 1  # her one slot, given once
    assert owners.count(desk.omar.id) == 5  # the rest to the fallback
