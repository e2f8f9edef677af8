"""Sites: the shops that embed the widget, their allowed origins, widget settings and
identity secret.

Every write commits first and then publishes an event (`SiteUpdated`,
`IdentitySecretRotated`), so open widgets and integrations follow at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.errors import NotFound, SiteError
from porch.events import EventBus
from porch.sites import queries
from porch.sites.events import IdentitySecretRotated, SiteUpdated
from porch.sites.models import Site
from porch.sites.origins import normalize_origin
from porch.sites.settings import SiteSettingsUpdate
from porch.sites.tables import sites
from porch.visitors.identity import new_identity_secret

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
        self.sealers: list[Callable[[dict[str, Any]], dict[str, Any]]] = []
        """Features that keep secrets in settings (email's IMAP password) seal them here,
        before they are stored: each gets the changes and returns them sealed."""

    def _sealed(self, changes: dict[str, Any]) -> dict[str, Any]:
        for seal in self.sealers:
            changes = seal(changes)
        return changes

    async def create(
        self, name: str, origins: list[str], settings: dict[str, Any] | None = None
    ) -> Site:
        _check_site(name, origins)
        values = {
            "key": "site_" + secrets.token_urlsafe(16),
            "name": name.strip(),
            "allowed_origins": _clean_origins(origins),
            "settings": {**DEFAULT_SETTINGS, **self._sealed(dict(settings or {}))},
            "identity_secret": new_identity_secret(),
            "created_at": utcnow(),
        }
        async with self.db.begin() as conn:
            result = await conn.execute(sites.insert().values(values))
            assert result.inserted_primary_key is not None
            site = await queries.site(conn, result.inserted_primary_key[0])
        assert site is not None
        return site

    async def rotate_identity_secret(self, site_id: int) -> Site:
        """A new secret: hashes made with the old one stop verifying at once."""
        async with self.events.transaction(self.db) as unit:
            update = sites.update().where(sites.c.id == site_id)
            result = await unit.conn.execute(update.values(identity_secret=new_identity_secret()))
            if not result.rowcount:
                raise NotFound(f"no site {site_id}")
            site = await queries.site(unit.conn, site_id)
            assert site is not None
            await unit.record(IdentitySecretRotated(site))
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
        async with self.events.transaction(self.db) as unit:
            before = await queries.site(unit.conn, site_id)
            if before is None:
                raise NotFound(f"no site {site_id}")
            site = replace(
                before,
                name=before.name if name is None else name.strip(),
                allowed_origins=(
                    before.allowed_origins if origins is None else _clean_origins(origins)
                ),
                settings={
                    **before.settings,
                    **self._sealed(settings.changes() if settings else {}),
                },
            )
            values = {
                "name": site.name,
                "allowed_origins": site.allowed_origins,
                "settings": site.settings,
            }
            await unit.conn.execute(sites.update().where(sites.c.id == site_id).values(values))
            await unit.record(SiteUpdated(site))
        return site

    async def update_settings(self, site_id: int, **settings: Any) -> Site:
        return await self.update(site_id, settings=SiteSettingsUpdate(**settings))
