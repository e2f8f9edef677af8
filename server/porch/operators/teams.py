"""Teams: a name, members and a lead. Tickets and conversations can belong to a team
(`team_id`); routing can keep a team's work among its members."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.clock import Clock
from porch.db.engine import Database
from porch.operators.service import OperatorError
from porch.operators.tables import operators, team_members, teams

MAX_TEAM_NAME = 100
MAX_MEMBERS = 500


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    lead_id: int | None
    member_ids: tuple[int, ...]


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_TEAM_NAME:
        raise OperatorError(f"a team has a name of 1 to {MAX_TEAM_NAME} characters")
    return name


class TeamService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def list(self) -> builtins.list[Team]:
        async with self.db.connect() as conn:
            return await all_teams(conn)

    async def get(self, team_id: int) -> Team | None:
        return next((t for t in await self.list() if t.id == team_id), None)

    async def create(self, name: str, lead_id: int | None = None) -> Team:
        clean = _name(name)
        async with self.db.begin() as conn:
            await _check_unique(conn, clean, None)
            values = {"name": clean, "lead_id": None, "created_at": self.clock.now()}
            team_id = (
                await conn.execute(teams.insert().values(values).returning(teams.c.id))
            ).scalar_one()
            if lead_id is not None:
                await self._save(conn, team_id, clean, lead_id, [lead_id])
        return await self._get_or_raise(team_id)

    async def update(
        self, team_id: int, name: str, lead_id: int | None, member_ids: Sequence[int]
    ) -> Team:
        """Rename, set the lead and the members (the lead is always a member)."""
        clean = _name(name)
        if len(member_ids) > MAX_MEMBERS:
            raise OperatorError(f"at most {MAX_MEMBERS} members")
        async with self.db.begin() as conn:
            if await conn.scalar(sa.select(teams.c.id).where(teams.c.id == team_id)) is None:
                raise OperatorError(f"no team {team_id}")
            await _check_unique(conn, clean, team_id)
            await self._save(conn, team_id, clean, lead_id, member_ids)
        return await self._get_or_raise(team_id)

    async def _save(
        self,
        conn: AsyncConnection,
        team_id: int,
        name: str,
        lead_id: int | None,
        member_ids: Sequence[int],
    ) -> None:
        members = list(dict.fromkeys([*member_ids, *([lead_id] if lead_id else [])]))
        if members:
            known = set(
                (await conn.execute(sa.select(operators.c.id).where(operators.c.id.in_(members))))
                .scalars()
                .all()
            )
            if missing := [m for m in members if m not in known]:
                raise OperatorError(f"no operator {missing[0]}")
        await conn.execute(
            teams.update().where(teams.c.id == team_id).values(name=name, lead_id=lead_id)
        )
        await conn.execute(team_members.delete().where(team_members.c.team_id == team_id))
        if members:
            await conn.execute(
                team_members.insert(), [{"team_id": team_id, "operator_id": m} for m in members]
            )

    async def delete(self, team_id: int) -> None:
        """Its tickets and conversations keep their assignees and lose the team."""
        async with self.db.begin() as conn:
            await conn.execute(team_members.delete().where(team_members.c.team_id == team_id))
            await conn.execute(teams.delete().where(teams.c.id == team_id))

    async def _get_or_raise(self, team_id: int) -> Team:
        team = await self.get(team_id)
        if team is None:
            raise OperatorError(f"no team {team_id}")
        return team


async def all_teams(conn: AsyncConnection) -> list[Team]:
    members: dict[int, list[int]] = {}
    for row in await conn.execute(
        sa.select(team_members).order_by(team_members.c.team_id, team_members.c.operator_id)
    ):
        members.setdefault(row.team_id, []).append(row.operator_id)
    rows = await conn.execute(sa.select(teams).order_by(teams.c.name))
    return [Team(r.id, r.name, r.lead_id, tuple(members.get(r.id, ()))) for r in rows]


async def team_member_ids(conn: AsyncConnection, team_id: int) -> set[int]:
    query = sa.select(team_members.c.operator_id).where(team_members.c.team_id == team_id)
    return set((await conn.execute(query)).scalars().all())


async def _check_unique(conn: AsyncConnection, name: str, team_id: int | None) -> None:
    query = sa.select(teams.c.id).where(sa.func.lower(teams.c.name) == name.lower())
    found = await conn.scalar(query)
    if found is not None and found != team_id:
        raise OperatorError(f"there is already a team called {name!r}")
