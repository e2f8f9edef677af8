"""The knowledge base of each site: add, list, refresh and remove sources; their text is
chunked and indexed in the same transaction (porch.db.bot_fulltext)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.bot.knowledge import chunking, extract
from porch.bot.knowledge.fetch import FetchRefused, fetch
from porch.bot.knowledge.models import Document, Source
from porch.bot.tables import kb_chunks, kb_sources
from porch.clock import Clock
from porch.db import bot_fulltext
from porch.db.engine import Database
from porch.errors import Invalid, NotFound

MAX_FILE_BYTES = 10_000_000
MAX_QA_CHARS = 4000


class KnowledgeBase:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # -- adding ---------------------------------------------------------------------------

    async def add(self, site_id: int, target: str, *, allow_private: bool = False) -> list[Source]:
        """A URL (a page, or a sitemap: each of its pages) or a local file path."""
        if target.startswith(("http://", "https://")):
            if target.rstrip("/").endswith(".xml"):
                return await self.add_sitemap(site_id, target, allow_private=allow_private)
            return [await self.add_url(site_id, target, allow_private=allow_private)]
        path = Path(target)
        if not path.is_file():
            raise Invalid(f"no such file or URL: {target}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise Invalid(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return [await self.add_file(site_id, path.name, path.read_bytes())]

    async def add_url(self, site_id: int, url: str, *, allow_private: bool = False) -> Source:
        try:
            page = await fetch(url, allow_private=allow_private)
            title, text = extract.text_of(url, page.content_type, page.body, page.url)
        except (FetchRefused, extract.Unreadable) as error:
            return await self._failed(site_id, "url", url, str(error))
        return await self._store(site_id, "url", url, Document(title or url, url, text))

    async def add_sitemap(
        self, site_id: int, url: str, *, allow_private: bool = False
    ) -> list[Source]:
        try:
            sitemap = await fetch(url, allow_private=allow_private)
            pages = extract.sitemap_urls(sitemap.body)
        except (FetchRefused, extract.Unreadable) as error:
            return [await self._failed(site_id, "sitemap", url, str(error))]
        return [await self.add_url(site_id, page, allow_private=allow_private) for page in pages]

    async def add_file(self, site_id: int, name: str, data: bytes) -> Source:
        """Markdown, text, HTML or PDF, checked by its content; read in a thread (a long
        PDF takes a while)."""
        try:
            title, text = await asyncio.to_thread(extract.file_text, name, data)
        except extract.Unreadable as error:
            return await self._failed(site_id, "file", name, str(error))
        return await self._store(site_id, "file", name, Document(title or name, "", text), text)

    async def add_qa(self, site_id: int, question: str, answer: str, url: str = "") -> Source:
        question, answer = question.strip(), answer.strip()
        if not question or not answer or len(question) + len(answer) > MAX_QA_CHARS:
            raise Invalid(f"a Q&A pair needs a question and an answer (≤ {MAX_QA_CHARS} chars)")
        document = Document(question, url, f"{question}\n{answer}")
        return await self._store(site_id, "qa", question[:2000], document, answer)

    async def add_document(self, site_id: int, kind: str, document: Document) -> Source:
        """Text from elsewhere (the demo's pages, a Shopify store's products and policies)."""
        return await self._store(
            site_id, kind, document.url or document.title, document, document.text
        )

    # -- reading and changing -------------------------------------------------------------

    async def sources(self, site_id: int) -> list[Source]:
        query = kb_sources.select().where(kb_sources.c.site_id == site_id)
        async with self.db.connect() as conn:
            rows = await conn.execute(query.order_by(kb_sources.c.id))
        return [_source(row._mapping) for row in rows]

    async def remove(self, site_id: int, source_id: int) -> None:
        async with self.db.begin() as conn:
            await _source_or_raise(conn, site_id, source_id)
            await _drop_chunks(conn, source_id)
            await conn.execute(kb_sources.delete().where(kb_sources.c.id == source_id))

    async def refresh(self, site_id: int, source_id: int, *, allow_private: bool = False) -> Source:
        """Read a page again; files, Q&A pairs and documents are indexed again from the
        text they were added with."""
        async with self.db.connect() as conn:
            source = await _source_or_raise(conn, site_id, source_id)
        if source.kind == "url":
            try:
                page = await fetch(source.location, allow_private=allow_private)
                title, text = extract.text_of(
                    source.location, page.content_type, page.body, page.url
                )
            except (FetchRefused, extract.Unreadable) as error:
                return await self._set_failed(source_id, str(error))
            document = Document(title or source.location, source.location, text)
            return await self._store(site_id, "url", source.location, document, into=source_id)
        stored = await self._stored(source)
        if stored is not None:
            document, content = stored
            return await self._store(
                site_id, source.kind, source.location, document, content, into=source_id
            )
        async with self.db.begin() as conn:
            update = kb_sources.update().where(kb_sources.c.id == source_id)
            await conn.execute(update.values(refreshed_at=self.clock.now()))
            return await _source_or_raise(conn, site_id, source_id)

    async def _stored(self, source: Source) -> tuple[Document, str] | None:
        """The text a file, Q&A pair or document was added with, to index it again (with
        today's chunking); None when nothing was kept (a failed source)."""
        async with self.db.connect() as conn:
            content = await conn.scalar(
                sa.select(kb_sources.c.content).where(kb_sources.c.id == source.id)
            )
            url = await conn.scalar(
                sa.select(kb_chunks.c.url).where(kb_chunks.c.source_id == source.id).limit(1)
            )
        if not content:
            return None
        text = f"{source.location}\n{content}" if source.kind == "qa" else content
        return Document(source.title, url or "", text), content

    # -- storing --------------------------------------------------------------------------

    async def _store(
        self,
        site_id: int,
        kind: str,
        location: str,
        document: Document,
        content: str | None = None,
        into: int | None = None,
    ) -> Source:
        pieces = chunking.chunks(document.text)
        if not pieces:
            return await self._failed(site_id, kind, location, "no text found")
        values: dict[str, Any] = {
            "site_id": site_id,
            "kind": kind,
            "location": location[:2000],
            "title": document.title[:300],
            "status": "ready",
            "error": None,
            "size": len(document.text),
            "chunks": len(pieces),
            "content": content,
            "refreshed_at": self.clock.now(),
        }
        async with self.db.begin() as conn:
            if into is None:
                into = int(_new_id(await conn.execute(kb_sources.insert().values(values))))
            else:
                await _drop_chunks(conn, into)
                await conn.execute(
                    kb_sources.update().where(kb_sources.c.id == into).values(values)
                )
            await _insert_chunks(conn, site_id, into, document, pieces)
            return await _source_or_raise(conn, site_id, into)

    async def _failed(self, site_id: int, kind: str, location: str, error: str) -> Source:
        values = {
            "site_id": site_id,
            "kind": kind,
            "location": location[:2000],
            "title": location[:300],
            "status": "failed",
            "error": error[:500],
            "size": 0,
            "chunks": 0,
            "refreshed_at": self.clock.now(),
        }
        async with self.db.begin() as conn:
            result = await conn.execute(kb_sources.insert().values(values))
            return await _source_or_raise(conn, site_id, _new_id(result))

    async def _set_failed(self, source_id: int, error: str) -> Source:
        async with self.db.begin() as conn:
            update = kb_sources.update().where(kb_sources.c.id == source_id)
            await conn.execute(update.values(status="failed", error=error[:500]))
            row = (
                await conn.execute(kb_sources.select().where(kb_sources.c.id == source_id))
            ).one()
            return _source(row._mapping)


async def _insert_chunks(
    conn: AsyncConnection, site_id: int, source_id: int, document: Document, pieces: list[str]
) -> None:
    title = document.title[:300]
    rows = []
    for text in pieces:
        values = {
            "site_id": site_id,
            "source_id": source_id,
            "title": title,
            "url": document.url[:2000],
            "text": text,
        }
        chunk_id = _new_id(await conn.execute(kb_chunks.insert().values(values)))
        rows.append((int(chunk_id), title, text))
    await bot_fulltext.index(conn, rows)


async def _drop_chunks(conn: AsyncConnection, source_id: int) -> None:
    ids = list(
        await conn.scalars(sa.select(kb_chunks.c.id).where(kb_chunks.c.source_id == source_id))
    )
    await bot_fulltext.unindex(conn, ids)
    await conn.execute(kb_chunks.delete().where(kb_chunks.c.source_id == source_id))


async def _source_or_raise(conn: AsyncConnection, site_id: int, source_id: int) -> Source:
    query = kb_sources.select().where(kb_sources.c.id == source_id, kb_sources.c.site_id == site_id)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(f"no knowledge source {source_id}")
    return _source(row._mapping)


def _source(values: Any) -> Source:
    return Source(
        values["id"],
        values["site_id"],
        values["kind"],
        values["location"],
        values["title"],
        values["status"],
        values["error"],
        values["size"],
        values["chunks"],
        values["refreshed_at"],
    )


def utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
