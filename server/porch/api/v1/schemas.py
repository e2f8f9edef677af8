"""Types shared by the API's resources: input fields with their limits, and the shapes of
replies (the wire shapes of `porch.wire`, described as TypedDicts for the OpenAPI
document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from porch.text import TextOnly

ApiId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), TextOnly
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=320, pattern=r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"
    ),
    TextOnly,
]
SearchText = Annotated[str, StringConstraints(min_length=1, max_length=200), TextOnly]
PropertyKey = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$"), TextOnly
]
PropertyValue = Annotated[
    Annotated[str, StringConstraints(max_length=1000)] | bool | int | float, TextOnly
]
Body = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), TextOnly
]
ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
Since = AwareDatetime


class Input(BaseModel):
    """Bodies: no unknown keys."""

    model_config = ConfigDict(extra="forbid")


# -- reply shapes ----------------------------------------------------------------------


class Meta(TypedDict):
    next_cursor: str | None


class Ref(TypedDict):
    id: int
    name: str


class Contact(TypedDict):
    id: int
    site_id: int
    name: str
    email: str | None
    verified: bool
    external_id: str | None
    properties: dict[str, Any]
    first_seen_at: datetime | None
    last_seen_at: datetime | None


class Message(TypedDict):
    id: int
    conversation_id: int
    client_id: str
    author: Literal["visitor", "operator", "bot", "system"]
    author_name: str
    body: str
    internal: bool
    created_at: datetime | None


class Conversation(TypedDict):
    id: int
    site_id: int
    visitor_id: int
    visitor_name: str
    status: Literal["open", "closed"]
    assignee: Ref | None
    last_message: Message | None
    created_at: datetime | None
    closed_at: datetime | None
    last_activity_at: datetime | None
    unread: int


class Operator(TypedDict):
    id: int
    name: str
    status: str


class SlaDeadline(TypedDict):
    target: str
    due_at: datetime | None
    state: str


class Sla(TypedDict):
    state: str
    deadlines: list[SlaDeadline]


class Ticket(TypedDict):
    id: int
    site_id: int
    reference: int
    label: str
    subject: str
    description: str
    requester: Ref
    conversation_id: int | None
    priority: Literal["critical", "high", "medium", "low"]
    status: Literal["open", "pending", "resolved", "closed"]
    assignee: Ref | None
    tags: list[str]
    created_at: datetime | None
    updated_at: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla: Sla


class Actor(TypedDict):
    kind: str
    id: int | None
    name: str


class TicketHistory(TypedDict):
    id: int
    kind: str
    actor: Actor
    data: dict[str, Any]
    at: datetime | None


class Site(TypedDict):
    id: int
    key: str
    name: str
    allowed_origins: list[str]
    settings: dict[str, Any]


class ContactExport(TypedDict):
    visitors: list[dict[str, Any]]


class WebhookEndpoint(TypedDict):
    id: int
    site_id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime | None


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str


class WebhookAttempt(TypedDict):
    at: datetime | None
    status_code: int | None
    response: str
    error: str | None
    duration_ms: int


class WebhookDelivery(TypedDict):
    id: int
    endpoint_id: int
    message_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime | None
    payload: dict[str, Any]
    log: list[WebhookAttempt]


class WebhookEvent(TypedDict):
    id: str
    description: str


class PropertyDefinition(TypedDict):
    id: int
    key: str
    label: str
    type: Literal["text", "number", "boolean"]
    created_at: datetime


class TagUse(TypedDict):
    name: str
    tickets: int
    conversations: int


class CannedReply(TypedDict):
    id: int
    shortcut: str
    title: str
    body: str
    operator_id: int | None
    """None: shared by the site's operators; else that operator's own."""
    created_at: datetime
    updated_at: datetime


class Flow(TypedDict):
    id: int
    name: str
    enabled: bool
    trigger_type: str
    priority: int
    version: int
    template: str | None
    created_at: datetime
    updated_at: datetime


class FlowWithDocument(Flow):
    document: dict[str, Any]


class KnowledgeSource(TypedDict):
    id: int
    kind: str
    location: str
    title: str
    status: Literal["ready", "failed"]
    error: str | None
    size: int
    chunks: int
    refreshed_at: datetime


class KnowledgeSourceList(TypedDict):
    """The sources one request added (a sitemap adds one per page)."""

    data: list[KnowledgeSource]


class TicketBulkFailure(TypedDict):
    ticket_id: int
    error: str


class TicketBulkResult(TypedDict):
    changed: list[Ticket]
    failed: list[TicketBulkFailure]


class TicketField(TypedDict):
    id: int
    name: str
    kind: str
    options: list[str]


class TicketFieldValue(TypedDict):
    field_id: int
    name: str
    value: str


class TicketTemplate(TypedDict):
    id: int
    name: str
    subject: str
    priority: Literal["critical", "high", "medium", "low"]
    tags: list[str]
    fields: dict[str, str]
    note: str
