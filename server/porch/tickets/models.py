"""Ticket records: the ticket, a line of its history, and the built-in views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Priority = Literal["critical", "high", "medium", "low"]
Status = Literal["open", "pending", "resolved", "closed"]
PRIORITIES: tuple[Priority, ...] = ("critical", "high", "medium", "low")
STATUSES: tuple[Status, ...] = ("open", "pending", "resolved", "closed")
ACTIVE: tuple[Status, ...] = ("open", "pending")
"""Statuses that still need work (the views of work in hand list these)."""

View = Literal["mine", "unassigned", "urgent", "pending", "resolved"]
VIEWS: dict[View, str] = {
    "mine": "My open tickets",
    "unassigned": "Unassigned",
    "urgent": "Critical and high",
    "pending": "Pending",
    "resolved": "Recently resolved",
}
"""The built-in views, by name, with the title the panel shows."""


@dataclass(frozen=True)
class Ticket:
    id: int
    site_id: int
    reference: int
    subject: str
    description: str
    requester_id: int
    conversation_id: int | None
    priority: Priority
    status: Status
    assignee_id: int | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    seen_message_id: int | None = None
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    first_response_due_at: datetime | None = None
    next_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    sla_paused_at: datetime | None = None
    sla_warn_at: datetime | None = None
    sla_due_at: datetime | None = None
    custom_status: str | None = None
    merged_into_id: int | None = None
    requester_name: str = ""
    assignee_name: str | None = None
    team_id: int | None = None
    team_name: str | None = None

    @property
    def label(self) -> str:
        """What people call it: `#1042`."""
        return f"#{self.reference}"

    @property
    def status_label(self) -> str:
        """The status people see: a custom status's name, else the built-in one."""
        return self.custom_status or self.status

    def due(self, target: str) -> datetime | None:
        """The deadline of an SLA target (`first_response`, `next_response`,
        `resolution`); None when that clock is not running."""
        value: datetime | None = getattr(self, f"{target}_due_at")
        return value


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a ticket, with who made it (`actor_kind` visitor, operator, bot or
    system): `created`, `updated` (data: the changed fields, old and new), `note`,
    `sla.warning`, `sla.breached`, `sla.met`."""

    id: int
    ticket_id: int
    kind: str
    actor_kind: str
    actor_id: int | None
    actor_name: str
    data: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


FieldKind = Literal["text", "number", "select", "date"]
FIELD_KINDS: tuple[FieldKind, ...] = ("text", "number", "select", "date")
Sort = Literal["priority", "newest", "oldest", "updated", "due"]
SORTS: tuple[Sort, ...] = ("priority", "newest", "oldest", "updated", "due")


@dataclass(frozen=True)
class SavedView:
    """A combination of filters and a sort an operator saved; `shared`: every operator
    sees it (else its owner alone). `filters` is a `porch.tickets.filters.Filters` dump."""

    id: int
    owner_id: int
    name: str
    shared: bool
    filters: dict[str, Any]
    sort: Sort
    created_at: datetime


@dataclass(frozen=True)
class CustomField:
    """A field every ticket of a site may carry ("Order number"); `options` for a select."""

    id: int
    site_id: int
    name: str
    kind: FieldKind
    options: list[str]
    position: int


@dataclass(frozen=True)
class CustomStatus:
    """A status the admin added ("Waiting on warehouse"), mapped to a built-in one whose
    SLA and auto-close behaviour it takes."""

    id: int
    site_id: int
    name: str
    maps_to: Status


@dataclass(frozen=True)
class Template:
    """A recurring request: what a ticket made from it starts with. `fields` by field id."""

    id: int
    site_id: int
    name: str
    subject: str
    priority: Priority
    tags: list[str]
    fields: dict[str, str]
    note: str
    canned_ids: list[int] = field(default_factory=list)
    """Shared canned replies suggested on tickets made from it."""
