"""What the Shopify integration does when facts about sites change."""

from __future__ import annotations

from typing import Any

from porch.integrations.shopify.installation import sync
from porch.integrations.shopify.service import ShopifyApp
from porch.services import Services
from porch.sites.events import IdentitySecretRotated

SYNC_SECRET = "shopify.sync_identity_secret"


def subscribe(app: ShopifyApp, services: Services) -> None:
    """A rotated identity secret reaches the shop's theme embed through a durable job: it
    calls Shopify, which may be slow or down, and must not be lost if we restart."""

    async def sync_secret(payload: dict[str, Any]) -> None:
        """The theme embed hashes customers with the secret in its metafield: refresh it,
        or logged-in customers would show as unverified until the merchant opens the app.
        Idempotent: it writes the site's current secret, whatever the payload saw."""
        shop = await app.store.for_site(payload["data"]["site"]["id"])
        if shop is not None and shop.installed:
            await sync(app, shop.shop)

    services.jobs.register(SYNC_SECRET, sync_secret)
    services.events.enqueue_on(IdentitySecretRotated, SYNC_SECRET)
