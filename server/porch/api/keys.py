"""API keys: `porch_…` bearer tokens scoped to one site and to read or write.

A token is shown once, when it is made; only its SHA-256 is stored (a token is 256 random
bits, so a slow password hash would add nothing but a cost on every request). The panel
and `porch api-key list` tell keys apart by name and a short prefix.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from porch.actors import Actor
from porch.api.events import ApiKeyCreated, ApiKeyEvent, ApiKeyRevoked
from porch.api.tables import api_keys
from porch.clock import Clock
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.events import EventBus

Scope = Literal["read", "write"]
SCOPES: tuple[Scope, ...] = ("read", "write")
TOKEN_PREFIX = "porch_"
MAX_NAME = 100
LAST_USED_EVERY = timedelta(minutes=1)
"""`last_used_at` is written at most this often per key: not one write per request."""


@dataclass(frozen=True)
class ApiKey:
    id: int
    site_id: int
    name: str
    scope: Scope
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def can_write(self) -> bool:
        return self.scope == "write"


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str
    """The whole token: shown once, never stored."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _key(row: sa.Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        site_id=row.site_id,
        name=row.name,
        scope=row.scope,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class KeyService:
    def __init__(self, db: Database, clock: Clock, events: EventBus | None = None) -> None:
        self.db = db
        self.clock = clock
        self.events = events or EventBus()
        """Where `api_key.created` / `api_key.revoked` go (the audit log's job)."""

    async def create(
        self, site_id: int, name: str, scope: str = "read", actor: Actor | None = None
    ) -> NewKey:
        name = name.strip()
        if not 0 < len(name) <= MAX_NAME or "\x00" in name:
            raise Invalid(f"a key's name is 1 to {MAX_NAME} characters")
        if scope not in SCOPES:
            raise Invalid("a key's scope is read or write")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        values = {
            "site_id": site_id,
            "name": name,
            "scope": scope,
            "prefix": token[: len(TOKEN_PREFIX) + 6],
            "token_hash": token_hash(token),
            "created_at": self.clock.now(),
        }
        async with self.events.transaction(self.db) as unit:
            result = await unit.conn.execute(api_keys.insert().values(values).returning(api_keys))
            made = _key(result.one())
            await unit.record(_fact(ApiKeyCreated, made, actor))
        return NewKey(made, token)

    async def list(self, site_id: int | None = None) -> list[ApiKey]:
        query = sa.select(api_keys).order_by(api_keys.c.id)
        if site_id is not None:
            query = query.where(api_keys.c.site_id == site_id)
        async with self.db.connect() as conn:
            return [_key(row) for row in await conn.execute(query)]

    async def revoke(
        self, key_id: int, site_id: int | None = None, actor: Actor | None = None
    ) -> ApiKey:
        where = [api_keys.c.id == key_id]
        if site_id is not None:
            where.append(api_keys.c.site_id == site_id)
        async with self.events.transaction(self.db) as unit:
            row = (await unit.conn.execute(sa.select(api_keys).where(*where))).first()
            if row is None:
                raise NotFound(f"no API key {key_id}")
            if row.revoked_at is None:
                update = api_keys.update().where(api_keys.c.id == key_id)
                await unit.conn.execute(update.values(revoked_at=self.clock.now()))
                row = (await unit.conn.execute(sa.select(api_keys).where(*where))).one()
                await unit.record(_fact(ApiKeyRevoked, _key(row), actor))
        return _key(row)

    async def authenticate(self, token: str) -> ApiKey | None:
        """The live key this token is (None: unknown or revoked); notes its use."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        query = sa.select(api_keys).where(api_keys.c.token_hash == token_hash(token))
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.revoked_at is not None:
            return None
        key = _key(row)
        now = self.clock.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
            async with self.db.begin() as conn:
                update = api_keys.update().where(api_keys.c.id == key.id)
                await conn.execute(update.values(last_used_at=now))
        return key


def _fact(kind: type[ApiKeyEvent], key: ApiKey, actor: Actor | None) -> ApiKeyEvent:
    who = actor or Actor.system("porch api-key")  # the command line names nobody
    return kind(key.id, key.site_id, key.name, key.scope, who)
