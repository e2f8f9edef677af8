"""Sites: the shops that embed the widget, their allowed origins, widget settings and
identity secret.

Every write commits first and then publishes an event (`SiteUpdated`,
`IdentitySecretRotated`), so open widgets and integrations follow at once.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from porch.chat import queries
from porch.chat.errors import NotFound, SiteError
from porch.chat.events import IdentitySecretRotated, SiteUpdated
from porch.chat.identity import new_identity_secret
from porch.chat.models import Site
from porch.chat.origins import normalize_origin
from porch.chat.settings import SiteSettingsUpdate
from porch.chat.tables import sites
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.events import EventBus

DEFAULT_SETTINGS: dict[str, Any] = {
    "typing_preview": True,
    "color": "#4f46e5",
    "greeting": "Hi! How can we help?",
}
MAX_SITE_NAME = 200  # sites.name is VARCHAR(200)
MAX_ORIGINS = 50


def site_problems(name: str | None = None, origins: list[str] | None = None) -> dict[str, str]:
    """What is wrong with a site's name and allowed origins (None: not given), by field.

    An origin is `scheme://host[:port]` or `https://*.example.com` for any subdomain.
    """
    problems: dict[str, str] = {}
    if name is not None and not name.strip():
        problems["name"] = "A site needs a name."
    elif name is not None and len(name.strip()) > MAX_SITE_NAME:
        problems["name"] = f"A site name has at most {MAX_SITE_NAME} characters."
    if origins is not None:
        bad = [o for o in origins if normalize_origin(o.replace("://*.", "://", 1)) is None]
        if bad:
            problems["origins"] = f"Not an origin (scheme://host[:port]): {', '.join(bad)}"
        elif len(origins) > MAX_ORIGINS:
            problems["origins"] = f"A site allows at most {MAX_ORIGINS} origins."
    return problems


def _check_site(name: str | None, origins: list[str] | None) -> None:
    problems = site_problems(name, origins)
    if problems:
        raise SiteError(problems)


def _clean_origins(origins: list[str]) -> list[str]:
    """As typed, without a trailing slash or repeats."""
    return list(dict.fromkeys(o.strip().rstrip("/") for o in origins))


class SiteDirectory:
    def __init__(self, db: Database, events: EventBus) -> None:
        self.db = db
        self.events = events

    async def create(
        self, name: str, origins: list[str], settings: dict[str, Any] | None = None
    ) -> Site:
        _check_site(name, origins)
        values = {
            "key": "site_" + secrets.token_urlsafe(16),
            "name": name.strip(),
            "allowed_origins": _clean_origins(origins),
            "settings": {**DEFAULT_SETTINGS, **(settings or {})},
            "identity_secret": new_identity_secret(),
            "created_at": utcnow(),
        }
        async with self.db.begin() as conn:
            result = await conn.execute(sites.insert().values(values))
            site = await queries.site(conn, result.inserted_primary_key[0])
        assert site is not None
        return site

    async def rotate_identity_secret(self, site_id: int) -> Site:
        """A new secret: hashes made with the old one stop verifying at once."""
        async with self.db.begin() as conn:
            update = sites.update().where(sites.c.id == site_id)
            result = await conn.execute(update.values(identity_secret=new_identity_secret()))
            if not result.rowcount:
                raise NotFound(f"no site {site_id}")
            site = await queries.site(conn, site_id)
        assert site is not None
        await self.events.publish(IdentitySecretRotated(site))
        return site

    async def get(self, site_id: int) -> Site | None:
        async with self.db.connect() as conn:
            return await queries.site(conn, site_id)

    async def by_key(self, key: str) -> Site | None:
        async with self.db.connect() as conn:
            row = (await conn.execute(sa.select(sites).where(sites.c.key == key))).first()
        return queries.site_from_row(row) if row else None

    async def all(self) -> list[Site]:
        async with self.db.connect() as conn:
            rows = await conn.execute(sa.select(sites).order_by(sites.c.id))
        return [queries.site_from_row(row) for row in rows]

    async def update(
        self,
        site_id: int,
        *,
        name: str | None = None,
        origins: list[str] | None = None,
        settings: SiteSettingsUpdate | None = None,
    ) -> Site:
        """Change what is given (None: keep); settings are merged into the stored ones.

        Checked like `create`. (Turning typing preview off also makes the chat
        service forget the site's typing drafts, on `SiteUpdated`.)
        """
        _check_site(name, origins)
        async with self.db.begin() as conn:
            before = await queries.site(conn, site_id)
            if before is None:
                raise NotFound(f"no site {site_id}")
            values = {
                "name": before.name if name is None else name.strip(),
                "allowed_origins": (
                    before.allowed_origins if origins is None else _clean_origins(origins)
                ),
                "settings": {**before.settings, **(settings.changes() if settings else {})},
            }
            await conn.execute(sites.update().where(sites.c.id == site_id).values(values))
            site = Site(before.id, before.key, **values, identity_secret=before.identity_secret)
        await self.events.publish(SiteUpdated(site))
        return site

    async def update_settings(self, site_id: int, **settings: Any) -> Site:
        return await self.update(site_id, settings=SiteSettingsUpdate(**settings))
