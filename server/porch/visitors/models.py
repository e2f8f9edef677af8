"""Visitor records: who is on a site, and what they have viewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
    language: str | None = None
    time_zone: str | None = None
    user_agent: str | None = None
    """What their browser said last (`porch.visitors.browser`)."""
    prechat_at: datetime | None = None
    """When they last filled the site's pre-chat form."""


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
    """Their latest conversation, if any."""
