"""The per-site settings a site owner may change, validated before they are stored."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

MAX_GREETING = 280
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class SiteSettingsUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    typing_preview: bool | None = None
    """Operators see what a visitor types before it is sent."""
    color: HexColor | None = None
    """The widget's accent colour, `#rrggbb`."""
    greeting: Annotated[str, Field(max_length=MAX_GREETING)] | None = None
    """Shown at the top of an empty chat; empty hides it."""

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


_PROBLEMS = {
    "typing_preview": "Typing preview is either on or off.",
    "color": "A colour is written #rrggbb, like #4f46e5.",
    "greeting": f"A greeting has at most {MAX_GREETING} characters.",
}


def settings_problems(error: ValidationError) -> dict[str, str]:
    """What is wrong with each refused setting, in a site owner's words, by field."""
    problems: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "settings"
        problems.setdefault(field, _PROBLEMS.get(field, item["msg"]))
    return problems
