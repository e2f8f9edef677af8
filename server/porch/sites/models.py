"""The site record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_REOPEN_WINDOW_HOURS = 24
"""A visitor's message this soon after their conversation closed reopens it."""


@dataclass(frozen=True)
class Site:
    id: int
    key: str
    name: str
    allowed_origins: list[str]
    settings: dict[str, Any]
    identity_secret: str = field(repr=False)  # never on the wire: browsers must not see it

    @property
    def typing_preview(self) -> bool:
        return bool(self.settings.get("typing_preview", True))

    @property
    def reopen_window_hours(self) -> float:
        """0: a message after a close always starts a new conversation."""
        return float(self.settings.get("reopen_window_hours", DEFAULT_REOPEN_WINDOW_HOURS))
