"""What an attachment is, to the service and on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

UploaderKind = Literal["visitor", "operator"]

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""Shown in the browser (thumbnails, viewer); everything else downloads. SVG is not here:
it can carry script, so it is always served as a download."""


@dataclass(frozen=True)
class Uploader:
    kind: UploaderKind
    id: int


@dataclass(frozen=True)
class Attachment:
    id: str
    site_id: int
    uploader: Uploader
    name: str
    content_type: str
    size: int
    storage_key: str
    thumbnail_key: str | None
    width: int | None
    height: int | None
    conversation_id: int | None
    client_id: str | None
    internal: bool

    @property
    def is_image(self) -> bool:
        return self.content_type in INLINE_TYPES

    def part(self) -> dict[str, Any]:
        """This file in a message's `parts["attachments"]` (no URL: those expire)."""
        shape: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": self.content_type,
            "size": self.size,
            "image": self.is_image,
        }
        if self.width and self.height:
            shape["width"], shape["height"] = self.width, self.height
        return shape
