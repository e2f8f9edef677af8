"""Facts about API keys (the audit log records them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from porch.actors import Actor


@dataclass(frozen=True)
class ApiKeyEvent:
    name: ClassVar[str]
    key_id: int
    site_id: int
    key_name: str
    scope: str
    actor: Actor


@dataclass(frozen=True)
class ApiKeyCreated(ApiKeyEvent):
    name: ClassVar[str] = "api_key.created"


@dataclass(frozen=True)
class ApiKeyRevoked(ApiKeyEvent):
    name: ClassVar[str] = "api_key.revoked"
