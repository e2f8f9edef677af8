"""Flow documents per site, with every version kept: create, edit, enable, disable,
duplicate, import, export. The panel's builder edits documents through this."""

from __future__ import annotations

import builtins
import copy
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.clock import Clock
from porch.db.engine import Database
from porch.errors import NotFound
from porch.events import EventBus
from porch.flows import documents
from porch.flows.events import FlowChanged
from porch.flows.models import Flow, FlowVersion
from porch.flows.tables import flow_versions, flows

CLI = Actor.system("cli")


class FlowStore:
    def __init__(self, db: Database, events: EventBus, clock: Clock) -> None:
        self.db = db
        self.events = events
        self.clock = clock

    async def create(
        self,
        site_id: int,
        document: Any,
        actor: Actor = CLI,
        *,
        enabled: bool = False,
        template: str | None = None,
    ) -> Flow:
        """A new flow from a document (checked; `DocumentError` names the path)."""
        checked = documents.check(document)
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            values = {
                **_columns(checked),
                "site_id": site_id,
                "enabled": enabled,
                "version": 1,
                "template": template,
                "created_at": now,
                "updated_at": now,
            }
            result = await unit.conn.execute(flows.insert().values(values))
            key = result.inserted_primary_key
            assert key is not None
            await _keep_version(unit.conn, key[0], 1, checked, actor, now)
            flow = await _flow_or_raise(unit.conn, key[0])
            await unit.record(FlowChanged(flow, actor))
        return flow

    async def save(self, flow_id: int, document: Any, actor: Actor = CLI) -> Flow:
        """A new version of the flow's document (runs already started finish on theirs)."""
        checked = documents.check(document)
        now = self.clock.now()
        async with self.events.transaction(self.db) as unit:
            flow = await _flow_or_raise(unit.conn, flow_id)
            version = flow.version + 1
            values = {**_columns(checked), "version": version, "updated_at": now}
            await unit.conn.execute(flows.update().where(flows.c.id == flow_id).values(values))
            await _keep_version(unit.conn, flow_id, version, checked, actor, now)
            flow = await _flow_or_raise(unit.conn, flow_id)
            await unit.record(FlowChanged(flow, actor))
        return flow

    async def set_enabled(self, flow_id: int, enabled: bool, actor: Actor = CLI) -> Flow:
        async with self.events.transaction(self.db) as unit:
            await _flow_or_raise(unit.conn, flow_id)
            update = flows.update().where(flows.c.id == flow_id)
            await unit.conn.execute(update.values(enabled=enabled, updated_at=self.clock.now()))
            flow = await _flow_or_raise(unit.conn, flow_id)
            await unit.record(FlowChanged(flow, actor))
        return flow

    async def duplicate(self, flow_id: int, actor: Actor = CLI) -> Flow:
        """A disabled copy named "… (copy)"."""
        original = await self.get(flow_id)
        document = copy.deepcopy(original.document)
        document["name"] = f"{document['name']} (copy)"[:200]
        return await self.create(original.site_id, document, actor)

    async def delete(self, flow_id: int, actor: Actor = CLI) -> None:
        async with self.events.transaction(self.db) as unit:
            flow = await _flow_or_raise(unit.conn, flow_id)
            await unit.conn.execute(flows.delete().where(flows.c.id == flow_id))
            await unit.record(FlowChanged(flow, actor, deleted=True))

    async def get(self, flow_id: int) -> Flow:
        async with self.db.connect() as conn:
            return await _flow_or_raise(conn, flow_id)

    async def find(self, flow_id: int) -> Flow | None:
        async with self.db.connect() as conn:
            return await flow(conn, flow_id)

    async def list(self, site_id: int) -> list[Flow]:
        query = flows.select().where(flows.c.site_id == site_id).order_by(flows.c.id)
        async with self.db.connect() as conn:
            return [Flow(**row._mapping) for row in await conn.execute(query)]

    async def versions(self, flow_id: int) -> builtins.list[FlowVersion]:
        query = (
            sa.select(
                flow_versions.c.flow_id,
                flow_versions.c.version,
                flow_versions.c.document,
                flow_versions.c.actor_kind,
                flow_versions.c.actor_name,
                flow_versions.c.created_at,
            )
            .where(flow_versions.c.flow_id == flow_id)
            .order_by(flow_versions.c.version)
        )
        async with self.db.connect() as conn:
            return [FlowVersion(**row._mapping) for row in await conn.execute(query)]

    async def version(self, flow_id: int, version: int) -> dict[str, Any] | None:
        """The document of one version (a run keeps the version it started on)."""
        query = sa.select(flow_versions.c.document).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.version == version
        )
        async with self.db.connect() as conn:
            document: dict[str, Any] | None = await conn.scalar(query)
        return document

    async def export(self, flow_id: int) -> dict[str, Any]:
        """The current document, as `import` takes it back."""
        return (await self.get(flow_id)).document

    async def import_(self, site_id: int, text: str | bytes, actor: Actor = CLI) -> Flow:
        """A new (disabled) flow from an exported document."""
        return await self.create(site_id, documents.parse(text), actor)

    async def enabled(self, site_id: int) -> builtins.list[Flow]:
        """The site's enabled flows, highest priority first."""
        query = (
            flows.select()
            .where(flows.c.site_id == site_id, flows.c.enabled.is_(True))
            .order_by(flows.c.priority.desc(), flows.c.id)
        )
        async with self.db.connect() as conn:
            return [Flow(**row._mapping) for row in await conn.execute(query)]


def _columns(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": document["name"],
        "trigger_type": documents.trigger_type(document),
        "priority": documents.priority(document),
        "document": document,
    }


async def _keep_version(
    conn: AsyncConnection,
    flow_id: int,
    version: int,
    document: dict[str, Any],
    actor: Actor,
    now: Any,
) -> None:
    await conn.execute(
        flow_versions.insert().values(
            flow_id=flow_id,
            version=version,
            document=document,
            actor_kind=actor.kind,
            actor_name=actor.name or actor.kind,
            created_at=now,
        )
    )


async def flow(conn: AsyncConnection, flow_id: int) -> Flow | None:
    row = (await conn.execute(flows.select().where(flows.c.id == flow_id))).first()
    return Flow(**row._mapping) if row else None


async def _flow_or_raise(conn: AsyncConnection, flow_id: int) -> Flow:
    found = await flow(conn, flow_id)
    if found is None:
        raise NotFound(f"no flow {flow_id}")
    return found
