"""Cursor pagination: `?limit=&cursor=`, replies `{"data": [...], "meta": {"next_cursor"}}`.

Lists are newest first by id; the cursor is the opaque form of the last id shown, so a
page never repeats or skips rows when new ones arrive in between.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from porch.api.errors import ApiError


class HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=HasId)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit() or len(value) > 12:
            raise ValueError(cursor)
        return int(value)
    except ValueError:
        raise ApiError(400, "not a cursor this API gave out", field="cursor") from None


class PageQuery(BaseModel):
    """Every list's paging parameters (a resource's filters add to them)."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    cursor: Annotated[str, Field(max_length=64)] | None = None

    @field_validator("cursor")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value:  # an empty cursor is the first page
            decode(value)
        return value

    @property
    def before_id(self) -> int | None:
        return decode(self.cursor) if self.cursor else None


def page(items: Sequence[dict[str, Any]], limit: int, has_more: bool) -> dict[str, Any]:
    """The reply for a page read with `limit + 1` rows (`has_more`: the extra one came)."""
    shown = list(items[:limit])
    next_cursor = encode(int(shown[-1]["id"])) if has_more and shown else None
    return {"data": shown, "meta": {"next_cursor": next_cursor}}


def page_in_memory(
    records: Sequence[T], query: PageQuery, shape: Callable[[T], dict[str, Any]]
) -> dict[str, Any]:
    """A page of a short list read whole (a site's flows, canned replies, sources): newest
    first by `id`, like the lists read a page at a time."""
    newest = sorted(records, key=lambda r: -r.id)
    shown = [r for r in newest if query.before_id is None or r.id < query.before_id]
    return page([shape(r) for r in shown[: query.limit + 1]], query.limit, len(shown) > query.limit)
