"""Webhook records: an endpoint, a delivery of one event to it, and each attempt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Endpoint:
    id: int
    site_id: int
    url: str
    description: str
    events: list[str]
    secret: str = field(repr=False)
    enabled: bool = True
    allow_private: bool = False
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    created_at: datetime | None = None

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


@dataclass(frozen=True)
class Attempt:
    id: int
    at: datetime
    status_code: int | None
    response: str
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class Delivery:
    id: int
    endpoint_id: int
    message_id: str
    event_type: str
    payload: dict[str, Any]
    status: str  # pending | delivered | failed
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    log: list[Attempt] = field(default_factory=list)
