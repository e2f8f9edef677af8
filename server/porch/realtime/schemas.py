"""Inbound payloads, one pydantic model per event: strict types, no unknown keys, limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Draft = Annotated[str, StringConstraints(max_length=4000)]
Title = Annotated[str, StringConstraints(max_length=500)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=320, pattern=r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"
    ),
]
AttributeKey = Annotated[str, StringConstraints(min_length=1, max_length=100)]
AttributeValue = Annotated[str, StringConstraints(max_length=1000)] | bool | int | float


def _web_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


Url = Annotated[str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_web_url)]
Referrer = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_web_url)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Empty(Payload):
    pass


# -- visitor ----------------------------------------------------------------------------


class VisitorMessageSend(Payload):
    client_id: ClientId
    body: Body


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

    id: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
    name: Name | None = None
    email: Email | None = None


# -- operator ---------------------------------------------------------------------------


class InboxList(Payload):
    status: Literal["open", "closed"] = "open"


class ConversationRef(Payload):
    conversation_id: Id


class OperatorMessageSend(Payload):
    conversation_id: Id
    client_id: ClientId
    body: Body
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
