"""Orders through the Admin GraphQL API: retried when Shopify throttles, expiring tokens
refreshed, an order found only by its number together with its email."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from porch.config import Config
from porch.integrations.shopify import orders
from porch.integrations.shopify.service import ShopifyApp
from porch.services import Services
from porch.sites.models import Site
from tests.conftest import make_config
from tests.shopify import flows
from tests.shopify.conftest import CUSTOMER_EMAIL, CUSTOMER_ID, SHOP
from tests.shopify.fake_shopify import FakeShopify
from tests.support.live_server import LiveServer


@pytest.fixture
def config(tmp_path: Path, sqlite_url: str) -> Config:
    """Behaviour, not storage: SQLite is enough here (the life cycle runs on both)."""
    return make_config(tmp_path, sqlite_url)


async def installed_site(porch: LiveServer, fake: FakeShopify) -> Site:
    assert (await flows.install(porch, fake, SHOP)).status_code == 200
    site = flows.site_of(porch, fake.shops[SHOP].metafields["porch.site_key"])
    assert site is not None
    return site


def recent(porch: LiveServer, site: Site, customer_id: str = CUSTOMER_ID) -> list[str]:
    async def run(services: Services) -> list[str]:
        app = ShopifyApp(services.config, services.db, services.events, services.sites)
        return [o.number for o in await orders.recent_orders(app, site, customer_id)]

    return porch.call(run)


def find(porch: LiveServer, site: Site, number: str, email: str) -> orders.Order | None:
    async def run(services: Services) -> orders.Order | None:
        app = ShopifyApp(services.config, services.db, services.events, services.sites)
        return await orders.find_order(app, site, number, email)

    return porch.call(run)


async def test_throttled_queries_are_retried_until_they_pass(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    site = await installed_site(porch, fake_shopify)
    before = len(fake_shopify.graphql_calls)
    fake_shopify.throttle_next = 2
    fake_shopify.too_many_next = 1
    assert recent(porch, site) == ["#1004", "#1001"]
    assert fake_shopify.graphql_calls[before:] == ["PorchCustomerOrders"] * 4


async def test_an_expiring_token_is_refreshed_and_the_new_one_used(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    fake_shopify.token_lifetime = 60  # under Porch's five-minute margin: refresh at once
    site = await installed_site(porch, fake_shopify)
    assert recent(porch, site) == ["#1004", "#1001"]
    assert recent(porch, site, "7002") == ["#1002"]
    # Each call refreshed with the refresh token the previous one received: the fake
    # accepts a refresh token once and revokes the access token it replaces.
    grants = fake_shopify.token_requests
    assert grants[0] == "authorization_code"
    assert grants.count("refresh_token") >= 2


async def test_find_order_needs_the_number_and_its_email(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    site = await installed_site(porch, fake_shopify)
    found = find(porch, site, "#1004", CUSTOMER_EMAIL.upper())
    assert found is not None
    assert (found.number, found.financial_status, found.total) == ("#1004", "PENDING", "14.00")
    assert find(porch, site, "1001", CUSTOMER_EMAIL) is not None
    assert find(porch, site, "1002", CUSTOMER_EMAIL) is None  # someone else's order
    assert find(porch, site, "1001", 'x" OR email:"ben@harbour.example') is None
    assert find(porch, site, "10 01", CUSTOMER_EMAIL) is None


async def test_an_unverified_visitor_gets_no_orders(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    site = await installed_site(porch, fake_shopify)
    session = await flows.open_session(porch, site.key, f"https://{SHOP}")
    operator = flows.add_operator(porch)
    visitor_id = session.json()["visitor"]["id"]
    path = f"/panel/api/visitors/{visitor_id}/orders"
    answer = await flows.panel_get(porch, operator, path)
    assert answer.json() == {"ok": True, "shop": SHOP, "verified": False, "orders": []}
    async with httpx.AsyncClient() as http:
        anonymous = await http.get(porch.url + path)
    assert anonymous.status_code == 401
