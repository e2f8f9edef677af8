"""The Shopify integration's handle: configuration, stored shops, and authenticated Admin
API calls that keep expiring offline tokens fresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from porch.config import Config
from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.events import EventBus
from porch.integrations.shopify.admin import AdminClient, AdminUrls, ShopifyError
from porch.integrations.shopify.store import ShopStore, Tokens
from porch.locks import Locks, MemoryLocks
from porch.secrets import SHOPIFY_TOKENS, SecretBox
from porch.sites.directory import SiteDirectory

REFRESH_AHEAD = timedelta(minutes=5)
"""Refresh an expiring access token this long before it runs out."""


class NotInstalled(ShopifyError):
    pass


class ShopifyApp:
    def __init__(
        self,
        config: Config,
        db: Database,
        events: EventBus,
        sites: SiteDirectory,
        locks: Locks | None = None,
    ) -> None:
        self.config = config
        self.db = db
        self.events = events
        self.sites = sites
        self.store = ShopStore(db, SecretBox(config.secret_key, SHOPIFY_TOKENS))
        self.client = AdminClient(AdminUrls(config.shopify_admin_url))
        # One refresh at a time per shop, across processes: Shopify rotates the refresh
        # token on every use.
        self.locks: Locks = MemoryLocks() if locks is None else locks

    @property
    def configured(self) -> bool:
        return bool(self.config.shopify_api_key and self.config.shopify_api_secret)

    def client_credentials(self) -> dict[str, str]:
        return {
            "client_id": self.config.shopify_api_key,
            "client_secret": self.config.shopify_api_secret,
        }

    async def access_token(self, shop: str) -> str:
        tokens = await self.store.tokens(shop)
        if tokens is None:
            raise NotInstalled(f"Porch is not installed on {shop}")
        if not _expiring(tokens):
            return tokens.access
        async with self.locks.hold(f"shopify.refresh:{shop}"):
            tokens = await self.store.tokens(shop)  # another task may have refreshed it
            if tokens is None:
                raise NotInstalled(f"Porch is not installed on {shop}")
            if not _expiring(tokens):
                return tokens.access
            return await self._refresh(shop, tokens)

    async def _refresh(self, shop: str, tokens: Tokens) -> str:
        if tokens.refresh is None:
            raise NotInstalled(f"the token for {shop} expired; open Porch in the Shopify admin")
        form = {
            **self.client_credentials(),
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh,
        }
        grant = await self.client.request_token(shop, form)
        await self.store.save_refreshed(shop, grant)
        return grant.access_token

    async def graphql(
        self, shop: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        token = await self.access_token(shop)
        return await self.client.graphql(shop, token, query, variables)


def _expiring(tokens: Tokens) -> bool:
    expires = tokens.access_expires_at
    return expires is not None and utcnow() >= expires - REFRESH_AHEAD
