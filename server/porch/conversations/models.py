"""Conversation records: conversations, messages, and who wrote them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from porch.sites.models import Site
from porch.visitors.models import Visitor, VisitorSummary

MessageParts = dict[str, Any]
"""A message's structured parts by kind; JSON-serialisable, validated by the feature that
writes its key."""


@dataclass(frozen=True)
class Conversation:
    id: int
    site_id: int
    visitor_id: int
    status: str  # open | closed
    assignee_id: int | None
    created_at: datetime
    last_activity_at: datetime
    operator_read_at: datetime | None
    operator_unread: int = 0
    closed_at: datetime | None = None


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
    parts: MessageParts | None = None
    """Structured pieces beside the text, one key per kind (`choices`, `sources`,
    `attachments`…), each owned and rendered by its feature; None for plain text."""
    author_avatar: str | None = None
    """The operator author's avatar digest (`porch.operators.avatars`), if they have one."""


@dataclass(frozen=True)
class Assignee:
    id: int
    name: str


@dataclass(frozen=True)
class ConversationSummary:
    """A conversation as the inbox lists it."""

    conversation: Conversation
    visitor_name: str
    assignee: Assignee | None
    last_message: Message | None
    unread: int


@dataclass(frozen=True)
class VisitorHello:
    """Everything a visitor's widget needs on connect (never internal notes)."""

    visitor: Visitor
    site: Site
    conversation: Conversation | None
    """Their latest conversation (open, or closed if they have no open one)."""
    messages: list[Message] = field(default_factory=list)
    unread: int = 0
    """Operator/bot replies newer than the visitor last read the conversation."""
    earlier: list[ConversationSummary] = field(default_factory=list)
    """Their earlier conversations, newest first."""


@dataclass(frozen=True)
class ConversationDetail:
    """An operator's view when opening a conversation."""

    summary: ConversationSummary
    messages: list[Message]
    visitor: VisitorSummary
    draft: str
    history: list[ConversationSummary] = field(default_factory=list)
    """The visitor's other conversations, newest first."""
