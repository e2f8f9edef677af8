"""A site's routing rules, stored in its settings under `routing` (docs/team.md).

{"chats": true, "tickets": true, "team_id": 2,
 "rules": [{"tag": "refund", "skill": "billing", "team_id": 3}],
 "after_hours": true, "after_hours_message": "… {time} …",
 "fallback_operator_id": 1}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from porch.text import TextOnly

SETTINGS_KEY = "routing"
MAX_RULES = 50
MAX_MESSAGE = 500
DEFAULT_AFTER_HOURS_MESSAGE = (
    "Thanks for your message! We are away right now; the team will reply from {time}."
)
"""`{time}`: when the next shift starts, in the site's time zone."""

Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50),
    TextOnly,
]
Id = Annotated[int, Field(gt=0, le=2**31 - 1)]


class RoutingRule(BaseModel):
    """A ticket tagged `tag` goes to operators with `skill` (the tag itself when none is
    given), within `team_id` when set."""

    model_config = ConfigDict(extra="forbid", strict=True)

    tag: Tag
    skill: Tag | None = None
    team_id: Id | None = None


class RoutingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    chats: bool = False
    """Route new chats (off: operators pick them from the inbox)."""
    tickets: bool = False
    """Route new tickets."""
    team_id: Id | None = None
    """Only this team's members get routed work (unless a rule names another team)."""
    rules: Annotated[list[RoutingRule], Field(max_length=MAX_RULES)] = Field(default_factory=list)
    after_hours: bool = True
    """Outside business hours, queue for the next shift and tell the customer when."""
    after_hours_message: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_MESSAGE), TextOnly
    ] = DEFAULT_AFTER_HOURS_MESSAGE
    fallback_operator_id: Id | None = None
    """Who gets work nobody online can take (none set: the least busy active operator)."""

    @classmethod
    def of_site(cls, settings: Mapping[str, Any]) -> RoutingSettings:
        """The site's rules; stored ones that no longer validate count as routing off."""
        try:
            return cls.model_validate(settings.get(SETTINGS_KEY) or {}, strict=False)
        except ValidationError:
            return cls()

    def enabled(self, kind: str) -> bool:
        return self.chats if kind == "chat" else self.tickets
