"""/contact-properties: the definitions of the custom properties contacts carry."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from porch.api.edge import Api, Call, Operation, Reply
from porch.api.pagination import PageQuery, page
from porch.api.v1.schemas import Input, PropertyKey
from porch.api.v1.schemas import PropertyDefinition as Shape
from porch.text import TextOnly
from porch.visitors.properties import PropertyDefinition, PropertyDefinitions

TAG = "contact properties"
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), TextOnly]


class DefinitionCreate(Input):
    key: PropertyKey
    type: Literal["text", "number", "boolean"] = "text"
    label: Label = ""


class DefinitionUpdate(Input):
    label: Label


def shape(d: PropertyDefinition) -> dict[str, object]:
    return {
        "id": d.id,
        "key": d.key,
        "label": d.label,
        "type": d.type,
        "created_at": d.created_at.isoformat(),
    }


def install(api: Api, definitions: PropertyDefinitions) -> None:
    async def list_definitions(call: Call) -> Reply:
        q: PageQuery = call.query
        found = await definitions.list(call.site_id)
        shown = [d for d in found if q.before_id is None or d.id < q.before_id]
        return page([shape(d) for d in shown[: q.limit + 1]], q.limit, len(shown) > q.limit)

    async def create(call: Call) -> Reply:
        body: DefinitionCreate = call.body
        return shape(await definitions.create(call.site_id, body.key, body.label, body.type))

    async def get(call: Call) -> Reply:
        return shape(await definitions.get(call.site_id, call.ids["property_id"]))

    async def update(call: Call) -> Reply:
        body: DefinitionUpdate = call.body
        return shape(await definitions.update(call.site_id, call.ids["property_id"], body.label))

    async def delete(call: Call) -> Reply:
        await definitions.delete(call.site_id, call.ids["property_id"])
        return None

    one = "/contact-properties/{property_id}"
    api.add(
        Operation("GET", "/contact-properties", list_definitions, "List contact properties",
                  TAG, query=PageQuery, response=Shape, paged=True),
        Operation("POST", "/contact-properties", create, "Define a contact property", TAG,
                  "write", body=DefinitionCreate, response=Shape, status=201),
        Operation("GET", one, get, "Get a contact property", TAG, response=Shape),
        Operation("PATCH", one, update, "Relabel a contact property", TAG, "write",
                  body=DefinitionUpdate, response=Shape),
        Operation("DELETE", one, delete, "Remove a contact property's definition (contacts "
                  "keep their values)", TAG, "write", status=204),
    )  # fmt: skip
