"""With the consent gate on, the loader's session request records no page view (and
shows no one to operators) until the visitor has agreed; then it records them again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.privacy.tables import consents
from porch.sites.directory import SiteDirectory
from porch.visitors.tables import page_views
from tests.support.panel import app_client

SHOP = "https://shop.example"
PAGE = {"url": f"{SHOP}/shoes", "title": "Shoes", "referrer": ""}


async def _views(database_url: str) -> list[str]:
    db = Database(database_url)
    async with db.connect() as conn:
        found = list(await conn.scalars(sa.select(page_views.c.url).order_by(page_views.c.id)))
    await db.dispose()
    return found


async def _agree(database_url: str, visitor_id: int, site_id: int) -> None:
    """What `consent.give` on the visitor's socket stores."""
    db = Database(database_url)
    async with db.begin() as conn:
        await conn.execute(
            consents.insert().values(
                visitor_id=visitor_id, site_id=site_id, at=datetime.now(UTC), notice="OK"
            )
        )
    await db.dispose()


async def test_no_page_view_before_consent(tmp_path: Path, database_url: str) -> None:
    db = Database(database_url)
    sites = SiteDirectory(db, EventBus())
    gated = await sites.create("Gated", [SHOP])
    await sites.update_settings(gated.id, consent_required=True)
    open_site = await sites.create("Open", [SHOP])
    await db.dispose()
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="consent-secret")
    async with app_client(config, SHOP) as http:

        async def session(key: str, token: str | None = None) -> dict:
            body = {"site_key": key, "visitor_token": token, "page": PAGE}
            reply = await http.post("/widget/v1/session", json=body, headers={"Origin": SHOP})
            assert reply.status_code == 200
            return reply.json()

        first = await session(gated.key)
        again = await session(gated.key, first["visitor_token"])
        assert again["visitor"]["id"] == first["visitor"]["id"]  # the token still works
        assert await _views(database_url) == []
        await session(open_site.key)  # a site without the gate records as before
        assert await _views(database_url) == [PAGE["url"]]

        await _agree(database_url, first["visitor"]["id"], gated.id)
        await session(gated.key, first["visitor_token"])
        assert await _views(database_url) == [PAGE["url"], PAGE["url"]]
