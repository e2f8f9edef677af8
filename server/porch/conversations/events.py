"""Facts about conversations and messages. Each carries the conversation as it stands
after the change (the inbox's view of it, read in the same transaction) and the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from porch.actors import Actor
from porch.conversations.models import ConversationSummary, Message


@dataclass(frozen=True)
class MessageCreated:
    name: ClassVar[str] = "message.created"
    message: Message
    conversation: ConversationSummary
    actor: Actor


@dataclass(frozen=True)
class ConversationEvent:
    """A change to a conversation: `conversation` as it stands after it, and who did it."""

    name: ClassVar[str]
    conversation: ConversationSummary
    actor: Actor


@dataclass(frozen=True)
class ConversationOpened(ConversationEvent):
    """A new conversation: a visitor's first message (or draft) after none or after the
    reopen window, or an operator reaching out."""

    name: ClassVar[str] = "conversation.opened"


@dataclass(frozen=True)
class ConversationReopened(ConversationEvent):
    name: ClassVar[str] = "conversation.reopened"


@dataclass(frozen=True)
class ConversationAssigned(ConversationEvent):
    """`conversation.assignee` is the new assignee (None: unassigned)."""

    name: ClassVar[str] = "conversation.assigned"


@dataclass(frozen=True)
class ConversationClosed(ConversationEvent):
    name: ClassVar[str] = "conversation.closed"


@dataclass(frozen=True)
class ConversationRead(ConversationEvent):
    """Operators have read the conversation up to now."""

    name: ClassVar[str] = "conversation.read"


@dataclass(frozen=True)
class VisitorTyping:
    """A visitor's live draft; only published when the site allows typing preview."""

    name: ClassVar[str] = "visitor.typing"
    conversation_id: int
    draft: str


@dataclass(frozen=True)
class OperatorTyping:
    name: ClassVar[str] = "operator.typing"
    conversation_id: int
    visitor_id: int
    operator_name: str
    typing: bool
