"""Inbound ticket payloads on the `/operator` socket, in the style of `realtime.schemas`:
strict types, no unknown keys, limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from porch.realtime.schemas import Body, ClientId, Id, Payload
from porch.text import TextOnly
from porch.tickets.filters import FieldValue, Filters

Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), TextOnly
]
Description = Annotated[str, StringConstraints(max_length=20_000), TextOnly]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), TextOnly
]
PriorityName = Literal["critical", "high", "medium", "low"]
StatusName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), TextOnly
]
"""A built-in status or one the site added (checked by the service)."""
FieldValues = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,17}$")], FieldValue],
    Field(max_length=50),
]
"""Custom field values by field id."""
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), TextOnly
]
ViewName = Literal["mine", "unassigned", "urgent", "pending", "resolved"]


class TicketCreate(Payload):
    """From a conversation (`conversation_id`), or by hand for a requester (`visitor_id`
    and `site_id`)."""

    subject: Subject
    priority: PriorityName = "medium"
    description: Description = ""
    conversation_id: Id | None = None
    visitor_id: Id | None = None
    site_id: Id | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)
    fields: FieldValues = Field(default_factory=dict)
    template_id: Id | None = None
    """One click: subject, priority, tags, fields and a note from the template (`subject`
    is then ignored)."""


class TemplateCreate(Payload):
    """A ticket from a template: for a conversation's visitor, or a requester."""

    template_id: Id
    conversation_id: Id | None = None
    visitor_id: Id | None = None


class TicketRef(Payload):
    ticket_id: Id


class TicketUpdate(Payload):
    """Only what is given changes; `assignee_id: null` unassigns (`team_id` likewise)."""

    ticket_id: Id
    status: StatusName | None = None
    priority: PriorityName | None = None
    assignee_id: Id | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None
    subject: Subject | None = None
    team_id: Id | None = None


class TicketNote(Payload):
    ticket_id: Id
    body: Body


class TicketReply(Payload):
    ticket_id: Id
    client_id: ClientId
    body: Body


class TicketsList(Payload):
    """A built-in view, or a saved one (`saved_view_id`)."""

    view: ViewName = "urgent"
    saved_view_id: Id | None = None


class TicketMerge(Payload):
    """`ticket_id` goes into `into_id`, or into the ticket of its site whose reference is
    `into_reference` (`1042` for `#1042`)."""

    ticket_id: Id
    into_id: Id | None = None
    into_reference: Id | None = None


class TicketAddConversation(Payload):
    ticket_id: Id
    conversation_id: Id


class TicketFields(Payload):
    ticket_id: Id
    values: FieldValues


class TicketsBulk(Payload):
    """One action on a selection: given fields apply (`close` is `status: closed`;
    `merge_into` merges every other selected ticket into that one)."""

    ticket_ids: Annotated[list[Id], Field(min_length=1, max_length=200)]
    assignee_id: Id | None = None
    status: StatusName | None = None
    priority: PriorityName | None = None
    add_tag: Tag | None = None
    merge_into: Id | None = None
    close: bool = False


class SavedViewSave(Payload):
    name: Name
    filters: Filters = Field(default_factory=Filters)
    sort: Literal["priority", "newest", "oldest", "updated", "due"] = "priority"
    shared: bool = False


class SavedViewRef(Payload):
    view_id: Id


class RequesterLookup(Payload):
    """Before a ticket is made from a conversation: its requester's open tickets."""

    conversation_id: Id


class SiteRef(Payload):
    site_id: Id


class FieldCreate(Payload):
    site_id: Id
    name: Name
    kind: Literal["text", "number", "select", "date"]
    options: Annotated[list[FieldValue], Field(max_length=50)] = Field(default_factory=list)


class StatusCreate(Payload):
    site_id: Id
    name: StatusName
    maps_to: Literal["open", "pending", "resolved", "closed"]


class TemplateDefine(Payload):
    site_id: Id
    name: Name
    subject: Subject
    priority: PriorityName = "medium"
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)
    fields: FieldValues = Field(default_factory=dict)
    note: Description = ""
    canned: Annotated[list[Annotated[str, Field(max_length=33)]], Field(max_length=10)] = Field(
        default_factory=list
    )
    """Shortcuts of shared canned replies suggested on its tickets."""
