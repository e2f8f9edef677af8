"""Facts of the inbox tools, published after their transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from porch.actors import Actor


@dataclass(frozen=True)
class ConversationTagsChanged:
    name: ClassVar[str] = "conversation.tags_changed"
    conversation_id: int
    tags: tuple[str, ...]
    actor: Actor


@dataclass(frozen=True)
class ConversationSnoozed:
    name: ClassVar[str] = "conversation.snoozed"
    conversation_id: int
    until: datetime
    actor: Actor


@dataclass(frozen=True)
class ConversationWoke:
    """Back in the open list: its time came (`actor` system) or the visitor wrote."""

    name: ClassVar[str] = "conversation.woke"
    conversation_id: int
    actor: Actor
