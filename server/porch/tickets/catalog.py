"""What a site's admin defines for its tickets: custom fields (text, number, select,
date), custom statuses (each mapped to a built-in one) and templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.canned.tables import canned_replies
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.tickets.models import (
    FIELD_KINDS,
    PRIORITIES,
    STATUSES,
    CustomField,
    CustomStatus,
    Template,
)
from porch.tickets.tables import ticket_fields, ticket_statuses, ticket_templates

MAX_NAME = 80
MAX_STATUS = 40
MAX_OPTIONS = 50
MAX_VALUE = 500
MAX_NOTE = 20_000


def _name(name: str, limit: int = MAX_NAME) -> str:
    name = name.strip()
    if not 0 < len(name) <= limit:
        raise Invalid(f"a name has 1 to {limit} characters")
    return name


def check_value(field: CustomField, value: str) -> str:
    """A value as stored (text), refused when it does not fit the field's kind."""
    value = value.strip()
    if len(value) > MAX_VALUE:
        raise Invalid(f"{field.name}: at most {MAX_VALUE} characters")
    if not value or field.kind == "text":
        return value
    if field.kind == "number":
        try:
            float(value)
        except ValueError:
            raise Invalid(f"{field.name} is a number") from None
    elif field.kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"{field.name} is a date, YYYY-MM-DD") from None
    elif value not in field.options:
        raise Invalid(f"{field.name} is one of: {', '.join(field.options)}")
    return value


async def fields(conn: AsyncConnection, site_id: int) -> list[CustomField]:
    query = (
        ticket_fields.select()
        .where(ticket_fields.c.site_id == site_id)
        .order_by(ticket_fields.c.position, ticket_fields.c.id)
    )
    return [
        CustomField(**{**row._mapping, "options": list(row.options or [])})
        for row in await conn.execute(query)
    ]


async def statuses(conn: AsyncConnection, site_id: int) -> list[CustomStatus]:
    query = (
        ticket_statuses.select()
        .where(ticket_statuses.c.site_id == site_id)
        .order_by(ticket_statuses.c.id)
    )
    return [CustomStatus(**row._mapping) for row in await conn.execute(query)]


async def templates(conn: AsyncConnection, site_id: int) -> list[Template]:
    query = (
        ticket_templates.select()
        .where(ticket_templates.c.site_id == site_id)
        .order_by(ticket_templates.c.name)
    )
    return [_template(row) for row in await conn.execute(query)]


def _template(row: sa.Row[Any]) -> Template:
    values = dict(row._mapping)
    values["tags"], values["fields"] = list(values["tags"]), dict(values["fields"])
    values["canned_ids"] = [int(i) for i in values["canned_ids"] or []]
    return Template(**values)


async def template(conn: AsyncConnection, template_id: int) -> Template:
    row = (
        await conn.execute(ticket_templates.select().where(ticket_templates.c.id == template_id))
    ).first()
    if row is None:
        raise NotFound(f"no template {template_id}")
    return _template(row)


class Catalog:
    """Adding to and reading a site's fields, statuses and templates."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def fields(self, site_id: int) -> list[CustomField]:
        async with self.db.connect() as conn:
            return await fields(conn, site_id)

    async def statuses(self, site_id: int) -> list[CustomStatus]:
        async with self.db.connect() as conn:
            return await statuses(conn, site_id)

    async def templates(self, site_id: int) -> list[Template]:
        async with self.db.connect() as conn:
            return await templates(conn, site_id)

    async def add_field(
        self, site_id: int, name: str, kind: str, options: Sequence[str] = ()
    ) -> CustomField:
        if kind not in FIELD_KINDS:
            raise Invalid(f"a field is one of: {', '.join(FIELD_KINDS)}")
        choices = list(dict.fromkeys(o.strip() for o in options if o.strip()))
        if kind == "select" and not 0 < len(choices) <= MAX_OPTIONS:
            raise Invalid(f"a select has 1 to {MAX_OPTIONS} choices")
        if any(len(choice) > MAX_VALUE for choice in choices):
            raise Invalid(f"a choice has at most {MAX_VALUE} characters")
        values: dict[str, Any] = {
            "site_id": site_id,
            "name": _name(name),
            "kind": kind,
            "options": choices if kind == "select" else [],
            "position": len(await self.fields(site_id)),
        }
        new_id = await self._insert(ticket_fields, values)
        return CustomField(id=new_id, **values)

    async def add_status(self, site_id: int, name: str, maps_to: str) -> CustomStatus:
        if maps_to not in STATUSES:
            raise Invalid(f"a status maps to one of: {', '.join(STATUSES)}")
        if name.strip() in STATUSES:
            raise Invalid("that is a built-in status")
        values: dict[str, Any] = {
            "site_id": site_id,
            "name": _name(name, MAX_STATUS),
            "maps_to": maps_to,
        }
        new_id = await self._insert(ticket_statuses, values)
        return CustomStatus(id=new_id, **values)

    async def add_template(
        self,
        site_id: int,
        name: str,
        subject: str,
        priority: str = "medium",
        tags: Sequence[str] = (),
        field_values: Mapping[int, str] | None = None,
        note: str = "",
        canned_shortcuts: Sequence[str] = (),
    ) -> Template:
        """`canned_shortcuts`: the site's shared canned replies (by `/shortcut`) suggested
        on tickets made from it."""
        if priority not in PRIORITIES:
            raise Invalid(f"no priority {priority!r}")
        subject = subject.strip()
        if not 0 < len(subject) <= 200 or len(note) > MAX_NOTE:
            raise Invalid("a template has a subject of 1 to 200 characters")
        known = {f.id: f for f in await self.fields(site_id)}
        checked = {}
        for field_id, value in (field_values or {}).items():
            if field_id not in known:
                raise NotFound(f"no field {field_id} on site {site_id}")
            checked[str(field_id)] = check_value(known[field_id], value)
        values: dict[str, Any] = {
            "site_id": site_id,
            "name": _name(name),
            "subject": subject,
            "priority": priority,
            "tags": list(dict.fromkeys(t.strip() for t in tags if t.strip())),
            "fields": checked,
            "note": note.strip(),
            "canned_ids": await self._shared_replies(site_id, canned_shortcuts),
        }
        new_id = await self._insert(ticket_templates, values)
        return Template(id=new_id, **values)

    async def _shared_replies(self, site_id: int, shortcuts: Sequence[str]) -> list[int]:
        wanted = list(dict.fromkeys(s.strip().lstrip("/") for s in shortcuts if s.strip()))
        if not wanted:
            return []
        query = sa.select(canned_replies.c.shortcut, canned_replies.c.id).where(
            canned_replies.c.site_id == site_id,
            canned_replies.c.operator_id.is_(None),
            canned_replies.c.shortcut.in_(wanted),
        )
        async with self.db.connect() as conn:
            found = {row.shortcut: int(row.id) for row in await conn.execute(query)}
        missing = [f"/{s}" for s in wanted if s not in found]
        if missing:
            raise NotFound(f"no shared canned reply {', '.join(missing)} on this site")
        return [found[s] for s in wanted]

    async def _insert(self, table: sa.Table, values: dict[str, Any]) -> int:
        try:
            async with self.db.begin() as conn:
                result = await conn.execute(table.insert().values(values).returning(table.c.id))
                return int(result.scalar_one())
        except sa.exc.IntegrityError:
            raise Invalid(f"there is already one named {values['name']!r}") from None
