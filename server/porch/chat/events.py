"""Facts the chat feature publishes after committing; listeners (fan-out, later flows,
webhooks…) react to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from porch.chat.models import Conversation, ConversationSummary, Message, Site, Visitor

ConversationChange = Literal[
    "created", "started", "message", "assigned", "closed", "reopened", "read"
]
VISITOR_VISIBLE_CHANGES = frozenset({"created", "started", "closed", "reopened"})
"""Changes the visitor's widget hears about as a `conversation` event."""


@dataclass(frozen=True)
class MessageCreated:
    name: ClassVar[str] = "message.created"
    message: Message
    visitor_id: int


@dataclass(frozen=True)
class ConversationChanged:
    name: ClassVar[str] = "conversation.changed"
    conversation: Conversation
    change: ConversationChange
    summary: ConversationSummary | None = None
    """The inbox line after the change, when the writer had it at hand (else read it)."""


@dataclass(frozen=True)
class VisitorTyping:
    """A visitor's live draft; only published when the site allows typing preview."""

    name: ClassVar[str] = "visitor.typing"
    conversation_id: int
    draft: str


@dataclass(frozen=True)
class OperatorTyping:
    name: ClassVar[str] = "operator.typing"
    visitor_id: int
    operator_name: str
    typing: bool


@dataclass(frozen=True)
class PageViewed:
    """Also means "visitor seen": every session start records a page view."""

    name: ClassVar[str] = "page.viewed"
    visitor_id: int
    url: str


@dataclass(frozen=True)
class VisitorUpdated:
    name: ClassVar[str] = "visitor.updated"
    visitor: Visitor


@dataclass(frozen=True)
class SiteUpdated:
    """A site's name, allowed origins or widget settings changed."""

    name: ClassVar[str] = "site.updated"
    site: Site


@dataclass(frozen=True)
class IdentitySecretRotated:
    """A site's identity secret was replaced: integrations that hold a copy update it."""

    name: ClassVar[str] = "site.identity_secret_rotated"
    site: Site


@dataclass(frozen=True)
class VisitorsErased:
    """Visitors were deleted with their conversations (a privacy erasure): screens showing
    them drop them."""

    name: ClassVar[str] = "visitors.erased"
    visitor_ids: tuple[int, ...]
    conversation_ids: tuple[int, ...]
