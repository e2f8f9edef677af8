"""Inbound payloads of the inbox tools on the `/operator` socket."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from porch.realtime.schemas import Id, Payload
from porch.text import TextOnly

TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), TextOnly
]


class InboxQuery(Payload):
    status: Literal["open", "closed", "snoozed"] = "open"
    tag: TagName | None = None


class TagChange(Payload):
    conversation_id: Id
    tag: TagName


class Snooze(Payload):
    """A preset, or `until` (an ISO time with its offset) for a custom time."""

    conversation_id: Id
    preset: Literal["1h", "tomorrow", "next_week"] | None = None
    until: datetime | None = None


class Wake(Payload):
    conversation_id: Id
