"""Teams on tickets (SQLite and PostgreSQL): set and cleared by an update, in the history,
on the wire; a ticket's team is where routing looks for its owner."""

from __future__ import annotations

import pytest

from porch import wire
from porch.actors import Actor
from porch.errors import NotFound
from porch.operators.teams import TeamService
from tests.routing.conftest import Desk


async def test_a_ticket_joins_and_leaves_a_team(desk: Desk) -> None:
    billing = await TeamService(desk.services.db, desk.clock).create("Billing")
    ticket_id = await desk.ticket()
    actor = Actor.operator(desk.olivia.id, "Olivia")
    ticket = await desk.tickets.update(ticket_id, actor, team_id=billing.id)
    assert (ticket.team_id, ticket.team_name) == (billing.id, "Billing")
    status = await desk.tickets.sla_status(ticket)
    assert wire.ticket(ticket, status[ticket.id])["team"] == {"id": billing.id, "name": "Billing"}
    assert (await desk.tickets.update(ticket_id, actor, team_id=None)).team_id is None
    history = await desk.tickets.history(ticket_id)
    assert [h.data for h in history if h.kind == "updated"] == [
        {"team_id": [None, billing.id]},
        {"team_id": [billing.id, None]},
    ]
    with pytest.raises(NotFound):
        await desk.tickets.update(ticket_id, actor, team_id=999)


async def test_routing_keeps_a_teams_ticket_among_its_members(desk: Desk) -> None:
    teams = TeamService(desk.services.db, desk.clock)
    billing = await teams.create("Billing", lead_id=desk.omar.id)
    await desk.rules()
    await desk.online(desk.olivia, desk.omar)
    await desk.services.presence.set_status(desk.omar.id, "away")
    ticket_id = await desk.ticket()
    await desk.tickets.update(ticket_id, Actor.system("tests"), team_id=billing.id)
    await desk.run_due()
    # Omar is away, the only member: the team lead still gets it (nothing stays ownerless).
    assert await desk.ticket_owner(ticket_id) == desk.omar.id


async def test_nobody_assigns_work_to_a_deactivated_operator(desk: Desk) -> None:
    await desk.services.operators.set_active(desk.omar.id, False, desk.clock.now())
    as_olivia = Actor.operator(desk.olivia.id, "Olivia")
    chat = await desk.chat()
    with pytest.raises(NotFound):
        await desk.services.conversations.assign(chat, desk.omar.id, as_olivia)
    with pytest.raises(NotFound):
        await desk.tickets.update(await desk.ticket(), as_olivia, assignee_id=desk.omar.id)
