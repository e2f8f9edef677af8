"""What a search asks for and what it finds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["ticket", "conversation", "contact"]
KINDS: tuple[Kind, ...] = ("ticket", "conversation", "contact")


@dataclass(frozen=True)
class Filters:
    kinds: tuple[Kind, ...] = KINDS
    status: str | None = None
    """A ticket's or conversation's status; contacts have none, so a status leaves them out."""
    since: datetime | None = None
    until: datetime | None = None
    """The hit's time (message sent, ticket updated, contact last seen), `since` ≤ t < `until`."""
    limit: int = 20


@dataclass(frozen=True)
class Hit:
    """One result: a ticket, a conversation or a contact, with its best matching snippet."""

    kind: Kind
    id: int
    title: str
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    """(text, is_hit) pieces: the page renders each as text, hits inside `<mark>`."""
    score: float = 0.0
    status: str | None = None
    at: datetime | None = None
    detail: str = ""
    url: str = ""
    """Where the result opens in the panel."""
