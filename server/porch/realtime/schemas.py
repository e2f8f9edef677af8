"""Inbound payloads, one pydantic model per event: strict types, no unknown keys, limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from porch.text import TextOnly

ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
# Free text is `TextOnly`: NUL and lone surrogates are refused alike on every database.
Body = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), TextOnly
]
# A message with files may have no text (`porch.attachments`).
MaybeBody = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), TextOnly]
AttachmentIds = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,32}$")]],
    Field(max_length=10),
]
Draft = Annotated[str, StringConstraints(max_length=4000), TextOnly]
Title = Annotated[str, StringConstraints(max_length=500), TextOnly]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), TextOnly
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=320, pattern=r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"
    ),
    TextOnly,
]
AttributeKey = Annotated[str, StringConstraints(min_length=1, max_length=100), TextOnly]
# Checked before the union, so a bad string gets one error, not one per alternative.
AttributeValue = Annotated[
    Annotated[str, StringConstraints(max_length=1000)] | bool | int | float, TextOnly
]


def _web_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


Url = Annotated[
    str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_web_url), TextOnly
]
Referrer = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_web_url), TextOnly]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Empty(Payload):
    pass


# -- visitor ----------------------------------------------------------------------------


class Choice(Payload):
    """A button the visitor clicked: one offered in a message's `choices` part."""

    message_id: Id
    choice_id: Annotated[str, StringConstraints(min_length=1, max_length=64), TextOnly]


class WithAttachments(Payload):
    """`message.send` on either socket: text, files (ids from an upload), or both."""

    body: MaybeBody = ""
    attachments: AttachmentIds = []

    @model_validator(mode="after")
    def _not_empty(self) -> WithAttachments:
        if not self.body and not self.attachments:
            raise ValueError("a message needs text or a file")
        return self


class VisitorMessageSend(WithAttachments):
    client_id: ClientId
    choice: Choice | None = None
    """A click on a choice: the message stored is its label (docs/flows.md)."""


class VisitorTyping(Payload):
    draft: Draft


class PageView(Payload):
    url: Url
    title: Title = ""
    referrer: Referrer = ""


class VisitorUpdate(Payload):
    name: Name | None = None
    email: Email | None = None
    attributes: Annotated[dict[AttributeKey, AttributeValue], Field(max_length=50)] | None = None


class IdentityClaim(Payload):
    """`Porch.setVisitor({id, name, email, hash})` from a site that verifies identity."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=255), TextOnly]
    hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
    name: Name | None = None
    email: Email | None = None


# -- operator ---------------------------------------------------------------------------


class InboxList(Payload):
    status: Literal["open", "closed"] = "open"


class ConversationRef(Payload):
    conversation_id: Id


class OperatorMessageSend(WithAttachments):
    conversation_id: Id
    client_id: ClientId
    internal: bool = False


class OperatorTyping(Payload):
    conversation_id: Id
    typing: bool


class Assign(Payload):
    conversation_id: Id
    operator_id: Id | None


class Start(Payload):
    visitor_id: Id


class PresenceSet(Payload):
    status: Literal["online", "away"]
