"""/contacts: the people on the key's site (visitors), searched, changed, merged,
exported and erased."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from porch import wire
from porch.api import queries
from porch.api.contacts import ContactActions
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError, not_found
from porch.api.pagination import PageQuery, page
from porch.api.v1.schemas import (
    ApiId,
    Contact,
    ContactExport,
    Email,
    Input,
    Name,
    PropertyKey,
    PropertyValue,
    SearchText,
)
from porch.visitors.properties import PropertyDefinitions

TAG = "contacts"
Properties = Annotated[dict[PropertyKey, PropertyValue], Field(max_length=50)]


class ContactsQuery(PageQuery):
    email: Email | None = None
    """Exactly this address (any case)."""
    name: SearchText | None = None
    """Names containing this (any case)."""
    property: SearchText | None = None
    """`key:value`: contacts whose property `key` is the text `value`."""

    @field_validator("property")
    @classmethod
    def _pair(cls, value: str | None) -> str | None:
        if value is not None and ":" not in value:
            raise ValueError("write property=key:value")
        return value


class ContactCreate(Input):
    name: Name | None = None
    email: Email | None = None
    properties: Properties = Field(default_factory=dict)


class ContactUpdate(Input):
    """Only what is given changes; properties are merged into the stored ones."""

    name: Name | None = None
    email: Email | None = None
    properties: Properties | None = None


class ContactMerge(Input):
    from_contact_id: ApiId
    """This contact's conversations and page views move into the one in the path, and it
    is removed."""


def install(api: Api, definitions: PropertyDefinitions) -> None:
    actions = ContactActions(api.services.db, api.services.events)

    async def check_types(call: Call, properties: dict[str, Any] | None) -> None:
        wrong = await definitions.check(call.site_id, properties or {})
        if wrong is not None:
            message = "not of the type its definition gives (GET /contact-properties)"
            raise ApiError(422, message, field=f"body.properties.{wrong}")

    async def load(call: Call) -> Any:
        async with call.services.db.connect() as conn:
            found = await queries.contact(conn, call.site_id, call.ids["contact_id"])
        if found is None:
            raise not_found("contact")
        return found

    async def list_contacts(call: Call) -> Reply:
        q: ContactsQuery = call.query
        prop = tuple(q.property.split(":", 1)) if q.property else None
        async with call.services.db.connect() as conn:
            found = await queries.contacts(
                conn, call.site_id, q.limit, q.before_id, email=q.email, name=q.name,
                prop=prop,  # type: ignore[arg-type]
            )  # fmt: skip
        return page([wire.contact(v) for v in found], q.limit, len(found) > q.limit)

    async def get_contact(call: Call) -> Reply:
        return wire.contact(await load(call))

    async def create_contact(call: Call) -> Reply:
        body: ContactCreate = call.body
        await check_types(call, body.properties)
        made = await actions.create(call.site_id, body.name, body.email, body.properties)
        return wire.contact(made)

    async def update_contact(call: Call) -> Reply:
        body: ContactUpdate = call.body
        found = await load(call)
        await check_types(call, body.properties)
        changed = await call.services.visitors.update(
            found.id, name=body.name, email=body.email, attributes=body.properties
        )
        return wire.contact(changed)

    async def erase_contact(call: Call) -> Reply:
        await actions.erase((await load(call)).id, call.actor)
        return None

    async def export_contact(call: Call) -> Reply:
        return await actions.export((await load(call)).id)

    async def merge_contact(call: Call) -> Reply:
        body: ContactMerge = call.body
        into = await load(call)
        async with call.services.db.connect() as conn:
            other = await queries.contact(conn, call.site_id, body.from_contact_id)
        if other is None:
            raise ApiError(404, "no such contact", field="body.from_contact_id")
        return wire.contact(await actions.merge(into.id, other.id))

    one = "/contacts/{contact_id}"
    api.add(
        Operation("GET", "/contacts", list_contacts, "List and search contacts", TAG,
                  query=ContactsQuery, response=Contact, paged=True),
        Operation("POST", "/contacts", create_contact, "Add a contact", TAG, "write",
                  body=ContactCreate, response=Contact, status=201),
        Operation("GET", one, get_contact, "Get a contact", TAG, response=Contact),
        Operation("PATCH", one, update_contact, "Change a contact", TAG, "write",
                  body=ContactUpdate, response=Contact),
        Operation("DELETE", one, erase_contact,
                  "Erase a contact with their conversations (privacy erasure)", TAG, "write",
                  status=204),
        Operation("GET", one + "/export", export_contact,
                  "Export everything stored about a contact", TAG, response=ContactExport),
        Operation("POST", one + "/merge", merge_contact, "Merge another contact into this one",
                  TAG, "write", body=ContactMerge, response=Contact),
    )  # fmt: skip
