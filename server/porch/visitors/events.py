"""Facts about visitors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from porch.actors import Actor
from porch.visitors.models import Visitor


@dataclass(frozen=True)
class PageViewed:
    """Also means "visitor seen": every session start records a page view."""

    name: ClassVar[str] = "page.viewed"
    visitor_id: int
    url: str


@dataclass(frozen=True)
class VisitorUpdated:
    """Name, email, attributes or identity changed."""

    name: ClassVar[str] = "visitor.updated"
    visitor: Visitor


@dataclass(frozen=True)
class VisitorsErased:
    """Visitors were deleted with their conversations (a privacy erasure)."""

    name: ClassVar[str] = "visitors.erased"
    visitor_ids: tuple[int, ...]
    conversation_ids: tuple[int, ...]
    actor: Actor | None = None
    """Who asked for the erasure through the REST API (None: a merge, the panel's own
    erasure, which logs itself, or Shopify's redact)."""


@dataclass(frozen=True)
class PresenceChanged:
    """A visitor came online or went offline (their last socket closed)."""

    name: ClassVar[str] = "visitor.presence"
    visitor_id: int
    online: bool
