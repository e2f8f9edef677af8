"""What flows ask of routing: "assign to team X" puts the chat in that team and routes it
among its members; "hand over to a human" routes the chat now. Both run as jobs on the
flows' events, and route even on sites that do not route every new chat (the flow asked)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from porch.conversations.tables import conversations
from porch.flows.events import FlowHandover, FlowTeamAssignment
from porch.operators.teams import all_teams

if TYPE_CHECKING:
    from porch.routing.service import Router
    from porch.services import Services

TEAM = "routing.flow_team"
HANDOVER = "routing.flow_handover"
log = logging.getLogger(__name__)


def attach(services: Services, router: Router) -> None:
    async def to_team(payload: dict[str, Any]) -> None:
        data = payload["data"]
        if await put_in_team(services, int(data["conversation_id"]), str(data["team"])):
            await router.route("chat", int(data["conversation_id"]), requested=True)

    async def to_human(payload: dict[str, Any]) -> None:
        await router.route("chat", int(payload["data"]["conversation_id"]), requested=True)

    services.jobs.register(TEAM, to_team)
    services.jobs.register(HANDOVER, to_human)
    services.events.enqueue_on(FlowTeamAssignment, TEAM)
    services.events.enqueue_on(FlowHandover, HANDOVER, when=lambda event: event.to == "human")


async def put_in_team(services: Services, conversation_id: int, name: str) -> bool:
    """The chat joins the team named `name` (any case); False (logged) when there is none:
    a team renamed after the flow was written."""
    async with services.db.begin() as conn:
        wanted = name.strip().casefold()
        team = next((t for t in await all_teams(conn) if t.name.casefold() == wanted), None)
        if team is None:
            log.warning("flow asked for team %r, which does not exist", name)
            return False
        await conn.execute(
            sa.update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(team_id=team.id)
        )
    return True
