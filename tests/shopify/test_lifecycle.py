"""The Shopify app's whole life against a fake Shopify, on SQLite and PostgreSQL:
install → storefront chat with a verified customer → orders in the panel → privacy
webhooks → uninstall → reinstall → shop erasure."""

from __future__ import annotations

import sqlalchemy as sa

from porch.db.engine import Database
from porch.integrations.shopify.tables import shopify_shops
from porch.services import Services
from tests.shopify import flows
from tests.shopify.conftest import CUSTOMER_EMAIL, CUSTOMER_ID, SHOP
from tests.shopify.fake_shopify import FakeShopify
from tests.support.chat_clients import operator_client, visitor_client
from tests.support.live_server import LiveServer
from tests.support.waiting import eventually

STOREFRONT = f"https://{SHOP}"


async def chat_as_customer(porch: LiveServer, site_key: str, secret: str, text: str) -> int:
    """A logged-in customer writes from the storefront; their visitor id."""
    claim = flows.identity(secret, CUSTOMER_ID, CUSTOMER_EMAIL)
    session = await flows.open_session(porch, site_key, STOREFRONT, claim)
    assert session.status_code == 200, session.text
    assert session.json()["visitor"]["verified"] is True
    client = await visitor_client(porch, session.json()["visitor_token"])
    try:
        ack = await client.call("message.send", {"client_id": "c1", "body": text})
        assert ack["ok"], ack
    finally:
        await client.close()
    return session.json()["visitor"]["id"]


