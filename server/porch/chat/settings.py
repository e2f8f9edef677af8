"""The per-site settings a site owner may change, validated before they are stored."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class SiteSettingsUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    typing_preview: bool | None = None
    """Operators see what a visitor types before it is sent."""
    color: HexColor | None = None
    """The widget's accent colour, `#rrggbb`."""
    greeting: Annotated[str, Field(max_length=280)] | None = None
    """Shown at the top of an empty chat; empty hides it."""

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)
