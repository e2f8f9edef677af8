"""What the Shopify integration does when chat facts change."""

from __future__ import annotations

from porch.chat.events import IdentitySecretRotated
from porch.events import EventBus
from porch.integrations.shopify.install import sync
from porch.integrations.shopify.service import ShopifyApp


def subscribe(app: ShopifyApp, bus: EventBus) -> None:
    async def secret_rotated(event: IdentitySecretRotated) -> None:
        """The theme embed hashes customers with the secret in its metafield: refresh it now,
        or logged-in customers would show as unverified until the merchant opens the app."""
        shop = await app.store.for_site(event.site.id)
        if shop is not None and shop.installed:
            await sync(app, shop.shop)

    bus.subscribe(IdentitySecretRotated, secret_rotated)
