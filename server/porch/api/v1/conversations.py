"""/conversations and their messages: filter, change status, assignee and tags, read the
transcript, and post as an operator, the bot or an internal note."""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from porch import wire
from porch.actors import Actor
from porch.api import queries
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError, not_found
from porch.api.pagination import PageQuery, page
from porch.api.v1.schemas import ApiId, Body, ClientId, Conversation, Input, Message, Name
from porch.api.v1.schemas import Since as SinceType
from porch.conversations.models import ConversationSummary
from porch.inbox.service import MAX_TAGS, InboxTools, normal_tag
from porch.text import TextOnly

TAG = "conversations"
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), TextOnly
]


class ConversationsQuery(PageQuery):
    status: Literal["open", "closed"] | None = None
    assignee_id: ApiId | Literal["none"] | None = None
    """An operator's id, or `none` for unassigned conversations."""
    contact_id: ApiId | None = None
    updated_since: SinceType | None = None
    """Conversations with activity at or after this time (ISO 8601 with a zone)."""
    tag: Tag | None = None
    """Conversations carrying this tag (any case)."""


class ConversationStart(Input):
    contact_id: ApiId


class ConversationUpdate(Input):
    """Only what is given changes; `assignee_id: null` unassigns."""

    status: Literal["open", "closed"] | None = None
    assignee_id: ApiId | None = Field(default=None)
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None
    """The conversation's tags from now on (added and removed to match)."""


class MessagesQuery(PageQuery):
    include_internal: bool = True


class MessageCreate(Input):
    """A reply as an operator (`operator_id`) or the bot (`bot_name`), or with
    `internal: true` a note operators alone see."""

    body: Body
    author: Literal["operator", "bot"] = "operator"
    operator_id: ApiId | None = None
    bot_name: Name = "Bot"
    internal: bool = False
    client_id: ClientId | None = None
    """Makes a retried send idempotent (one is made up when absent)."""

    @model_validator(mode="after")
    def _operator_named(self) -> MessageCreate:
        if self.author == "operator" and self.operator_id is None:
            raise ValueError("an operator's message names its operator_id")
        return self


def install(api: Api) -> None:
    tools = InboxTools(api.services.db, api.services.events, api.services.clock)

    async def shaped(*found: ConversationSummary) -> list[dict[str, object]]:
        """The wire shapes with each conversation's tags (one read for them all)."""
        marks = await tools.marks([s.conversation.id for s in found])
        return [
            {**wire.conversation_summary(s), "tags": marks[s.conversation.id]["tags"]}
            for s in found
        ]

    async def one(conversation_id: int) -> Reply:
        return (await shaped(await api.services.conversations.summary(conversation_id)))[0]

    async def set_tags(conversation_id: int, wanted: list[str], call: Call) -> None:
        present, wanted_set = set(await tools.tags(conversation_id)), set(wanted)
        for tag in sorted(present - wanted_set):
            await tools.remove_tag(conversation_id, tag, call.actor)
        for tag in sorted(wanted_set - present):
            await tools.add_tag(conversation_id, tag, call.actor)

    async def site_conversation(call: Call) -> int:
        conversation_id = call.ids["conversation_id"]
        async with call.services.db.connect() as conn:
            site_id = await queries.conversation_site(conn, conversation_id)
        if site_id != call.site_id:
            raise not_found("conversation")
        return conversation_id

    async def list_conversations(call: Call) -> Reply:
        q: ConversationsQuery = call.query
        async with call.services.db.connect() as conn:
            found = await queries.conversations_page(
                conn,
                call.site_id,
                q.limit,
                q.before_id,
                status=q.status,
                assignee_id=q.assignee_id if isinstance(q.assignee_id, int) else None,
                unassigned=q.assignee_id == "none",
                contact_id=q.contact_id,
                updated_since=q.updated_since,
                tag=normal_tag(q.tag) if q.tag else None,
            )
        return page(await shaped(*found[: q.limit]), q.limit, len(found) > q.limit)

    async def get_conversation(call: Call) -> Reply:
        return await one(await site_conversation(call))

    async def start_conversation(call: Call) -> Reply:
        body: ConversationStart = call.body
        async with call.services.db.connect() as conn:
            contact = await queries.contact(conn, call.site_id, body.contact_id)
        if contact is None:
            raise ApiError(404, "no such contact", field="body.contact_id")
        summary = await call.services.conversations.start(contact.id, call.actor)
        return await one(summary.conversation.id)

    async def update_conversation(call: Call) -> Reply:
        body: ConversationUpdate = call.body
        conversation_id = await site_conversation(call)
        tags = None if body.tags is None else [normal_tag(t) for t in body.tags]  # before changing
        service, actor = call.services.conversations, call.actor
        if "assignee_id" in body.model_fields_set:
            await service.assign(conversation_id, body.assignee_id, actor)
        if body.status == "closed":
            await service.close(conversation_id, actor)
        elif body.status == "open":
            await service.reopen(conversation_id, actor)
        if tags is not None:
            await set_tags(conversation_id, tags, call)
        return await one(conversation_id)

    async def list_messages(call: Call) -> Reply:
        q: MessagesQuery = call.query
        conversation_id = await site_conversation(call)
        async with call.services.db.connect() as conn:
            found = await queries.messages_page(
                conn, conversation_id, q.limit, q.before_id, q.include_internal
            )
        return page([dict(wire.message(m)) for m in found], q.limit, len(found) > q.limit)

    async def post_message(call: Call) -> Reply:
        body: MessageCreate = call.body
        conversation_id = await site_conversation(call)
        actor = await _author(call, body)
        message = await call.services.conversations.post_message(
            actor,
            conversation_id,
            body.client_id or "api-" + secrets.token_hex(8),
            body.body,
            internal=body.internal,
        )
        return dict(wire.message(message))

    path = "/conversations/{conversation_id}"
    api.add(
        Operation("GET", "/conversations", list_conversations, "List conversations", TAG,
                  query=ConversationsQuery, response=Conversation, paged=True),
        Operation("POST", "/conversations", start_conversation,
                  "Start (or find) a contact's open conversation", TAG, "write",
                  body=ConversationStart, response=Conversation, status=201),
        Operation("GET", path, get_conversation, "Get a conversation", TAG,
                  response=Conversation),
        Operation("PATCH", path, update_conversation,
                  "Close, reopen, assign or tag a conversation",
                  TAG, "write", body=ConversationUpdate, response=Conversation),
        Operation("GET", path + "/messages", list_messages, "List a conversation's messages",
                  "messages", query=MessagesQuery, response=Message, paged=True),
        Operation("POST", path + "/messages", post_message,
                  "Send a message as an operator or the bot, or add an internal note",
                  "messages", "write", body=MessageCreate, response=Message, status=201),
    )  # fmt: skip


async def _author(call: Call, body: MessageCreate) -> Actor:
    if body.author == "bot":
        return Actor.bot(body.bot_name)
    assert body.operator_id is not None
    operator = await call.services.operators.get(body.operator_id)
    if operator is None:
        raise ApiError(404, "no such operator", field="body.operator_id")
    return Actor.operator(operator.id, operator.name)
