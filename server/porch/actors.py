"""Who did something: visitors, operators, the bot and the system (flows, SLA, email).

Every message and every change has an actor, so the bot and automations post through the
same service functions as operators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AuthorKind = Literal["visitor", "operator", "bot", "system"]


@dataclass(frozen=True)
class Actor:
    """Who did something: every message and every change has one.

    `id` is the visitor's or operator's id (None for the bot and the system); `name` is
    what others see (the bot's name, or the system feature: "flows", "sla", "email"…).
    """

    kind: AuthorKind
    id: int | None = None
    name: str = ""

    @classmethod
    def visitor(cls, visitor_id: int, name: str = "") -> Actor:
        return cls("visitor", visitor_id, name)

    @classmethod
    def operator(cls, operator_id: int, name: str) -> Actor:
        return cls("operator", operator_id, name)

    @classmethod
    def bot(cls, name: str = "Bot") -> Actor:
        return cls("bot", None, name)

    @classmethod
    def system(cls, name: str = "") -> Actor:
        return cls("system", None, name)
