"""Facts the bot publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class BotHandedOff:
    """The bot handed a conversation to people: the seam for routing (assign an operator
    by subscribing to this event or `enqueue_on` it); without routing the conversation
    waits unassigned in the inbox, with `reason` as an internal note."""

    name: ClassVar[str] = "bot.handed_off"
    conversation_id: int
    site_id: int
    reason: str
    operators_online: bool
