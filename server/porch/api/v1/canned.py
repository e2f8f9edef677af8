"""/canned-replies: the site's canned replies (shared, or an operator's own), as
Settings → Canned replies keeps them (docs/inbox.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError
from porch.api.pagination import PageQuery, page_in_memory
from porch.api.v1.schemas import ApiId, Input
from porch.api.v1.schemas import CannedReply as Shape
from porch.canned.models import MAX_BODY, MAX_TITLE, CannedReply
from porch.canned.service import CannedReplies
from porch.text import TextOnly

TAG = "canned replies"
Shortcut = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^/?[a-z0-9][a-z0-9_-]{0,31}$")
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE), TextOnly
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY), TextOnly
]


class CannedQuery(PageQuery):
    operator_id: ApiId | None = None
    """The shared replies and this operator's own (without it: the shared ones only)."""


class CannedCreate(Input):
    shortcut: Shortcut
    """Typed after `/` in the reply box: 1 to 32 lowercase letters, digits, - or _."""
    title: Title
    body: Text
    """May hold {{contact.name}}, {{contact.email}}, {{operator.name}}, {{site.name}}."""
    operator_id: ApiId | None = None
    """That operator's own reply; without it, shared by every operator."""


class CannedUpdate(Input):
    shortcut: Shortcut | None = None
    title: Title | None = None
    body: Text | None = None


def shape(reply: CannedReply) -> dict[str, object]:
    return {
        "id": reply.id,
        "shortcut": reply.shortcut,
        "title": reply.title,
        "body": reply.body,
        "operator_id": reply.operator_id,
        "created_at": reply.created_at.isoformat(),
        "updated_at": reply.updated_at.isoformat(),
    }


def install(api: Api) -> None:
    canned = CannedReplies(api.services.db, api.services.clock)

    async def known_operator(operator_id: int | None) -> None:
        if operator_id is not None and await api.services.operators.get(operator_id) is None:
            raise ApiError(404, "no such operator", field="operator_id")

    async def list_replies(call: Call) -> Reply:
        q: CannedQuery = call.query
        await known_operator(q.operator_id)
        return page_in_memory(await canned.replies(call.site_id, q.operator_id), q, shape)

    async def create(call: Call) -> Reply:
        body: CannedCreate = call.body
        await known_operator(body.operator_id)
        made = await canned.add(
            call.site_id, body.shortcut, body.title, body.body, body.operator_id
        )
        return shape(made)

    async def get(call: Call) -> Reply:
        return shape(await canned.get(call.site_id, call.ids["reply_id"]))

    async def update(call: Call) -> Reply:
        body: CannedUpdate = call.body
        changed = await canned.update(
            call.site_id, call.ids["reply_id"], shortcut=body.shortcut, title=body.title,
            body=body.body,
        )  # fmt: skip
        return shape(changed)

    async def delete(call: Call) -> Reply:
        found = await canned.get(call.site_id, call.ids["reply_id"])
        await canned.remove(found.id)
        return None

    one = "/canned-replies/{reply_id}"
    api.add(
        Operation("GET", "/canned-replies", list_replies, "List canned replies", TAG,
                  query=CannedQuery, response=Shape, paged=True),
        Operation("POST", "/canned-replies", create, "Add a canned reply", TAG, "write",
                  body=CannedCreate, response=Shape, status=201),
        Operation("GET", one, get, "Get a canned reply", TAG, response=Shape),
        Operation("PATCH", one, update, "Change a canned reply", TAG, "write",
                  body=CannedUpdate, response=Shape),
        Operation("DELETE", one, delete, "Remove a canned reply", TAG, "write", status=204),
    )  # fmt: skip
