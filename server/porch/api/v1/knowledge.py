"""/knowledge-sources: what the site's bot answers from (docs/bot.md): list, add a page, a
sitemap (each of its pages), a Q&A pair or a file, refresh, remove. Pages are fetched
through `porch.outbound`'s rules: private addresses only when the site's Bot settings or
the install allow them."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError
from porch.api.pagination import PageQuery, page_in_memory
from porch.api.v1.schemas import Input, KnowledgeSourceList
from porch.api.v1.schemas import KnowledgeSource as Shape
from porch.bot import settings
from porch.bot.knowledge.models import Source
from porch.bot.knowledge.store import MAX_QA_CHARS, KnowledgeBase
from porch.errors import NotFound
from porch.outbound import TargetRefused, check_url
from porch.text import TextOnly

TAG = "knowledge sources"
MAX_FILE_BASE64 = 900_000
"""A file's base64 text at most (the API's bodies are at most 1 MiB)."""


def _fetchable(url: str) -> str:
    try:
        check_url(url)
    except TargetRefused as refused:
        raise ValueError(str(refused)) from None
    return url


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^https?://", max_length=2000),
    TextOnly,
    AfterValidator(_fetchable),
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QA_CHARS), TextOnly
]
FileName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"(?i)^[^/\\]{1,200}\.(md|markdown|txt|html?|pdf)$"
    ),
    TextOnly,
]


class SourceAdd(Input):
    """`url`: a page (`kind: url`) or a sitemap, each of whose pages is added
    (`kind: sitemap`); `question` and `answer`: a Q&A pair; `file_name` and
    `content_base64`: a Markdown, text, HTML or PDF file."""

    kind: Literal["url", "sitemap", "qa", "file"]
    url: Url | None = None
    question: Text | None = None
    answer: Text | None = None
    file_name: FileName | None = None
    content_base64: Annotated[str, Field(max_length=MAX_FILE_BASE64)] | None = None

    @model_validator(mode="after")
    def _complete(self) -> SourceAdd:
        needs = {
            "url": ("url",),
            "sitemap": ("url",),
            "qa": ("question", "answer"),
            "file": ("file_name", "content_base64"),
        }[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} source needs {' and '.join(needs)}")
        return self


def shape(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "kind": source.kind,
        "location": source.location,
        "title": source.title,
        "status": source.status,
        "error": source.error,
        "size": source.size,
        "chunks": source.chunks,
        "refreshed_at": source.refreshed_at.isoformat(),
    }


def install(api: Api) -> None:
    services = api.services
    kb = KnowledgeBase(services.db, services.clock)

    async def allow_private(site_id: int) -> bool:
        async with services.db.connect() as conn:
            allowed = (await settings.load(conn, site_id)).allow_private_urls
        return allowed or services.config.allow_private_targets

    async def site_source(call: Call) -> Source:
        for source in await kb.sources(call.site_id):
            if source.id == call.ids["source_id"]:
                return source
        raise NotFound("no such knowledge source")

    async def list_sources(call: Call) -> Reply:
        q: PageQuery = call.query
        return page_in_memory(await kb.sources(call.site_id), q, shape)

    async def get_source(call: Call) -> Reply:
        return shape(await site_source(call))

    async def add_source(call: Call) -> Reply:
        body: SourceAdd = call.body
        site_id = call.site_id
        if body.kind == "qa":
            assert body.question is not None and body.answer is not None
            return {"data": [shape(await kb.add_qa(site_id, body.question, body.answer))]}
        if body.kind == "file":
            assert body.file_name is not None and body.content_base64 is not None
            data = _decoded(body.content_base64)
            return {"data": [shape(await kb.add_file(site_id, body.file_name, data))]}
        assert body.url is not None
        allow = await allow_private(site_id)
        if body.kind == "sitemap":
            added = await kb.add_sitemap(site_id, body.url, allow_private=allow)
        else:
            added = [await kb.add_url(site_id, body.url, allow_private=allow)]
        return {"data": [shape(s) for s in added]}

    async def refresh_source(call: Call) -> Reply:
        source = await site_source(call)
        allow = await allow_private(call.site_id)
        return shape(await kb.refresh(call.site_id, source.id, allow_private=allow))

    async def remove_source(call: Call) -> Reply:
        await kb.remove(call.site_id, (await site_source(call)).id)
        return None

    one = "/knowledge-sources/{source_id}"
    api.add(
        Operation("GET", "/knowledge-sources", list_sources,
                  "List the bot's knowledge sources", TAG, query=PageQuery, response=Shape,
                  paged=True),
        Operation("POST", "/knowledge-sources", add_source,
                  "Add a page, a sitemap's pages, a Q&A pair or a file (a source that could "
                  "not be read is added with status failed and its error)", TAG, "write",
                  body=SourceAdd, response=KnowledgeSourceList, status=201),
        Operation("GET", one, get_source, "Get a knowledge source", TAG, response=Shape),
        Operation("POST", one + "/refresh", refresh_source,
                  "Read a page source again (others keep their text)", TAG, "write",
                  response=Shape),
        Operation("DELETE", one, remove_source, "Remove a knowledge source", TAG, "write",
                  status=204),
    )  # fmt: skip


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "not base64", field="body.content_base64") from None
