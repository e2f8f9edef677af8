"""Operator accounts: create, authenticate (argon2id), look up."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.operators.tables import operators

MIN_PASSWORD_LENGTH = 8


class OperatorError(ValueError):
    """A request about operators that cannot be done (duplicate email, weak password…)."""


@dataclass(frozen=True)
class Operator:
    id: int
    email: str
    name: str

    def to_wire(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name}


def _row_to_operator(row: sa.Row) -> Operator:
    return Operator(id=row.id, email=row.email, name=row.name)


class OperatorService:
    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        # Verified against when the email is unknown, so timing doesn't reveal accounts.
        self._dummy_hash = self.hasher.hash("porch-timing-equaliser")

    async def create(self, email: str, name: str, password: str) -> Operator:
        email = email.strip().lower()
        if "@" not in email or len(email) > 320:
            raise OperatorError(f"not an email address: {email!r}")
        if not name.strip():
            raise OperatorError("an operator needs a name")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise OperatorError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        async with self.db.begin() as conn:
            if await conn.scalar(sa.select(operators.c.id).where(operators.c.email == email)):
                raise OperatorError(f"an operator with email {email} already exists")
            result = await conn.execute(
                operators.insert().values(
                    email=email,
                    name=name.strip(),
                    password_hash=self.hasher.hash(password),
                    created_at=utcnow(),
                )
            )
            return Operator(id=result.inserted_primary_key[0], email=email, name=name.strip())

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
        if not self._verify(row.password_hash, password):
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            await self._set_hash(row.id, self.hasher.hash(password))
        return _row_to_operator(row)

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
        return _row_to_operator(row) if row else None

    async def list(self) -> list[Operator]:
        async with self.db.connect() as conn:
            rows = await conn.execute(sa.select(operators).order_by(operators.c.name))
        return [_row_to_operator(row) for row in rows]
