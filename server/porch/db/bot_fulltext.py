"""The bot's knowledge full-text index, the dialect-specific part (DESIGN.md "Storage"):
an FTS5 table ranked by BM25 on SQLite, a tsvector GIN expression index ranked by
`ts_rank_cd` on PostgreSQL. Both take the same plain-words query: the question's words,
stop words dropped, any of them may match (the best passages match most)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

MAX_TERMS = 24
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "should",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    title: str
    url: str
    text: str
    score: float
    """Higher is better (BM25 negated on SQLite, ts_rank_cd on PostgreSQL)."""


def terms(question: str) -> list[str]:
    """The searchable words of a question, lower-cased, without stop words, deduplicated."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(question.lower()):
        if word not in STOP_WORDS and len(word) > 1:
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


async def index(conn: AsyncConnection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Add `(chunk id, title, text)` rows to the index (PostgreSQL indexes the table
    itself: nothing to do)."""
    if conn.dialect.name != "sqlite" or not rows:
        return
    await conn.execute(
        sa.text("INSERT INTO kb_chunks_fts(rowid, title, text) VALUES (:id, :title, :text)"),
        [{"id": i, "title": t, "text": x} for i, t, x in rows],
    )


async def unindex(conn: AsyncConnection, chunk_ids: Sequence[int]) -> None:
    if conn.dialect.name != "sqlite" or not chunk_ids:
        return
    await conn.execute(
        sa.text("DELETE FROM kb_chunks_fts WHERE rowid = :id"), [{"id": i} for i in chunk_ids]
    )


_SQLITE = sa.text(
    "SELECT c.id, c.title, c.url, c.text, -bm25(kb_chunks_fts, 2.0, 1.0) AS score"
    " FROM kb_chunks_fts JOIN kb_chunks c ON c.id = kb_chunks_fts.rowid"
    " WHERE kb_chunks_fts MATCH :query AND c.site_id = :site_id"
    " ORDER BY bm25(kb_chunks_fts, 2.0, 1.0) LIMIT :limit"
)
_POSTGRES = sa.text(
    "SELECT c.id, c.title, c.url, c.text,"
    " ts_rank_cd(to_tsvector('english', c.title || ' ' || c.text), q) AS score"
    " FROM kb_chunks c, to_tsquery('english', :query) q"
    " WHERE c.site_id = :site_id"
    " AND to_tsvector('english', c.title || ' ' || c.text) @@ q"
    " ORDER BY score DESC, c.id LIMIT :limit"
)


async def search(conn: AsyncConnection, site_id: int, question: str, limit: int) -> list[Hit]:
    """The `limit` best chunks of the site for `question`, best first."""
    words = terms(question)
    if not words:
        return []
    if conn.dialect.name == "sqlite":
        statement, query = _SQLITE, " OR ".join(f'"{w}"' for w in words)
    else:
        statement, query = _POSTGRES, " | ".join(w for w in words if w.isalnum())
    params: dict[str, Any] = {"query": query, "site_id": site_id, "limit": limit}
    rows = await conn.execute(statement, params)
    return [Hit(r.id, r.title, r.url, r.text, float(r.score)) for r in rows]
