"""Finding the passages that answer a question: the site's best chunks by full-text rank
(porch.db.bot_fulltext), at most a few, and none that rank too far below the best."""

from __future__ import annotations

from porch.db import bot_fulltext
from porch.db.bot_fulltext import Hit
from porch.db.engine import Database

TOP_K = 5


async def retrieve(db: Database, site_id: int, question: str, limit: int = TOP_K) -> list[Hit]:
    async with db.connect() as conn:
        return await bot_fulltext.search(conn, site_id, question, limit)
