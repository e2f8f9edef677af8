"""Chat records and the JSON shapes they take on the wire (see docs/protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Wire = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC (the columns are UTC-aware on every backend)."""
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class Site:
    id: int
    key: str
    name: str
    allowed_origins: list[str]
    settings: dict[str, Any]
    identity_secret: str = field(repr=False)  # never in `to_widget`: browsers must not see it

    @property
    def typing_preview(self) -> bool:
        return bool(self.settings.get("typing_preview", True))

    def to_widget(self) -> Wire:
        """What the widget may know about its site."""
        return {
            "name": self.name,
            "typing_preview": self.typing_preview,
            "color": self.settings.get("color", ""),
            "greeting": self.settings.get("greeting", ""),
        }


@dataclass(frozen=True)
class Page:
    url: str
    title: str = ""
    referrer: str = ""


@dataclass(frozen=True)
class Visitor:
    id: int
    site_id: int
    name: str
    email: str | None
    attributes: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    external_id: str | None = None
    verified: bool = False
    """Name, email and `external_id` were vouched for by the site (an identity hash)."""

    def to_wire(self) -> Wire:
        return {"id": self.id, "name": self.name, "email": self.email, "verified": self.verified}


@dataclass(frozen=True)
class Conversation:
    id: int
    site_id: int
    visitor_id: int
    status: str
    assignee_id: int | None
    last_activity_at: datetime
    operator_read_at: datetime | None
    operator_unread: int = 0

    def to_wire(self) -> Wire:
        """The visitor's view: just which conversation and whether it is open."""
        return {"id": self.id, "status": self.status}


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    client_id: str
    author: str
    author_name: str
    body: str
    internal: bool
    created_at: datetime

    def to_wire(self) -> Wire:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "client_id": self.client_id,
            "author": self.author,
            "author_name": self.author_name,
            "body": self.body,
            "internal": self.internal,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class Assignee:
    id: int
    name: str


@dataclass(frozen=True)
class ConversationSummary:
    conversation: Conversation
    visitor_name: str
    assignee: Assignee | None
    last_message: Message | None
    unread: int

    def to_wire(self) -> Wire:
        c = self.conversation
        return {
            "id": c.id,
            "site_id": c.site_id,
            "visitor_id": c.visitor_id,
            "visitor_name": self.visitor_name,
            "status": c.status,
            "assignee": (
                {"id": self.assignee.id, "name": self.assignee.name} if self.assignee else None
            ),
            "last_message": self.last_message.to_wire() if self.last_message else None,
            "last_activity_at": iso(c.last_activity_at),
            "unread": self.unread,
        }


@dataclass(frozen=True)
class Visit:
    """The current visit: page views with gaps shorter than the visit timeout."""

    started_at: datetime | None = None
    pages_viewed: int = 0
    current_page: Page | None = None


@dataclass(frozen=True)
class VisitorSummary:
    visitor: Visitor
    online: bool
    visit: Visit
    conversation_id: int | None

    def to_wire(self) -> Wire:
        v, page = self.visitor, self.visit.current_page
        return {
            "id": v.id,
            "site_id": v.site_id,
            "name": v.name,
            "email": v.email,
            "verified": v.verified,
            "external_id": v.external_id,
            "online": self.online,
            "current_page": {"url": page.url, "title": page.title} if page else None,
            "pages_viewed": self.visit.pages_viewed,
            "visit_started_at": iso(self.visit.started_at),
            "first_seen_at": iso(v.first_seen_at),
            "last_seen_at": iso(v.last_seen_at),
            "conversation_id": self.conversation_id,
        }


@dataclass(frozen=True)
class VisitorHello:
    """Everything a visitor's widget needs on connect (never internal notes)."""

    visitor: Visitor
    site: Site
    conversation: Conversation | None
    messages: list[Message] = field(default_factory=list)
    unread: int = 0
    """Operator/bot replies newer than the visitor last read the conversation."""


@dataclass(frozen=True)
class ConversationDetail:
    """An operator's view when opening a conversation."""

    summary: ConversationSummary
    messages: list[Message]
    visitor: VisitorSummary
    draft: str
