"""/tags: the tags in use on the site, on tickets and on conversations, with counts.
A tag exists while something carries it: tickets take theirs with `PATCH /tickets/{id}`,
conversations with `PATCH /conversations/{id}`."""

from __future__ import annotations

import base64
from typing import Any

from pydantic import field_validator

from porch.api import queries
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError
from porch.api.pagination import PageQuery
from porch.api.v1.schemas import TagUse

TAG = "tags"


def encode(name: str) -> str:
    return base64.urlsafe_b64encode(f"tag:{name}".encode()).decode().rstrip("=")


def decode(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        text = ""
    kind, _, name = text.partition(":")
    if kind != "tag":
        raise ApiError(400, "not a cursor this API gave out", field="cursor")
    return name


class TagsQuery(PageQuery):
    """By name (A to Z); the cursor is the last name shown."""

    @field_validator("cursor")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value:
            decode(value)
        return value

    @property
    def after(self) -> str | None:
        return decode(self.cursor) if self.cursor else None


def install(api: Api) -> None:
    async def list_tags(call: Call) -> Reply:
        q: TagsQuery = call.query
        async with call.services.db.connect() as conn:
            on_tickets = await queries.ticket_tags(conn, call.site_id)
            on_chats = await queries.conversation_tags_used(conn, call.site_id)
        names = sorted(set(on_tickets) | set(on_chats))
        shown = [n for n in names if q.after is None or n > q.after][: q.limit + 1]
        items: list[dict[str, Any]] = [
            {"name": n, "tickets": on_tickets.get(n, 0), "conversations": on_chats.get(n, 0)}
            for n in shown[: q.limit]
        ]
        next_cursor = encode(shown[q.limit - 1]) if len(shown) > q.limit else None
        return {"data": items, "meta": {"next_cursor": next_cursor}}

    api.add(
        Operation("GET", "/tags", list_tags,
                  "The tags in use on tickets and conversations, with counts", TAG,
                  query=TagsQuery, response=TagUse, paged=True),
    )  # fmt: skip
