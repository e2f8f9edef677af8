"""Full-text search SQL, per dialect: SQLite FTS5 external-content tables (kept in sync by
triggers, made by migration 0013) and PostgreSQL `to_tsvector` expressions (GIN indexes on
the same expressions, so the planner uses them).

Callers get SQLAlchemy expressions for "matches", "score" (higher is better) and
"snippet" (the matched words wrapped in `MARK_START`/`MARK_END`, never HTML); the query
text a person typed only ever reaches the database as a bound parameter, after `terms`
reduced it to words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

MARK_START = "\ue000"
MARK_END = "\ue001"
"""Private-use characters around each hit in a snippet: split on them, then render each
piece as text (user text cannot forge HTML through a mark)."""

MAX_TERMS = 8
MAX_TERM = 64
SNIPPET_WORDS = 16

_WORD = re.compile(r"[^\W_]+")

FTS_TABLES = ("messages_fts", "tickets_fts", "ticket_notes_fts", "visitors_fts")
"""The SQLite virtual tables (and, by prefix, their shadow tables) migration 0013 makes."""


def terms(query: str) -> list[str]:
    """The words of a query, lowercased: operators and punctuation are dropped, so nothing a
    person types is FTS syntax."""
    return [w[:MAX_TERM] for w in _WORD.findall(query.casefold())][:MAX_TERMS]


def is_fulltext_table(name: str | None) -> bool:
    """For schema comparisons: the FTS tables are not in `metadata`."""
    return bool(name) and any(str(name).startswith(t) for t in FTS_TABLES)


@dataclass(frozen=True)
class Source:
    """One searchable text: an FTS5 table (SQLite) and the expression indexed (PostgreSQL).

    `pg_document` is SQL over the source table's columns, exactly as in the GIN index."""

    fts_table: str
    pg_document: str
    snippet_column: int = -1  # FTS5: -1 picks the best matching column
    pg_only: str | None = None  # the partial index's condition, part of every match


MESSAGES = Source("messages_fts", "messages.body")
TICKETS = Source("tickets_fts", "tickets.subject || ' ' || tickets.description")
NOTES = Source(
    "ticket_notes_fts",
    "coalesce(ticket_events.data ->> 'body', '')",
    0,
    "ticket_events.kind = 'note'",
)
CONTACTS = Source("visitors_fts", "visitors.name || ' ' || coalesce(visitors.email, '')")
CONTACTS_PG_INDEXED = "visitors.name || ' ' || translate(coalesce(visitors.email, ''), '@.', '  ')"
"""Contacts index their email split at `@` and `.`, as FTS5's tokenizer does, so "shop"
finds amber@shop.example on both backends."""


@dataclass(frozen=True)
class Match:
    """The pieces of one full-text query over one source."""

    where: ColumnElement[bool]
    score: ColumnElement[float]
    snippet: ColumnElement[str]
    fts: sa.TableClause | None  # SQLite: join this on `rowid`


def match(dialect: str, source: Source, words: list[str]) -> Match:
    if dialect == "sqlite":
        return _fts5(source, words)
    return _postgres(source, words)


def _fts5(source: Source, words: list[str]) -> Match:
    table: ColumnElement[object] = sa.literal_column(source.fts_table)
    query = " ".join(f'"{w}"*' for w in words)  # words only: quoting cannot be escaped
    snippet = sa.func.snippet(
        table, source.snippet_column, MARK_START, MARK_END, "…", SNIPPET_WORDS
    )
    return Match(
        where=table.op("MATCH")(query),
        score=-sa.func.bm25(table),  # bm25 is lower for better matches
        snippet=snippet,
        fts=sa.table(source.fts_table, sa.column("rowid")),
    )


def _postgres(source: Source, words: list[str]) -> Match:
    indexed = CONTACTS_PG_INDEXED if source is CONTACTS else source.pg_document
    vector: ColumnElement[object] = sa.literal_column(
        f"to_tsvector('simple'::regconfig, {indexed})"
    )
    query = sa.func.to_tsquery(
        sa.literal_column("'simple'::regconfig"), " & ".join(f"{w}:*" for w in words)
    )
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
        "MinWords=6, ShortWord=0, MaxFragments=1, FragmentDelimiter=…"
    )
    snippet = sa.func.ts_headline(
        sa.literal_column("'simple'::regconfig"),
        sa.literal_column(source.pg_document),
        query,
        options,
    )
    where: ColumnElement[bool] = vector.op("@@")(query)
    if source.pg_only:
        where = sa.and_(sa.text(source.pg_only), where)
    return Match(
        where=where,
        score=sa.func.ts_rank(vector, query),
        snippet=snippet,
        fts=None,
    )


def segments(snippet: str | None) -> list[tuple[str, bool]]:
    """A marked snippet as (text, is_hit) pieces, in order; marks never reach the page."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate((snippet or "").split(MARK_START)):
        hit, _, rest = part.partition(MARK_END) if i else ("", "", part)
        if hit:
            pieces.append((hit, True))
        if rest:
            pieces.append((rest.replace(MARK_END, ""), False))
    return pieces
