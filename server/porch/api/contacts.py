"""Contact changes the API offers that the widget's session path has no use for: add a
contact by hand, merge two, export or erase one (reusing `porch.visitors.privacy` and the
identity merge of `porch.visitors.contacts`). Each commits, then publishes its fact."""

from __future__ import annotations

import dataclasses
from typing import Any

from porch.actors import Actor
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.errors import Invalid
from porch.events import EventBus
from porch.tickets.service import move_requester
from porch.visitors import contacts as identity
from porch.visitors import privacy
from porch.visitors import queries as visitor_queries
from porch.visitors.events import VisitorsErased, VisitorUpdated
from porch.visitors.models import Visitor
from porch.visitors.names import friendly_name
from porch.visitors.service import MAX_ATTRIBUTES
from porch.visitors.tables import visitors


class ContactActions:
    def __init__(self, db: Database, events: EventBus) -> None:
        self.db = db
        self.events = events

    async def create(
        self, site_id: int, name: str | None, email: str | None, properties: dict[str, Any]
    ) -> Visitor:
        if len(properties) > MAX_ATTRIBUTES:
            raise Invalid(f"a contact has at most {MAX_ATTRIBUTES} properties")
        now = utcnow()
        values = {
            "site_id": site_id,
            "name": name or friendly_name(),
            "email": email,
            "attributes": properties,
            "first_seen_at": now,
            "last_seen_at": now,
        }
        async with self.events.transaction(self.db) as unit:
            result = await unit.conn.execute(visitors.insert().values(values))
            new_id = result.inserted_primary_key
            assert new_id is not None
            contact = await visitor_queries.visitor(unit.conn, new_id[0])
            assert contact is not None
            await unit.record(VisitorUpdated(contact))
        return contact

    async def erase(self, contact_id: int, actor: Actor | None = None) -> None:
        async with self.events.transaction(self.db) as unit:
            erased = await privacy.erase_visitors(unit.conn, [contact_id])
            await unit.record(dataclasses.replace(erased, actor=actor))

    async def export(self, contact_id: int) -> dict[str, Any]:
        async with self.db.connect() as conn:
            return await privacy.export(conn, [contact_id])

    async def merge(self, into_id: int, from_id: int) -> Visitor:
        """`from_id`'s conversations, page views and tickets move to `into_id`, which takes
        the properties it lacks; then `from_id` is gone (`porch.visitors.contacts.merge`)."""
        async with self.events.transaction(self.db) as unit:
            await move_requester(unit.conn, from_id, into_id)  # undone if the merge fails
            merged = await identity.merge(unit.conn, from_id, into_id)
            await unit.record(VisitorUpdated(merged))
            await unit.record(VisitorsErased((from_id,), ()))
        return merged
