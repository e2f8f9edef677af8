"""One-time invitations: an admin invites an email with a role; the link carries a random
token (only its sha256 is stored), works once, and expires. The invitee picks their name
and password; the account is created in the same transaction that uses the invitation, so
a link opened twice (or by two tabs at once) makes one account."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from porch.actors import Actor
from porch.clock import Clock
from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.events import InviteChanged
from porch.operators.service import Operator, OperatorError, OperatorService, check_role
from porch.operators.tables import operator_invites, operators

LIFETIME = timedelta(days=7)
MAX_TOKEN = 100
INVITE_PATH = "/panel/invite"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invite:
    id: int
    email: str
    role: str
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class NewInvite:
    token: str
    """For the link only: never stored, cannot be read back."""
    invite: Invite

    def link(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{INVITE_PATH}/{self.token}"


class InviteService:
    def __init__(
        self,
        db: Database,
        operators: OperatorService,
        clock: Clock,
        events: EventBus | None = None,
    ) -> None:
        self.db = db
        self.operators = operators
        self.clock = clock
        self.events = events or EventBus()

    async def create(self, email: str, role: str, by: Actor | None = None) -> NewInvite:
        """An invitation link for `email` (OperatorError if not an address or already an
        operator); published as `operator.invite` (created) for the audit log."""
        email = email.strip().lower()
        if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
            raise OperatorError(f"not an email address: {email!r}")
        checked = check_role(role)
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        expires_at = now + LIFETIME
        values = {
            "token_hash": token_hash(token),
            "email": email,
            "role": checked,
            "invited_by": by.id if by is not None and by.kind == "operator" else None,
            "created_at": now,
            "expires_at": expires_at,
        }
        async with self.events.transaction(self.db) as unit:
            conn = unit.conn
            if await conn.scalar(sa.select(operators.c.id).where(operators.c.email == email)):
                raise OperatorError(f"an operator with email {email} already exists")
            new_id = (
                await conn.execute(
                    operator_invites.insert().values(values).returning(operator_invites.c.id)
                )
            ).scalar_one()
            await unit.record(InviteChanged(new_id, email, checked, "created", _who(by)))
        return NewInvite(token, Invite(new_id, email, checked, expires_at))

    async def pending(self) -> list[Invite]:
        """Invitations not used yet and not expired, newest first."""
        table = operator_invites
        query = (
            sa.select(table)
            .where(table.c.used_at.is_(None))
            .where(table.c.expires_at > self.clock.now())
            .order_by(table.c.id.desc())
        )
        async with self.db.connect() as conn:
            rows = await conn.execute(query)
        return [Invite(r.id, r.email, r.role, r.expires_at, r.used_at) for r in rows]

    async def peek(self, token: str) -> Invite | None:
        """The invitation behind a link, if it can still be used."""
        if not token or len(token) > MAX_TOKEN:
            return None
        table = operator_invites
        async with self.db.connect() as conn:
            row = (
                await conn.execute(sa.select(table).where(table.c.token_hash == token_hash(token)))
            ).first()
        if row is None or row.used_at is not None or row.expires_at <= self.clock.now():
            return None
        return Invite(row.id, row.email, row.role, row.expires_at)

    async def accept(self, token: str, name: str, password: str) -> Operator:
        """Use the invitation: the account, with the invited email and role. OperatorError
        when the link is unknown, used or expired, or the name or password won't do."""
        if not token or len(token) > MAX_TOKEN:
            raise OperatorError("this invitation link is not valid")
        now = self.clock.now()
        table = operator_invites
        async with self.db.begin() as conn:
            used = (
                await conn.execute(
                    table.update()
                    .where(table.c.token_hash == token_hash(token))
                    .where(table.c.used_at.is_(None))
                    .where(table.c.expires_at > now)
                    .values(used_at=now)
                    .returning(table.c.email, table.c.role)
                )
            ).first()
            if used is None:
                raise OperatorError("this invitation was already used, or it has expired")
            return await self.operators.create_in(conn, used.email, name, password, used.role)

    async def revoke(self, invite_id: int, by: Actor | None = None) -> None:
        """Cancel an unused invitation (its link stops working)."""
        table = operator_invites
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            revoked = (
                await unit.conn.execute(
                    table.update()
                    .where(table.c.id == invite_id)
                    .where(table.c.used_at.is_(None))
                    .where(table.c.expires_at > now)  # revoked or expired already: no change
                    .values(expires_at=now)
                    .returning(table.c.email, table.c.role)
                )
            ).first()
            if revoked is not None:
                change = InviteChanged(invite_id, revoked.email, revoked.role, "revoked", _who(by))
                await unit.record(change)


def _who(by: Actor | None) -> Actor:
    return by or Actor.system("porch operator")
