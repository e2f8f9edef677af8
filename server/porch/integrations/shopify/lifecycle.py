"""What Shopify tells us through webhooks: the app was uninstalled, a customer asks for
their data or its erasure, a shop's data must be erased."""

from __future__ import annotations

from porch.integrations.shopify.service import ShopifyApp
from porch.visitors import privacy


async def uninstalled(app: ShopifyApp, shop: str) -> None:
    """Drop the tokens and switch the site off (no origin may embed its widget any more);
    a reinstall puts the origins back and re-links the same site."""
    stored = await app.store.mark_uninstalled(shop)
    if stored is None or stored.site_id is None:
        return
    site = await app.sites.get(stored.site_id)
    if site is not None:
        # A second uninstall (a retried webhook) finds the site empty: keep the first's.
        set_aside = site.allowed_origins or stored.origins
        await app.store.link_site(shop, site.id, set_aside=set_aside)
        await app.sites.update(site.id, origins=[])


async def customer_data_request(
    app: ShopifyApp, shop: str, customer_id: str, email: str | None
) -> int | None:
    """Store what Porch holds about the customer for operators to hand over; the
    request's id, or None when Porch has no site for the shop."""
    stored = await app.store.get(shop)
    if stored is None or stored.site_id is None:
        return None
    async with app.db.connect() as conn:
        ids = await privacy.customer_visitors(conn, stored.site_id, customer_id, email)
        data = await privacy.export(conn, ids)
    export = {"shop": shop, "customer_id": customer_id, "email": email, **data}
    return await app.store.add_data_request(shop, customer_id, email, export)


async def redact_customer(app: ShopifyApp, shop: str, customer_id: str, email: str | None) -> int:
    """Erase the customer's visitors, conversations and messages; how many visitors."""
    stored = await app.store.get(shop)
    if stored is None or stored.site_id is None:
        return 0
    async with app.db.begin() as conn:
        ids = await privacy.customer_visitors(conn, stored.site_id, customer_id, email)
        erased = await privacy.erase_visitors(conn, ids)
    await app.events.publish(erased)
    return len(ids)


async def redact_shop(app: ShopifyApp, shop: str) -> None:
    """Erase the shop's site and everything on it, and what we stored about the shop."""
    stored = await app.store.get(shop)
    if stored is not None and stored.site_id is not None:
        async with app.db.begin() as conn:
            erased = await privacy.erase_site(conn, stored.site_id)
        await app.events.publish(erased)
    await app.store.forget(shop)
