"""What `porch demo` shows of the team: an agent, a team with a lead, skills, and routing
on for the demo site (new chats and tickets find an owner by themselves)."""

from __future__ import annotations

from porch.demo.seed import Demo
from porch.operators.teams import TeamService
from porch.services import Services

AGENT_EMAIL = "sam@porch.example"


async def seed_team(services: Services, demo: Demo) -> None:
    """Once: later runs find the agent and add nothing."""
    if await services.operators.by_email(AGENT_EMAIL) is not None:
        return
    sam = await services.operators.create(AGENT_EMAIL, "Sam", demo.password, role="agent")
    await services.operators.set_skills(sam.id, ["wholesale", "billing"])
    await services.operators.set_capacity(sam.id, 5, 20)
    await services.operators.set_skills(demo.operator.id, ["equipment"])
    team = await TeamService(services.db, services.clock).create(
        "Customer care", lead_id=demo.operator.id
    )
    await TeamService(services.db, services.clock).update(
        team.id, team.name, demo.operator.id, [demo.operator.id, sam.id]
    )
    routing = {
        "chats": True,
        "tickets": True,
        "rules": [{"tag": "refund", "skill": "billing"}],
        "fallback_operator_id": demo.operator.id,
    }
    await services.sites.update_settings(demo.site.id, routing=routing)
