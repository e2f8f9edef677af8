"""Full-text search across tickets, conversations and contacts (docs/inbox.md, "Search")."""

from __future__ import annotations

from porch.db import fulltext
from porch.db.engine import Database
from porch.search import queries
from porch.search.models import Filters, Hit

MAX_QUERY = 200
MAX_LIMIT = 50


class SearchService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def search(self, text: str, filters: Filters | None = None) -> list[Hit]:
        """The best `filters.limit` results for `text`, best first; one per ticket,
        conversation or contact, each with the snippet of its best match. Words are
        matched as prefixes and all must appear; nothing to search for finds nothing."""
        filters = filters or Filters()
        words = fulltext.terms(text[:MAX_QUERY])
        if not words:
            return []
        limit = max(1, min(filters.limit, MAX_LIMIT))
        wanted = Filters(filters.kinds, filters.status, filters.since, filters.until, limit)
        found: list[Hit] = []
        async with self.db.connect() as conn:
            if "ticket" in wanted.kinds:
                found += await queries.ticket_hits(conn, words, wanted, self.db.dialect)
            if "conversation" in wanted.kinds:
                found += await queries.conversation_hits(conn, words, wanted, self.db.dialect)
            if "contact" in wanted.kinds:
                found += await queries.contact_hits(conn, words, wanted, self.db.dialect)
        return _best_per_result(found)[:limit]


def _best_per_result(found: list[Hit]) -> list[Hit]:
    best: dict[tuple[str, int], Hit] = {}
    for hit in sorted(found, key=lambda h: -h.score):
        best.setdefault((hit.kind, hit.id), hit)
    return list(best.values())
