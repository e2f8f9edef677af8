"""Knowledge records: a source as the panel and `porch kb list` show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

SourceKind = Literal["url", "sitemap", "file", "qa", "shopify"]


@dataclass(frozen=True)
class Source:
    id: int
    site_id: int
    kind: str
    location: str
    title: str
    status: str  # ready | failed
    error: str | None
    size: int
    chunks: int
    refreshed_at: datetime

    def to_wire(self) -> dict[str, object]:
        """As the API and other JSON edges show it."""
        return {
            "id": self.id,
            "site_id": self.site_id,
            "kind": self.kind,
            "location": self.location,
            "title": self.title,
            "status": self.status,
            "error": self.error,
            "size": self.size,
            "chunks": self.chunks,
            "refreshed_at": self.refreshed_at.isoformat(),
        }


@dataclass(frozen=True)
class Document:
    """Text ready to be chunked: where it came from and what to call it."""

    title: str
    url: str
    text: str
