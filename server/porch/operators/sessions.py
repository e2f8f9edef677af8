"""Operator sign-in sessions: one row per signed-in browser, so signing out really ends it.

The browser holds a random token (inside the signed cookie, see `porch.panel.sessions`);
the table holds only its sha256, so reading the table does not give anyone a live session.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.events import EventBus
from porch.operators.events import SessionsRevoked
from porch.operators.service import Operator
from porch.operators.tables import operator_sessions, operators

LIFETIME = timedelta(days=14)
SLIDE_EVERY = timedelta(minutes=1)
"""`last_seen_at` is written at most this often per session (not on every request)."""
MAX_USER_AGENT = 300
MAX_IP = 64
MAX_TOKEN = 100


def session_id(token: str) -> str:
    """The stored id of the session whose cookie token is `token`."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class OperatorSession:
    id: str
    operator: Operator
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str


@dataclass(frozen=True)
class NewSession:
    token: str
    """For the cookie only: it is never stored and cannot be read back."""
    session: OperatorSession


class SessionStore:
    def __init__(
        self,
        db: Database,
        events: EventBus,
        lifetime: timedelta = LIFETIME,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.events = events
        self.lifetime = lifetime
        self.clock = clock

    async def create(self, operator: Operator, user_agent: str = "", ip: str = "") -> NewSession:
        """A new session for `operator`; their expired ones are cleared out on the way."""
        now = self.clock()
        token = secrets.token_urlsafe(32)
        row = {
            "id": session_id(token),
            "operator_id": operator.id,
            "csrf_token": secrets.token_urlsafe(32),
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + self.lifetime,
            "user_agent": user_agent[:MAX_USER_AGENT],
            "ip": ip[:MAX_IP],
        }
        table = operator_sessions
        async with self.db.begin() as conn:
            await conn.execute(
                table.delete()
                .where(table.c.operator_id == operator.id)
                .where(table.c.expires_at <= now)
            )
            await conn.execute(table.insert().values(row))
        return NewSession(token, _to_session(row, operator))

    async def resolve(self, token: str) -> OperatorSession | None:
        """The live session behind a cookie token: None when unknown, revoked or expired."""
        if not token or len(token) > MAX_TOKEN:
            return None
        now = self.clock()
        table = operator_sessions
        query = (
            sa.select(
                table,
                operators.c.email,
                operators.c.name,
                operators.c.role,
                operators.c.avatar_digest,
            )
            .join(operators, operators.c.id == table.c.operator_id)
            .where(table.c.id == session_id(token))
            .where(operators.c.deactivated_at.is_(None))  # deactivated: signed out everywhere
        )
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.expires_at <= now:
            return None
        values = dict(row._mapping)
        if now - row.last_seen_at >= SLIDE_EVERY:
            values["last_seen_at"] = now
            async with self.db.begin() as conn:
                await conn.execute(
                    table.update().where(table.c.id == row.id).values(last_seen_at=now)
                )
        operator = Operator(
            id=row.operator_id,
            email=row.email,
            name=row.name,
            role=row.role,
            avatar_digest=row.avatar_digest,
        )
        return _to_session(values, operator)

    async def revoke(self, session: OperatorSession) -> None:
        """End one session (sign-out); its open sockets are told to go."""
        async with self.db.begin() as conn:
            await conn.execute(
                operator_sessions.delete().where(operator_sessions.c.id == session.id)
            )
        await self.events.publish(SessionsRevoked(session.operator.id, (session.id,)))

    async def revoke_all_for_operator(self, operator_id: int) -> int:
        """End every session of an operator (e.g. after a password change); how many."""
        table = operator_sessions
        async with self.db.begin() as conn:
            deleted = await conn.execute(
                table.delete().where(table.c.operator_id == operator_id).returning(table.c.id)
            )
            ids = tuple(deleted.scalars())
        if ids:
            await self.events.publish(SessionsRevoked(operator_id, ids))
        return len(ids)


_STORED = ("id", "csrf_token", "created_at", "last_seen_at", "expires_at", "user_agent", "ip")


def _to_session(values: Mapping[str, Any], operator: Operator) -> OperatorSession:
    return OperatorSession(operator=operator, **{name: values[name] for name in _STORED})
