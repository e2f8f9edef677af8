"""Operator accounts: create, authenticate (argon2id), look up, and what admins manage on
them (role, skills, capacity, deactivation: see docs/team.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.events import EventBus
from porch.operators.events import OperatorActiveChanged, OperatorRoleChanged
from porch.operators.tables import operators

MIN_PASSWORD_LENGTH = 8
MAX_NAME = 200
MAX_SKILLS = 30
MAX_SKILL = 50
MAX_CAPACITY = 1000
Role = Literal["admin", "agent"]
ROLES: tuple[Role, ...] = ("admin", "agent")
"""admin: everything; agent: chats and tickets, but no site settings and no operators."""


class OperatorError(ValueError):
    """A request about operators that cannot be done (duplicate email, weak password…)."""


@dataclass(frozen=True)
class Operator:
    id: int
    email: str
    name: str
    role: str = "agent"
    """Least power unless the stored row says otherwise (see `ROLES`)."""
    skills: tuple[str, ...] = ()
    max_chats: int | None = None
    max_tickets: int | None = None
    deactivated_at: datetime | None = None
    avatar_digest: str | None = None
    """Their avatar's name (`porch.operators.avatars`); None: initials."""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.deactivated_at is None

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


def operator_from_row(row: sa.Row[Any]) -> Operator:
    return Operator(
        id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        skills=tuple(row.skills or ()),
        max_chats=row.max_chats,
        max_tickets=row.max_tickets,
        deactivated_at=row.deactivated_at,
        avatar_digest=row.avatar_digest,
    )


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise OperatorError(f"no role {role!r}: one of {', '.join(ROLES)}")


def clean_skills(skills: Sequence[str]) -> list[str]:
    """Lower-case tags, each once, in the order given."""
    clean = list(dict.fromkeys(s.strip().lower() for s in skills if s.strip()))
    if len(clean) > MAX_SKILLS or any(len(s) > MAX_SKILL for s in clean):
        raise OperatorError(f"at most {MAX_SKILLS} skills of at most {MAX_SKILL} characters")
    return clean


