"""In Chromium: a storefront page with the Porch app embed, rendered from the real block
with the metafields Porch wrote at install; a logged-in customer chats, and the operator
sees them verified, with their orders from (fake) Shopify beside the conversation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from porch.config import Config
from porch.services import Services
from tests.conftest import make_config
from tests.e2e.pages import Inbox, Storefront
from tests.shopify import flows
from tests.shopify.conftest import CUSTOMER_EMAIL, CUSTOMER_ID, SHOP
from tests.shopify.fake_shopify import FakeShopify
from tests.shopify.storefront import render_storefront
from tests.support.live_server import LiveServer, ThreadedServer, serve_in_thread

pytestmark = pytest.mark.e2e

CUSTOMER = {
    "id": int(CUSTOMER_ID),
    "name": "Ana Sousa",
    "first_name": "Ana",
    "email": CUSTOMER_EMAIL,
}


@pytest.fixture
def config(tmp_path: Path, sqlite_url: str) -> Config:
    """One backend for the browser run; the life cycle test covers both."""
    return make_config(tmp_path, sqlite_url)


@pytest.fixture
def shop_page(fake_shopify: FakeShopify, porch: LiveServer) -> Iterator[ThreadedServer]:
    """The shop's storefront on 127.0.0.1, rendered from the metafields of the install."""

    async def page(request: Request) -> HTMLResponse:
        metafields = fake_shopify.shops[SHOP].metafields
        html = render_storefront(
            metafields.get("porch.server_url", ""),
            metafields.get("porch.site_key", ""),
            metafields.get("porch.identity_secret", ""),
            CUSTOMER,
        )
        return HTMLResponse(html)

    running = serve_in_thread(Starlette(routes=[Route("/products/ember", page)]))
    yield running
    running.stop()


def serve_storefront_from(porch: LiveServer, site_key: str, origin: str) -> None:
    """The shop's primary domain is this local server (Shopify's would be https)."""

    async def run(services: Services) -> None:
        site = await services.sites.by_key(site_key)
        assert site is not None
        await services.sites.update(site.id, origins=[*site.allowed_origins, origin])

    porch.call(run)


async def test_a_logged_in_customer_is_verified_and_the_operator_sees_their_orders(
    porch: LiveServer, fake_shopify: FakeShopify, shop_page: ThreadedServer, new_tab
) -> None:
    assert (await flows.install(porch, fake_shopify, SHOP)).status_code == 200
    serve_storefront_from(
        porch, fake_shopify.shops[SHOP].metafields["porch.site_key"], shop_page.url
    )
    operator = flows.add_operator(porch)

    customer_tab, operator_tab = await new_tab(), await new_tab()
    shop = Storefront(customer_tab.page, shop_page.url)
    await shop.visit("/products/ember")
    await shop.open_chat()
    await shop.send("Has order 1004 shipped?")
    await expect(shop.bodies("visitor")).to_have_text(["Has order 1004 shipped?"])

    panel = operator_tab.page
    await Inbox(panel, porch.url).sign_in(operator.email, "pw-123456")
    conversation = panel.get_by_test_id("conversation-item")
    await expect(conversation).to_have_count(1, timeout=30_000)
    await conversation.click()

    await expect(panel.get_by_test_id("visitor-name")).to_have_text("Ana Sousa")
    await expect(panel.get_by_test_id("visitor-verified")).to_be_visible()
    orders = panel.get_by_test_id("shopify-orders")
    await expect(orders).to_be_visible()
    rows = orders.get_by_test_id("shopify-order")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("#1004")
    await expect(rows.nth(0)).to_contain_text("14.00 EUR · Pending · Unfulfilled")
    await expect(rows.nth(1)).to_contain_text("#1001")

    # customers/redact: the open conversation, the inbox line and the visitor go at once,
    # with no reload.
    visitors, visitors_errors = await operator_tab.context.new_page(), []
    visitors.on("pageerror", lambda exc: visitors_errors.append(str(exc)))
    await visitors.goto(porch.url + "/panel/visitors")
    visitor_rows = visitors.get_by_test_id("visitor-row")
    await expect(visitor_rows.get_by_test_id("visitor-name")).to_have_text(["Ana Sousa"])
    redact = {"shop_domain": SHOP, "customer": {"id": int(CUSTOMER_ID), "email": CUSTOMER_EMAIL}}
    erased = await fake_shopify.deliver_webhook(porch.url, "customers/redact", SHOP, redact)
    assert erased.status_code == 200
    await expect(conversation).to_have_count(0)
    await expect(panel.get_by_test_id("inbox-empty")).to_be_visible()
    await expect(panel.get_by_test_id("conversation-view")).to_be_hidden()
    assert "c=" not in panel.url
    await expect(visitor_rows).to_have_count(0)
    assert visitors_errors == []
    assert customer_tab.errors == [] and operator_tab.errors == []
