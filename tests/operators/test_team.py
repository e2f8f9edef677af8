"""Roles, invitations, deactivation, skills, capacity and teams against real storage
(SQLite and PostgreSQL), on a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from porch.actors import Actor
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.operators.invites import InviteService
from porch.operators.service import OperatorError
from porch.operators.tables import operator_invites
from porch.operators.teams import TeamService
from porch.services import Services


@pytest.fixture
async def services(config: Config) -> AsyncIterator[Services]:
    built = build_services(config, clock=ManualClock())
    yield built
    await built.db.dispose()


def invites_of(services: Services) -> InviteService:
    return InviteService(services.db, services.operators, services.clock)


async def test_the_first_operators_are_admins_and_agents_are_asked_for(services: Services) -> None:
    admin = await services.operators.create("ada@shop.example", "Ada", "pw-123456")
    agent = await services.operators.create("abe@shop.example", "Abe", "pw-123456", role="agent")
    assert (admin.role, admin.is_admin) == ("admin", True)
    assert (agent.role, agent.is_admin) == ("agent", False)
    with pytest.raises(OperatorError):
        await services.operators.create("x@shop.example", "X", "pw-123456", role="owner")


async def test_an_invitation_works_once_and_makes_an_agent(services: Services) -> None:
    admin = await services.operators.create("ada@shop.example", "Ada", "pw-123456")
    new = await invites_of(services).create(
        " Sam@Shop.example ", "agent", Actor.operator(admin.id, admin.name)
    )
    assert new.link("https://porch.example/").startswith("https://porch.example/panel/invite/")
    async with services.db.connect() as conn:
        stored = await conn.scalar(sa.select(operator_invites.c.token_hash))
    assert stored != new.token and new.token not in str(stored)  # only a hash is kept
    assert (await invites_of(services).peek(new.token)).email == "sam@shop.example"  # type: ignore[union-attr]
    sam = await invites_of(services).accept(new.token, "Sam", "sam-password")
    assert (sam.email, sam.name, sam.role) == ("sam@shop.example", "Sam", "agent")
    assert await services.operators.authenticate("sam@shop.example", "sam-password") == sam
    with pytest.raises(OperatorError, match="already used"):
        await invites_of(services).accept(new.token, "Mallory", "other-password")
    assert await invites_of(services).peek(new.token) is None


async def test_an_invitation_expires(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, ManualClock)
    new = await invites_of(services).create("late@shop.example", "agent")
    clock.advance(timedelta(days=8))
    assert await invites_of(services).peek(new.token) is None
    with pytest.raises(OperatorError):
        await invites_of(services).accept(new.token, "Late", "pw-123456")
    assert await services.operators.by_email("late@shop.example") is None


async def test_a_weak_password_keeps_the_invitation_usable(services: Services) -> None:
    new = await invites_of(services).create("sam@shop.example", "admin")
    with pytest.raises(OperatorError, match="at least 8"):
        await invites_of(services).accept(new.token, "Sam", "short")
    assert (await invites_of(services).accept(new.token, "Sam", "long-enough")).role == "admin"


async def test_a_deactivated_operator_cannot_sign_in_and_loses_their_sessions(
    services: Services,
) -> None:
    from porch.operators import management

    await services.operators.create("ada@shop.example", "Ada", "pw-123456")
    abe = await services.operators.create("abe@shop.example", "Abe", "pw-123456", role="agent")
    session = await services.sessions.create(abe)
    await management.deactivate(services, abe.id)
    assert await services.operators.authenticate("abe@shop.example", "pw-123456") is None
    assert await services.sessions.resolve(session.token) is None
    assert [o.name for o in await services.operators.list()] == ["Ada"]
    await management.reactivate(services, abe.id)
    assert await services.operators.authenticate("abe@shop.example", "pw-123456") is not None


async def test_the_last_admin_stays_an_admin(services: Services) -> None:
    from porch.operators import management

    ada = await services.operators.create("ada@shop.example", "Ada", "pw-123456")
    with pytest.raises(OperatorError, match="last active admin"):
        await management.set_role(services, ada.id, "agent")
    with pytest.raises(OperatorError, match="last active admin"):
        await management.deactivate(services, ada.id)
    bea = await services.operators.create("bea@shop.example", "Bea", "pw-123456")
    assert (await management.set_role(services, ada.id, "agent")).role == "agent"
    assert bea.is_admin


async def test_skills_and_capacity(services: Services) -> None:
    abe = await services.operators.create("abe@shop.example", "Abe", "pw-123456")
    abe = await services.operators.set_skills(abe.id, ["Billing", " refunds ", "billing"])
    assert abe.skills == ("billing", "refunds")
    abe = await services.operators.set_capacity(abe.id, 3, None)
    assert (abe.max_chats, abe.max_tickets) == (3, None)
    with pytest.raises(OperatorError):
        await services.operators.set_capacity(abe.id, -1, None)


async def test_teams_have_members_and_a_lead(services: Services) -> None:
    ada = await services.operators.create("ada@shop.example", "Ada", "pw-123456")
    abe = await services.operators.create("abe@shop.example", "Abe", "pw-123456")
    teams = TeamService(services.db, services.clock)
    billing = await teams.create("Billing", lead_id=ada.id)
    assert (billing.lead_id, billing.member_ids) == (ada.id, (ada.id,))
    billing = await teams.update(billing.id, "Billing desk", abe.id, [ada.id])
    assert (billing.name, billing.lead_id, set(billing.member_ids)) == (
        "Billing desk",
        abe.id,
        {ada.id, abe.id},
    )
    with pytest.raises(OperatorError, match="already a team"):
        await teams.create("billing DESK")
    await teams.delete(billing.id)
    assert await teams.list() == []
