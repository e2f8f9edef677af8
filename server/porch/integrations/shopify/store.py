"""Storage of the Shopify integration: installed shops and their sealed tokens, OAuth
state nonces, handled webhook ids and customers' data requests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.db.upsert import insert_ignore
from porch.integrations.shopify.admin import TokenGrant
from porch.integrations.shopify.tables import (
    shopify_data_requests,
    shopify_oauth_states,
    shopify_shops,
    shopify_webhooks,
)
from porch.secrets import SecretBox

STATE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Tokens:
    access: str = field(repr=False)
    access_expires_at: datetime | None
    refresh: str | None = field(repr=False)
    refresh_expires_at: datetime | None


@dataclass(frozen=True)
class Shop:
    shop: str
    site_id: int | None
    scopes: str
    origins: list[str]
    installed: bool


@dataclass(frozen=True)
class DataRequest:
    id: int
    shop: str
    customer_id: str
    email: str | None
    requested_at: datetime
    export: dict[str, Any]

    def to_wire(self, *, with_export: bool = False) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "id": self.id,
            "shop": self.shop,
            "customer_id": self.customer_id,
            "email": self.email,
            "requested_at": self.requested_at.isoformat(),
        }
        return {**wire, "export": self.export} if with_export else wire


def _shop(row: sa.Row[Any]) -> Shop:
    return Shop(
        shop=row.shop,
        site_id=row.site_id,
        scopes=row.scopes,
        origins=list(row.origins),
        installed=row.uninstalled_at is None and row.access_token is not None,
    )


def _expiry(now: datetime, seconds: int | None) -> datetime | None:
    return now + timedelta(seconds=seconds) if seconds else None


class ShopStore:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self.db = db
        self.box = box

    # -- OAuth state ------------------------------------------------------------------

    async def new_state(self, shop: str) -> str:
        nonce = secrets.token_urlsafe(32)
        now = utcnow()
        async with self.db.begin() as conn:
            await conn.execute(
                shopify_oauth_states.delete().where(
                    shopify_oauth_states.c.created_at < now - STATE_LIFETIME
                )
            )
            await conn.execute(
                shopify_oauth_states.insert().values(nonce=nonce, shop=shop, created_at=now)
            )
        return nonce

    async def take_state(self, nonce: str, shop: str) -> bool:
        """True once for a nonce this server issued for `shop` in the last minutes."""
        table = shopify_oauth_states
        async with self.db.begin() as conn:
            deleted = await conn.execute(
                table.delete().where(
                    table.c.nonce == nonce,
                    table.c.shop == shop,
                    table.c.created_at >= utcnow() - STATE_LIFETIME,
                )
            )
        return deleted.rowcount == 1

    # -- shops ------------------------------------------------------------------------

    async def get(self, shop: str) -> Shop | None:
        async with self.db.connect() as conn:
            query = sa.select(shopify_shops).where(shopify_shops.c.shop == shop)
            row = (await conn.execute(query)).first()
        return _shop(row) if row else None

    async def for_site(self, site_id: int) -> Shop | None:
        async with self.db.connect() as conn:
            query = sa.select(shopify_shops).where(shopify_shops.c.site_id == site_id)
            row = (await conn.execute(query)).first()
        return _shop(row) if row else None

    async def tokens(self, shop: str) -> Tokens | None:
        """The shop's tokens, unsealed; None when uninstalled or sealed under another key."""
        async with self.db.connect() as conn:
            query = sa.select(shopify_shops).where(shopify_shops.c.shop == shop)
            row = (await conn.execute(query)).first()
        access = self.box.open(row.access_token) if row else None
        if row is None or access is None:
            return None
        return Tokens(
            access,
            row.access_expires_at,
            self.box.open(row.refresh_token),
            row.refresh_expires_at,
        )

    def _token_values(self, grant: TokenGrant, now: datetime) -> dict[str, Any]:
        return {
            "access_token": self.box.seal(grant.access_token),
            "access_expires_at": _expiry(now, grant.expires_in),
            "refresh_token": self.box.seal(grant.refresh_token) if grant.refresh_token else None,
            "refresh_expires_at": _expiry(now, grant.refresh_token_expires_in),
        }

    async def save_install(self, shop: str, grant: TokenGrant) -> Shop:
        """Store a fresh grant for `shop`, (re)marking it installed."""
        now = utcnow()
        values = {
            **self._token_values(grant, now),
            "scopes": grant.scope[:1000],
            "installed_at": now,
            "uninstalled_at": None,
        }
        async with self.db.begin() as conn:
            created = await insert_ignore(
                conn, shopify_shops, {"shop": shop, "origins": [], **values}, ["shop"]
            )
            if created is None:
                await conn.execute(
                    shopify_shops.update().where(shopify_shops.c.shop == shop).values(values)
                )
        stored = await self.get(shop)
        assert stored is not None
        return stored

    async def save_refreshed(self, shop: str, grant: TokenGrant) -> None:
        values = self._token_values(grant, utcnow())
        if grant.refresh_token is None:
            values.pop("refresh_token")  # keep the one we have
            values.pop("refresh_expires_at")
        async with self.db.begin() as conn:
            await conn.execute(
                shopify_shops.update().where(shopify_shops.c.shop == shop).values(values)
            )

    async def link_site(self, shop: str, site_id: int, set_aside: list[str]) -> None:
        """Link the shop to its site; `set_aside`: the site's origins kept while uninstalled."""
        async with self.db.begin() as conn:
            await conn.execute(
                shopify_shops.update()
                .where(shopify_shops.c.shop == shop)
                .values(site_id=site_id, origins=set_aside)
            )

    async def mark_uninstalled(self, shop: str) -> Shop | None:
        """Drop the tokens; the row (and its link to the site) stays for a reinstall."""
        async with self.db.begin() as conn:
            await conn.execute(
                shopify_shops.update()
                .where(shopify_shops.c.shop == shop)
                .values(
                    access_token=None,
                    access_expires_at=None,
                    refresh_token=None,
                    refresh_expires_at=None,
                    uninstalled_at=utcnow(),
                )
            )
        return await self.get(shop)

    async def forget(self, shop: str) -> None:
        """Everything stored about the shop (its data requests too)."""
        async with self.db.begin() as conn:
            await conn.execute(shopify_shops.delete().where(shopify_shops.c.shop == shop))
            await conn.execute(
                shopify_data_requests.delete().where(shopify_data_requests.c.shop == shop)
            )

    # -- webhooks and data requests -----------------------------------------------------

    async def first_delivery(self, webhook_id: str, topic: str, shop: str) -> bool:
        """Record a webhook id; False when it was already handled (a retry or duplicate)."""
        values = {"webhook_id": webhook_id, "topic": topic, "shop": shop, "received_at": utcnow()}
        async with self.db.begin() as conn:
            return await insert_ignore(conn, shopify_webhooks, values, ["webhook_id"]) is not None

    async def forget_delivery(self, webhook_id: str) -> None:
        """Let Shopify's retry of a webhook we failed to handle be handled."""
        async with self.db.begin() as conn:
            await conn.execute(
                shopify_webhooks.delete().where(shopify_webhooks.c.webhook_id == webhook_id)
            )

    async def add_data_request(
        self, shop: str, customer_id: str, email: str | None, export: dict[str, Any]
    ) -> int:
        values = {
            "shop": shop,
            "customer_id": customer_id,
            "email": email,
            "export": export,
            "requested_at": utcnow(),
        }
        async with self.db.begin() as conn:
            result = await conn.execute(shopify_data_requests.insert().values(values))
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    async def data_requests(self, limit: int = 500) -> list[DataRequest]:
        """The latest ones, newest first."""
        table = shopify_data_requests
        async with self.db.connect() as conn:
            rows = await conn.execute(sa.select(table).order_by(table.c.id.desc()).limit(limit))
        return [_data_request(row) for row in rows]

    async def data_request(self, request_id: int) -> DataRequest | None:
        table = shopify_data_requests
        async with self.db.connect() as conn:
            row = (await conn.execute(sa.select(table).where(table.c.id == request_id))).first()
        return _data_request(row) if row else None


def _data_request(row: sa.Row[Any]) -> DataRequest:
    return DataRequest(
        id=row.id,
        shop=row.shop,
        customer_id=row.customer_id,
        email=row.email,
        requested_at=row.requested_at,
        export=dict(row.export),
    )
