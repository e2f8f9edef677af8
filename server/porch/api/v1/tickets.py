"""/tickets: what the panel's Tickets page does, through `TicketService`: list with the
views' filters, get with history, create, update, notes and replies."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from porch import wire
from porch.actors import Actor
from porch.api import queries
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError, not_found
from porch.api.pagination import PageQuery, page
from porch.api.v1 import ticket_catalog
from porch.api.v1.schemas import (
    ApiId,
    Body,
    ClientId,
    Input,
    Message,
    Ticket,
    TicketBulkResult,
    TicketHistory,
)
from porch.text import TextOnly
from porch.tickets.models import ACTIVE
from porch.tickets.models import Ticket as TicketRecord
from porch.tickets.service import UNSET, TicketService

TAG = "tickets"
RECENTLY_RESOLVED = timedelta(days=7)
Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), TextOnly
]
Description = Annotated[str, StringConstraints(max_length=20_000), TextOnly]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), TextOnly
]
Tags = Annotated[list[Tag], Field(max_length=20)]
Priority = Literal["critical", "high", "medium", "low"]
Status = Literal["open", "pending", "resolved", "closed"]


class TicketsQuery(PageQuery):
    view: Literal["unassigned", "urgent", "pending", "resolved"] | None = None
    """A built-in view of the Tickets page (`mine` is `assignee_id`)."""
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: ApiId | Literal["none"] | None = None
    contact_id: ApiId | None = None


class TicketCreate(Input):
    """For a contact (`contact_id`), or from a conversation (`conversation_id`)."""

    subject: Subject
    priority: Priority = "medium"
    description: Description = ""
    contact_id: ApiId | None = None
    conversation_id: ApiId | None = None
    tags: Tags = Field(default_factory=list)

    @model_validator(mode="after")
    def _requester(self) -> TicketCreate:
        if (self.contact_id is None) == (self.conversation_id is None):
            raise ValueError("give contact_id or conversation_id, not both")
        return self


class TicketUpdate(Input):
    """Only what is given changes; `assignee_id: null` unassigns."""

    status: Status | None = None
    priority: Priority | None = None
    assignee_id: ApiId | None = None
    tags: Tags | None = None
    subject: Subject | None = None


class TicketNote(Input):
    body: Body
    operator_id: ApiId | None = None
    """Who wrote it (else the key)."""


class TicketReply(Input):
    body: Body
    operator_id: ApiId
    client_id: ClientId | None = None


class TicketMerge(Input):
    into_ticket_id: ApiId
    """The ticket this one goes into: its conversations, notes and tags move there, and it
    closes pointing at it."""


class TicketConversation(Input):
    conversation_id: ApiId


class TicketsBulk(Input):
    """One change to many tickets, each its own change in history; `merge_into` merges
    them all into one ticket."""

    ticket_ids: Annotated[list[ApiId], Field(min_length=1, max_length=200)]
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: ApiId | None = None
    """`null` unassigns; absent: unchanged."""
    add_tag: Tag | None = None
    merge_into: ApiId | None = None


def _view_filters(q: TicketsQuery, now: object) -> dict[str, object]:
    filters: dict[str, object] = {}
    if q.view == "unassigned":
        filters = {"statuses": ACTIVE, "unassigned": True}
    elif q.view == "urgent":
        filters = {"statuses": ACTIVE, "priorities": ("critical", "high")}
    elif q.view == "pending":
        filters = {"statuses": ("pending",)}
    elif q.view == "resolved":
        filters = {"statuses": ("resolved",), "resolved_since": now}
    if q.status is not None:
        filters["statuses"] = (q.status,)
    if q.priority is not None:
        filters["priorities"] = (q.priority,)
    if isinstance(q.assignee_id, int):
        filters["assignee_id"] = q.assignee_id
    elif q.assignee_id == "none":
        filters["unassigned"] = True
    if q.contact_id is not None:
        filters["requester_id"] = q.contact_id
    return filters


def install(api: Api) -> None:
    services = api.services
    tickets = TicketService(services.db, services.events, services.clock, services.conversations)

    async def shape(*found: TicketRecord) -> list[dict[str, object]]:
        statuses = await tickets.sla_status(*found)
        return [wire.ticket(t, statuses[t.id]) for t in found]

    async def site_ticket(call: Call) -> int:
        ticket_id = call.ids["ticket_id"]
        async with services.db.connect() as conn:
            site_id = await queries.ticket_site(conn, ticket_id)
        if site_id != call.site_id:
            raise not_found("ticket")
        return ticket_id

    async def operator_actor(call: Call, operator_id: int | None) -> Actor:
        if operator_id is None:
            return call.actor
        operator = await services.operators.get(operator_id)
        if operator is None:
            raise ApiError(404, "no such operator", field="body.operator_id")
        return Actor.operator(operator.id, operator.name)

    async def list_tickets(call: Call) -> Reply:
        q: TicketsQuery = call.query
        since = services.clock.now() - RECENTLY_RESOLVED
        async with services.db.connect() as conn:
            found = await queries.tickets_page(
                conn,
                call.site_id,
                q.limit,
                q.before_id,
                **_view_filters(q, since),  # type: ignore[arg-type]
            )
        return page(await shape(*found[: q.limit]), q.limit, len(found) > q.limit)

    async def get_ticket(call: Call) -> Reply:
        return (await shape(await tickets.get(await site_ticket(call))))[0]

    async def create_ticket(call: Call) -> Reply:
        body: TicketCreate = call.body
        if body.conversation_id is not None:
            async with services.db.connect() as conn:
                site_id = await queries.conversation_site(conn, body.conversation_id)
            if site_id != call.site_id:
                raise ApiError(404, "no such conversation", field="body.conversation_id")
            made = await tickets.create_from_conversation(
                body.conversation_id, call.actor, body.subject, body.priority, body.description
            )
            if body.tags:
                made = await tickets.update(made.id, call.actor, tags=body.tags)
        else:
            assert body.contact_id is not None
            async with services.db.connect() as conn:
                contact = await queries.contact(conn, call.site_id, body.contact_id)
            if contact is None:
                raise ApiError(404, "no such contact", field="body.contact_id")
            made = await tickets.create(
                call.site_id, contact.id, body.subject, body.description, body.priority,
                call.actor, tags=body.tags,
            )  # fmt: skip
        return (await shape(made))[0]

    async def update_ticket(call: Call) -> Reply:
        body: TicketUpdate = call.body
        ticket_id = await site_ticket(call)
        changed = await tickets.update(
            ticket_id,
            call.actor,
            status=body.status,
            priority=body.priority,
            assignee_id=body.assignee_id if "assignee_id" in body.model_fields_set else UNSET,
            tags=body.tags,
            subject=body.subject,
        )
        return (await shape(changed))[0]

    async def history(call: Call) -> Reply:
        entries = await tickets.history(await site_ticket(call))
        return {"data": [wire.ticket_history(h) for h in entries], "meta": {"next_cursor": None}}

    async def add_note(call: Call) -> Reply:
        body: TicketNote = call.body
        ticket_id = await site_ticket(call)
        actor = await operator_actor(call, body.operator_id)
        return wire.ticket_history(await tickets.add_note(ticket_id, actor, body.body))

    async def reply(call: Call) -> Reply:
        body: TicketReply = call.body
        ticket_id = await site_ticket(call)
        actor = await operator_actor(call, body.operator_id)
        client_id = body.client_id or "api-" + secrets.token_hex(8)
        return dict(wire.message(await tickets.reply(ticket_id, actor, client_id, body.body)))

    async def merge(call: Call) -> Reply:
        body: TicketMerge = call.body
        source = await site_ticket(call)
        async with services.db.connect() as conn:
            target_site = await queries.ticket_site(conn, body.into_ticket_id)
        if target_site != call.site_id:
            raise ApiError(404, "no such ticket", field="body.into_ticket_id")
        return (await shape(await tickets.merge(source, body.into_ticket_id, call.actor)))[0]

    async def add_conversation(call: Call) -> Reply:
        body: TicketConversation = call.body
        ticket_id = await site_ticket(call)
        async with services.db.connect() as conn:
            site_id = await queries.conversation_site(conn, body.conversation_id)
        if site_id != call.site_id:
            raise ApiError(404, "no such conversation", field="body.conversation_id")
        changed = await tickets.add_conversation(ticket_id, body.conversation_id, call.actor)
        return (await shape(changed))[0]

    async def transcript(call: Call) -> Reply:
        found = await tickets.transcript(await site_ticket(call))
        return {"data": [dict(wire.message(m)) for m in found], "meta": {"next_cursor": None}}

    async def bulk(call: Call) -> Reply:
        body: TicketsBulk = call.body
        async with services.db.connect() as conn:
            sites = await queries.ticket_sites(conn, [*body.ticket_ids, body.merge_into or 0])
        if body.merge_into is not None and sites.get(body.merge_into) != call.site_id:
            raise ApiError(404, "no such ticket", field="body.merge_into")
        asked = list(dict.fromkeys(body.ticket_ids))
        mine = [i for i in asked if sites.get(i) == call.site_id]
        changed, failed = await tickets.bulk(
            mine, call.actor, status=body.status, priority=body.priority,
            assignee_id=body.assignee_id if "assignee_id" in body.model_fields_set else UNSET,
            add_tag=body.add_tag, merge_into=body.merge_into,
        )  # fmt: skip
        failed |= {i: "no such ticket" for i in asked if i not in mine}
        return {
            "changed": await shape(*changed),
            "failed": [{"ticket_id": i, "error": e} for i, e in sorted(failed.items())],
        }

    ticket_catalog.install(api, tickets, shape)
    one = "/tickets/{ticket_id}"
    api.add(
        Operation("GET", "/tickets", list_tickets, "List tickets (the views' filters)", TAG,
                  query=TicketsQuery, response=Ticket, paged=True),
        Operation("POST", "/tickets", create_ticket, "Create a ticket", TAG, "write",
                  body=TicketCreate, response=Ticket, status=201),
        Operation("GET", one, get_ticket, "Get a ticket", TAG, response=Ticket),
        Operation("PATCH", one, update_ticket, "Change a ticket's status, priority, assignee, "
                  "tags or subject", TAG, "write", body=TicketUpdate, response=Ticket),
        Operation("GET", one + "/history", history, "A ticket's history (notes included)",
                  TAG, response=TicketHistory, paged=True),
        Operation("POST", one + "/notes", add_note, "Add an internal note", TAG, "write",
                  body=TicketNote, response=TicketHistory, status=201),
        Operation("POST", one + "/replies", reply, "Reply to the requester", TAG, "write",
                  body=TicketReply, response=Message, status=201),
        Operation("GET", one + "/transcript", transcript,
                  "The ticket's conversations, oldest first (notes included)", TAG,
                  response=Message, paged=True),
        Operation("POST", one + "/merge", merge, "Merge this ticket into another (returns "
                  "that one)", TAG, "write", body=TicketMerge, response=Ticket),
        Operation("POST", one + "/conversations", add_conversation,
                  "Add a conversation to the ticket", TAG, "write", body=TicketConversation,
                  response=Ticket),
        Operation("POST", "/tickets/bulk", bulk, "Change many tickets at once", TAG, "write",
                  body=TicketsBulk, response=TicketBulkResult),
    )  # fmt: skip