async def test_install_chat_privacy_uninstall_and_erasure(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    shop = fake_shopify.shops[SHOP]

    # Install: the merchant lands back in the Shopify admin, the shop has a Porch site,
    # and the embed's metafields hold its key, identity secret and this server's URL.
    landed = await flows.install(porch, fake_shopify, SHOP)
    assert landed.status_code == 200
    assert str(landed.url) == f"{fake_shopify.url}/{SHOP}/admin/apps/{fake_shopify.api_key}"
    site = flows.site_of(porch, shop.metafields["porch.site_key"])
    assert site is not None and site.name == "Harbour Coffee"
    assert site.allowed_origins == [STOREFRONT, "https://harbourcoffee.example"]
    assert shop.metafields["porch.identity_secret"] == site.identity_secret
    assert shop.metafields["porch.server_url"] == porch.url
    assert fake_shopify.token_requests == ["authorization_code"]

    # Chat: a logged-in customer (identity hash as the embed computes it) writes.
    visitor_id = await chat_as_customer(porch, site.key, site.identity_secret, "Where is #1004?")

    # The operator sees the customer's orders, newest first, from Shopify.
    operator = flows.add_operator(porch)
    orders = await flows.panel_get(porch, operator, f"/panel/api/visitors/{visitor_id}/orders")
    assert orders.status_code == 200, orders.text
    assert [o["number"] for o in orders.json()["orders"]] == ["#1004", "#1001"]
    assert orders.json()["orders"][0]["financial_status"] == "PENDING"
    assert orders.json()["orders"][0]["total"] == "14.00"

    # customers/data_request: an export operators can download, holding the chat.
    payload = {
        "shop_id": 1,
        "shop_domain": SHOP,
        "customer": {"id": int(CUSTOMER_ID), "email": CUSTOMER_EMAIL, "phone": None},
        "orders_requested": [1001, 1004],
        "data_request": {"id": 9},
    }
    delivered = await fake_shopify.deliver_webhook(
        porch.url, "customers/data_request", SHOP, payload, webhook_id="wh-data-1"
    )
    assert delivered.status_code == 200
    again = await fake_shopify.deliver_webhook(
        porch.url, "customers/data_request", SHOP, payload, webhook_id="wh-data-1"
    )
    assert again.json()["message"] == "already handled"
    listed = await flows.panel_get(porch, operator, "/panel/api/shopify/data-requests")
    requests = listed.json()["data_requests"]
    assert [(r["customer_id"], r["email"]) for r in requests] == [(CUSTOMER_ID, CUSTOMER_EMAIL)]
    download = await flows.panel_get(
        porch, operator, f"/panel/api/shopify/data-requests/{requests[0]['id']}"
    )
    assert "attachment" in download.headers["content-disposition"]
    exported = download.json()["export"]["visitors"]
    assert [m["body"] for m in exported[0]["conversation"]["messages"]] == ["Where is #1004?"]

    # app/uninstalled: the token is dropped and no storefront may embed the widget.
    extra = "https://www.harbourcoffee.example"  # an origin an operator added by hand
    porch.call(lambda s: s.sites.update(site.id, origins=[*site.allowed_origins, extra]))
    fake_shopify.uninstall(SHOP)
    gone = await fake_shopify.deliver_webhook(porch.url, "app/uninstalled", SHOP, {"id": 1})
    assert gone.status_code == 200
    refused = await flows.open_session(porch, site.key, STOREFRONT)
    assert refused.status_code == 403
    assert flows.site_of(porch, site.key).allowed_origins == []  # type: ignore[union-attr]
    assert porch.call(lambda s: _tokens_of(s, SHOP)) == (None, None)
    no_orders = await flows.panel_get(porch, operator, f"/panel/api/visitors/{visitor_id}/orders")
    assert no_orders.status_code == 409

    # Reinstall by opening the embedded app (token exchange): the same site comes back.
    home = await flows.open_in_admin(porch, fake_shopify, SHOP)
    assert home.status_code == 200, home.text
    assert "frame-ancestors https://" + SHOP in home.headers["content-security-policy"]
    assert shop.metafields["porch.site_key"] == site.key
    relinked = flows.site_of(porch, site.key)
    assert relinked is not None
    assert relinked.allowed_origins == [*site.allowed_origins, extra]
    assert (await flows.open_session(porch, site.key, STOREFRONT)).status_code == 200
    assert fake_shopify.token_requests[-1] == "urn:ietf:params:oauth:grant-type:token-exchange"

    # An operator replaces the identity secret in Settings: the embed's copy follows (a job,
    # started as soon as the change commits).
    assert (await flows.rotate_secret_in_panel(porch, operator, site.id)).status_code == 303
    rotated = flows.site_of(porch, site.key)
    assert rotated is not None and rotated.identity_secret != site.identity_secret
    await eventually(lambda: shop.metafields["porch.identity_secret"] == rotated.identity_secret)

    # customers/redact: the customer's visitor, conversation and messages are erased, and
    # operators' open panels are told to drop them.
    [summary] = porch.call(lambda s: s.conversations.inbox("open"))
    watching = await operator_client(porch, operator.id)
    redact = {"shop_domain": SHOP, "customer": {"id": int(CUSTOMER_ID), "email": CUSTOMER_EMAIL}}
    erased = await fake_shopify.deliver_webhook(porch.url, "customers/redact", SHOP, redact)
    assert erased.status_code == 200
    assert porch.call(lambda s: s.visitors.get(visitor_id)) is None
    assert porch.call(lambda s: s.conversations.inbox("open")) == []
    removed = await watching.next("conversations.removed")
    assert removed == {"ids": [summary.conversation.id]}
    assert await watching.next("visitors.removed") == {"ids": [visitor_id]}
    await watching.close()

    # shop/redact: the shop's site is gone, and so is what Porch kept about the shop.
    fake_shopify.uninstall(SHOP)
    await fake_shopify.deliver_webhook(porch.url, "app/uninstalled", SHOP, {"id": 1})
    final = await fake_shopify.deliver_webhook(
        porch.url, "shop/redact", SHOP, {"shop_domain": SHOP}
    )
    assert final.status_code == 200
    assert flows.site_of(porch, site.key) is None
    assert porch.call(lambda s: _tokens_of(s, SHOP)) is None


async def _tokens_of(services: Services, shop: str) -> tuple[str | None, str | None] | None:
    """The shop's stored token columns, as the database holds them (None: no row)."""
    db: Database = services.db
    async with db.connect() as conn:
        query = sa.select(shopify_shops.c.access_token, shopify_shops.c.refresh_token)
        row = (await conn.execute(query.where(shopify_shops.c.shop == shop))).first()
    return (row.access_token, row.refresh_token) if row else None


async def test_an_origin_an_operator_removes_stays_removed_when_the_app_is_opened(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    assert (await flows.install(porch, fake_shopify, SHOP)).status_code == 200
    site = flows.site_of(porch, fake_shopify.shops[SHOP].metafields["porch.site_key"])
    assert site is not None
    extra = "https://old-landing.example"
    porch.call(lambda s: s.sites.update(site.id, origins=[*site.allowed_origins, extra]))
    assert (await flows.open_in_admin(porch, fake_shopify, SHOP)).status_code == 200
    assert extra in flows.site_of(porch, site.key).allowed_origins  # type: ignore[union-attr]

    porch.call(lambda s: s.sites.update(site.id, origins=site.allowed_origins))
    assert (await flows.open_in_admin(porch, fake_shopify, SHOP)).status_code == 200

    assert flows.site_of(porch, site.key).allowed_origins == site.allowed_origins  # type: ignore[union-attr]
