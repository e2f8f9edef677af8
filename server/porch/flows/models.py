"""Flow records as the store returns them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Flow:
    id: int
    site_id: int
    name: str
    enabled: bool
    trigger_type: str
    priority: int
    version: int
    document: dict[str, Any]
    template: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def trigger(self) -> dict[str, Any]:
        trigger: dict[str, Any] = self.document["trigger"]
        return trigger


@dataclass(frozen=True)
class FlowVersion:
    flow_id: int
    version: int
    document: dict[str, Any]
    actor_kind: str
    actor_name: str
    created_at: datetime


@dataclass(frozen=True)
class Run:
    """A flow running for a visitor: where it is and what it waits for."""

    id: int
    flow_id: int
    version: int
    visitor_id: int
    conversation_id: int | None
    status: str  # running | waiting | done | stopped
    node: str | None
    step: int
    waiting_message_id: int | None
    context: dict[str, Any]
    started_at: datetime
    updated_at: datetime
