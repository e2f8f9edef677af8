"""Contact property definitions: the custom properties a site keeps on its contacts, each
with a label and a type (text, number, boolean). A defined property's values must be of
its type wherever the API sets them (the REST API's /contact-properties and contacts);
undefined ones stay free-form."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from porch.clock import Clock
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.visitors.tables import contact_properties

PropertyType = Literal["text", "number", "boolean"]
MAX_DEFINITIONS = 100


@dataclass(frozen=True)
class PropertyDefinition:
    id: int
    site_id: int
    key: str
    label: str
    type: PropertyType
    created_at: datetime

    def accepts(self, value: Any) -> bool:
        if self.type == "boolean":
            return isinstance(value, bool)
        if self.type == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(value, str)


def _definition(row: sa.Row[Any]) -> PropertyDefinition:
    return PropertyDefinition(row.id, row.site_id, row.key, row.label, row.type, row.created_at)


class PropertyDefinitions:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def list(self, site_id: int) -> builtins.list[PropertyDefinition]:
        query = sa.select(contact_properties).where(contact_properties.c.site_id == site_id)
        async with self.db.connect() as conn:
            rows = await conn.execute(query.order_by(contact_properties.c.id.desc()))
            return [_definition(row) for row in rows]

    async def get(self, site_id: int, definition_id: int) -> PropertyDefinition:
        for found in await self.list(site_id):
            if found.id == definition_id:
                return found
        raise NotFound(f"no contact property {definition_id}")

    async def create(self, site_id: int, key: str, label: str, kind: str) -> PropertyDefinition:
        existing = await self.list(site_id)
        if any(d.key == key for d in existing):
            raise Invalid(f"the property {key!r} is defined already")
        if len(existing) >= MAX_DEFINITIONS:
            raise Invalid(f"a site has at most {MAX_DEFINITIONS} contact properties")
        values = {
            "site_id": site_id,
            "key": key,
            "label": label or key,
            "type": kind,
            "created_at": self.clock.now(),
        }
        async with self.db.begin() as conn:
            insert = contact_properties.insert().values(values).returning(contact_properties)
            return _definition((await conn.execute(insert)).one())

    async def update(self, site_id: int, definition_id: int, label: str) -> PropertyDefinition:
        await self.get(site_id, definition_id)
        async with self.db.begin() as conn:
            update = contact_properties.update().where(contact_properties.c.id == definition_id)
            await conn.execute(update.values(label=label))
        return await self.get(site_id, definition_id)

    async def delete(self, site_id: int, definition_id: int) -> None:
        await self.get(site_id, definition_id)
        async with self.db.begin() as conn:
            delete = contact_properties.delete().where(contact_properties.c.id == definition_id)
            await conn.execute(delete)

    async def check(self, site_id: int, values: dict[str, Any]) -> str | None:
        """The first key whose value is not of its defined type (None: all fit)."""
        if not values:
            return None
        types = {d.key: d for d in await self.list(site_id)}
        for key, value in values.items():
            if key in types and not types[key].accepts(value):
                return key
        return None
