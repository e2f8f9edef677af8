"""What the flow engine knows about a visitor when it decides: their record, this visit,
the page, the browser, the cart. Read once per decision (session, trigger, step)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.sites.models import Site
from porch.visitors import queries as visitor_queries
from porch.visitors.models import Visitor
from porch.visitors.tables import page_views

VISIT_GAP = visitor_queries.VISIT_GAP


@dataclass(frozen=True)
class Facts:
    visitor: Visitor
    site: Site
    now: datetime
    url: str = ""
    referrer: str = ""
    visit_started_at: datetime | None = None
    pages_in_visit: int = 0
    returning: bool = False
    """Seen in an earlier visit (a page view before this visit's)."""
    operators_online: bool = False
    user_agent: str = ""
    language: str = ""
    cart: dict[str, Any] = field(default_factory=dict)
    """`{"value": float, "items": int}` as the loader last saw it (Shopify or the SDK)."""

    @property
    def seconds_on_site(self) -> float:
        if self.visit_started_at is None:
            return 0.0
        return max(0.0, (self.now - self.visit_started_at).total_seconds())

    def context(self) -> dict[str, Any]:
        """What a run keeps of these (JSON), to judge its conditions later alike."""
        return {
            "url": self.url,
            "referrer": self.referrer,
            "user_agent": self.user_agent,
            "language": self.language,
            "cart": self.cart,
        }


async def read_visit(
    conn: AsyncConnection, visitor_id: int, now: datetime
) -> tuple[datetime | None, int, bool, str, str]:
    """(visit start, pages in it, returning, current url, referrer of its first page)."""
    query = (
        sa.select(page_views.c.url, page_views.c.referrer, page_views.c.created_at)
        .where(page_views.c.visitor_id == visitor_id)
        .order_by(page_views.c.created_at.desc(), page_views.c.id.desc())
        .limit(500)
    )
    views = (await conn.execute(query)).all()
    if not views:
        return None, 0, False, "", ""
    started, count, referrer = views[0].created_at, 0, views[0].referrer
    returning = False
    for view in views:
        if started - view.created_at >= VISIT_GAP:
            returning = True
            break
        started, count, referrer = view.created_at, count + 1, view.referrer
    if now - views[0].created_at >= VISIT_GAP:  # the last visit is over: a new one starts
        return now, 0, True, views[0].url, ""
    return started, count, returning, views[0].url, referrer


async def gather(
    conn: AsyncConnection,
    visitor: Visitor,
    site: Site,
    now: datetime,
    operators_online: bool,
    context: dict[str, Any] | None = None,
) -> Facts:
    context = context or {}
    started, pages, returning, url, referrer = await read_visit(conn, visitor.id, now)
    cart = context.get("cart")
    return Facts(
        visitor=visitor,
        site=site,
        now=now,
        url=str(context.get("url") or url),
        referrer=str(context.get("referrer") or referrer),
        visit_started_at=started,
        pages_in_visit=pages,
        returning=returning,
        operators_online=operators_online,
        user_agent=str(context.get("user_agent") or ""),
        language=str(context.get("language") or ""),
        cart=cart if isinstance(cart, dict) else {},
    )


def visit_start(facts: Facts) -> datetime:
    """For "once per session" caps: when this visit began (now if unknown)."""
    return facts.visit_started_at or facts.now - timedelta(seconds=0)