def _capacity(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_CAPACITY:
        raise OperatorError(f"capacity is 0 to {MAX_CAPACITY} (empty: no limit)")
    return value


def check_new_account(email: str, name: str, password: str) -> tuple[str, str]:
    """The normalised email and name of a new account, or OperatorError."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise OperatorError(f"not an email address: {email!r}")
    if not name.strip() or len(name.strip()) > MAX_NAME:
        raise OperatorError(f"an operator needs a name of at most {MAX_NAME} characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperatorError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return email, name.strip()


class OperatorService:
    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        # Verified against when the email is unknown, so timing doesn't reveal accounts.
        self._dummy_hash = self.hasher.hash("porch-timing-equaliser")

    async def create(self, email: str, name: str, password: str, role: str = "admin") -> Operator:
        """A new account (admin unless `role` says agent: the first operator of a fresh
        install must be able to set everything up)."""
        async with self.db.begin() as conn:
            return await self.create_in(conn, email, name, password, role)

    async def create_in(
        self, conn: AsyncConnection, email: str, name: str, password: str, role: str
    ) -> Operator:
        """`create` inside an open transaction (accepting an invitation)."""
        email, name = check_new_account(email, name, password)
        checked = check_role(role)
        if await conn.scalar(sa.select(operators.c.id).where(operators.c.email == email)):
            raise OperatorError(f"an operator with email {email} already exists")
        new_id = (
            await conn.execute(
                operators.insert()
                .values(
                    email=email,
                    name=name,
                    password_hash=self.hasher.hash(password),
                    created_at=utcnow(),
                    role=checked,
                    skills=[],
                )
                .returning(operators.c.id)
            )
        ).scalar_one()
        return Operator(id=new_id, email=email, name=name, role=checked)

    async def authenticate(self, email: str, password: str) -> Operator | None:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(operators).where(operators.c.email == email.strip().lower())
                )
            ).first()
        if row is None:
            self._verify(self._dummy_hash, password)
            return None
        if not self._verify(row.password_hash, password) or row.deactivated_at is not None:
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            await self._set_hash(row.id, self.hasher.hash(password))
        return operator_from_row(row)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _set_hash(self, operator_id: int, password_hash: str) -> None:
        async with self.db.begin() as conn:
            await conn.execute(
                operators.update()
                .where(operators.c.id == operator_id)
                .values(password_hash=password_hash)
            )

    async def get(self, operator_id: int) -> Operator | None:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(sa.select(operators).where(operators.c.id == operator_id))
            ).first()
        return operator_from_row(row) if row else None

    async def by_email(self, email: str) -> Operator | None:
        query = sa.select(operators).where(operators.c.email == email.strip().lower())
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        return operator_from_row(row) if row else None

    async def list(self, include_inactive: bool = False) -> list[Operator]:
        """By name; deactivated operators only when asked (nobody assigns to them)."""
        query = sa.select(operators).order_by(operators.c.name, operators.c.id)
        if not include_inactive:
            query = query.where(operators.c.deactivated_at.is_(None))
        async with self.db.connect() as conn:
            rows = await conn.execute(query)
        return [operator_from_row(row) for row in rows]

    # -- what admins change -------------------------------------------------------------

    async def set_role(
        self,
        operator_id: int,
        role: str,
        events: EventBus | None = None,
        actor: Actor | None = None,
    ) -> Operator:
        """A new role; a change is published as `operator.role_changed` on `events`."""
        checked = check_role(role)
        async with (events or EventBus()).transaction(self.db) as unit:
            before = await _locked(unit.conn, operator_id)
            if before.is_admin and checked != "admin":
                await _keep_an_admin(unit.conn, operator_id)
            await _set(unit.conn, operator_id, role=checked)
            if before.role != checked:
                who = actor or Actor.system("porch operator")
                changed = OperatorRoleChanged(operator_id, before.name, before.role, checked, who)
                await unit.record(changed)
        return await self._get_or_raise(operator_id)

    async def set_skills(self, operator_id: int, skills: Sequence[str]) -> Operator:
        clean = clean_skills(skills)
        async with self.db.begin() as conn:
            await _locked(conn, operator_id)
            await _set(conn, operator_id, skills=clean)
        return await self._get_or_raise(operator_id)

    async def set_capacity(
        self, operator_id: int, max_chats: int | None, max_tickets: int | None
    ) -> Operator:
        values = {"max_chats": _capacity(max_chats), "max_tickets": _capacity(max_tickets)}
        async with self.db.begin() as conn:
            await _locked(conn, operator_id)
            await _set(conn, operator_id, **values)
        return await self._get_or_raise(operator_id)

    async def set_active(
        self,
        operator_id: int,
        active: bool,
        now: datetime,
        events: EventBus | None = None,
        actor: Actor | None = None,
    ) -> Operator:
        """Deactivate (or bring back) an account; a change is published as
        `operator.active_changed` on `events`. Its sessions are the caller's to end
        (`porch.operators.management.deactivate` does both)."""
        async with (events or EventBus()).transaction(self.db) as unit:
            before = await _locked(unit.conn, operator_id)
            if not active and before.is_admin:
                await _keep_an_admin(unit.conn, operator_id)
            if active != before.active:
                await _set(unit.conn, operator_id, deactivated_at=None if active else now)
                who = actor or Actor.system("porch operator")
                await unit.record(OperatorActiveChanged(operator_id, before.name, active, who))
        return await self._get_or_raise(operator_id)

    async def _get_or_raise(self, operator_id: int) -> Operator:
        operator = await self.get(operator_id)
        if operator is None:
            raise OperatorError(f"no operator {operator_id}")
        return operator


async def _locked(conn: AsyncConnection, operator_id: int) -> Operator:
    """The operator, with their row locked for this transaction (a no-op update)."""
    await conn.execute(
        operators.update().where(operators.c.id == operator_id).values(role=operators.c.role)
    )
    row = (await conn.execute(sa.select(operators).where(operators.c.id == operator_id))).first()
    if row is None:
        raise OperatorError(f"no operator {operator_id}")
    return operator_from_row(row)


async def _keep_an_admin(conn: AsyncConnection, leaving: int) -> None:
    """Someone must still be able to manage the team once `leaving` stops being admin."""
    others = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(operators)
        .where(operators.c.role == "admin")
        .where(operators.c.deactivated_at.is_(None))
        .where(operators.c.id != leaving)
    )
    if not others:
        raise OperatorError("this is the last active admin: make someone else admin first")


async def _set(conn: AsyncConnection, operator_id: int, **values: Any) -> None:
    await conn.execute(operators.update().where(operators.c.id == operator_id).values(**values))
