"""/ticket-fields and /ticket-templates: the custom fields and templates the site's admins
made (docs/tickets.md); a ticket's field values, and tickets made from a template."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from porch.api import queries
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError
from porch.api.pagination import PageQuery, page_in_memory
from porch.api.v1.schemas import (
    ApiId,
    Input,
    Ticket,
    TicketField,
    TicketFieldValue,
    TicketTemplate,
)
from porch.errors import NotFound
from porch.text import TextOnly
from porch.tickets import catalog
from porch.tickets.models import CustomField, Template
from porch.tickets.service import TicketService

TAG = "tickets"
FieldId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,9}$")]
Value = Annotated[str, StringConstraints(max_length=catalog.MAX_VALUE), TextOnly]


class FieldValues(Input):
    values: Annotated[dict[FieldId, Value], Field(min_length=1, max_length=50)]
    """By field id (GET /ticket-fields); an empty value clears one."""


class FromTemplate(Input):
    template_id: ApiId
    contact_id: ApiId | None = None
    conversation_id: ApiId | None = None

    @model_validator(mode="after")
    def _requester(self) -> FromTemplate:
        if (self.contact_id is None) == (self.conversation_id is None):
            raise ValueError("give contact_id or conversation_id, not both")
        return self


def shape_field(f: CustomField) -> dict[str, Any]:
    return {"id": f.id, "name": f.name, "kind": f.kind, "options": list(f.options)}


def shape_template(t: Template) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "subject": t.subject,
        "priority": t.priority,
        "tags": list(t.tags),
        "fields": dict(t.fields),
        "note": t.note,
    }


def install(api: Api, tickets: TicketService, shape: Any) -> None:
    """`shape`: the tickets module's (tickets with their SLA state)."""
    services = api.services

    async def site_ticket(call: Call) -> int:
        async with services.db.connect() as conn:
            site_id = await queries.ticket_site(conn, call.ids["ticket_id"])
        if site_id != call.site_id:
            raise NotFound("no such ticket")
        return call.ids["ticket_id"]

    async def values_of(call: Call, ticket_id: int) -> Reply:
        async with services.db.connect() as conn:
            known = await catalog.fields(conn, call.site_id)
        stored = await tickets.field_values(ticket_id)
        items = [
            {"field_id": f.id, "name": f.name, "value": stored[f.id]}
            for f in known
            if f.id in stored
        ]
        return {"data": items, "meta": {"next_cursor": None}}

    async def list_fields(call: Call) -> Reply:
        async with services.db.connect() as conn:
            found = await catalog.fields(conn, call.site_id)
        return page_in_memory(found, call.query, shape_field)

    async def list_templates(call: Call) -> Reply:
        async with services.db.connect() as conn:
            found = await catalog.templates(conn, call.site_id)
        return page_in_memory(found, call.query, shape_template)

    async def get_values(call: Call) -> Reply:
        return await values_of(call, await site_ticket(call))

    async def set_values(call: Call) -> Reply:
        body: FieldValues = call.body
        ticket_id = await site_ticket(call)
        values = {int(key): value for key, value in body.values.items()}
        await tickets.set_fields(ticket_id, call.actor, values)
        return await values_of(call, ticket_id)

    async def from_template(call: Call) -> Reply:
        body: FromTemplate = call.body
        async with services.db.connect() as conn:
            try:
                template = await catalog.template(conn, body.template_id)
            except NotFound:
                template = None
            if template is None or template.site_id != call.site_id:
                raise ApiError(404, "no such template", field="body.template_id")
            if body.contact_id is not None:
                if await queries.contact(conn, call.site_id, body.contact_id) is None:
                    raise ApiError(404, "no such contact", field="body.contact_id")
            elif await queries.conversation_site(conn, body.conversation_id or 0) != call.site_id:
                raise ApiError(404, "no such conversation", field="body.conversation_id")
        made = await tickets.create_from_template(
            template.id, call.actor, conversation_id=body.conversation_id,
            visitor_id=body.contact_id,
        )  # fmt: skip
        return (await shape(made))[0]  # type: ignore[no-any-return]

    one = "/tickets/{ticket_id}/fields"
    api.add(
        Operation("GET", "/ticket-fields", list_fields, "List the site's custom ticket fields",
                  TAG, query=PageQuery, response=TicketField, paged=True),
        Operation("GET", "/ticket-templates", list_templates, "List the site's ticket "
                  "templates", TAG, query=PageQuery, response=TicketTemplate, paged=True),
        Operation("POST", "/tickets/from-template", from_template,
                  "Create a ticket from a template", TAG, "write", body=FromTemplate,
                  response=Ticket, status=201),
        Operation("GET", one, get_values, "A ticket's custom field values", TAG,
                  response=TicketFieldValue, paged=True),
        Operation("POST", one, set_values, "Set a ticket's custom field values", TAG,
                  "write", body=FieldValues, response=TicketFieldValue, paged=True),
    )  # fmt: skip
