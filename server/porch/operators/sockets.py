"""The admin events of the `/operator` socket: the team as admins see it, and changing an
operator's role, skills and capacity. Refused (`forbidden`) for agents: the role is read
from storage on each event, not from the socket's session (an admin demoted since the
socket connected has no admin events left; demoting also ends their sessions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from porch.actors import Actor
from porch.errors import Forbidden, Invalid
from porch.operators import management
from porch.operators.service import Operator, OperatorError
from porch.operators.teams import TeamService
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import OPERATORS
from porch.realtime.operator import OperatorNamespace
from porch.realtime.schemas import Empty, Id, Payload
from porch.services import Services
from porch.text import TextOnly

Capacity = Annotated[int, Field(ge=0, le=1000)]
Skill = Annotated[str, Field(min_length=1, max_length=50), TextOnly]


class OperatorUpdate(Payload):
    """Only what is given changes; `max_chats: null` removes the limit."""

    operator_id: Id
    role: Literal["admin", "agent"] | None = None
    skills: Annotated[list[Skill], Field(max_length=30)] | None = None
    max_chats: Capacity | None = None
    max_tickets: Capacity | None = None


def operator_shape(o: Operator) -> dict[str, Any]:
    return {
        "id": o.id,
        "name": o.name,
        "email": o.email,
        "role": o.role,
        "active": o.active,
        "skills": list(o.skills),
        "max_chats": o.max_chats,
        "max_tickets": o.max_tickets,
    }


class TeamEvents(Routed):
    def __init__(self, sockets: OperatorNamespace, services: Services) -> None:
        self.sockets = sockets
        self.services = services
        self.teams = TeamService(services.db, services.clock)

    async def _admin(self, sid: str) -> Operator:
        cached = await self.sockets.operator(sid)
        current = await self.services.operators.get(cached.id)
        if current is None or not current.is_admin:
            raise Forbidden("only admins manage the team")
        return current

    @handles("team.get", Empty, limit="operator")
    async def get(self, sid: str, data: Empty) -> Ack:
        await self._admin(sid)
        everyone = await self.services.operators.list(include_inactive=True)
        teams = await self.teams.list()
        return {
            "ok": True,
            "operators": [operator_shape(o) for o in everyone],
            "teams": [
                {"id": t.id, "name": t.name, "lead_id": t.lead_id, "member_ids": list(t.member_ids)}
                for t in teams
            ],
        }

    @handles("teams.list", Empty, limit="operator")
    async def teams_list(self, sid: str, data: Empty) -> Ack:
        """Every operator may see the teams (to put a ticket in one)."""
        return {
            "ok": True,
            "teams": [{"id": t.id, "name": t.name} for t in await self.teams.list()],
        }

    @handles("operator.update", OperatorUpdate, limit="operator")
    async def update(self, sid: str, data: OperatorUpdate) -> Ack:
        admin = await self._admin(sid)
        given = data.model_fields_set
        operators = self.services.operators
        try:
            if data.skills is not None:
                await operators.set_skills(data.operator_id, data.skills)
            if given & {"max_chats", "max_tickets"}:
                current = await operators.get(data.operator_id)
                if current is None:
                    raise OperatorError(f"no operator {data.operator_id}")
                await operators.set_capacity(
                    data.operator_id,
                    data.max_chats if "max_chats" in given else current.max_chats,
                    data.max_tickets if "max_tickets" in given else current.max_tickets,
                )
            if data.role is not None:
                who = Actor.operator(admin.id, admin.name)
                await management.set_role(self.services, data.operator_id, data.role, who)
        except OperatorError as exc:
            raise Invalid(str(exc)) from exc
        updated = await operators.get(data.operator_id)
        assert updated is not None
        return {"ok": True, "operator": operator_shape(updated)}


def attach(services: Services) -> None:
    sockets = services.sio.namespace_handlers[OPERATORS]  # installed by porch.realtime
    assert isinstance(sockets, OperatorNamespace)
    sockets.extend(TeamEvents(sockets, services))
