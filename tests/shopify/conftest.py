"""Fixtures for the Shopify app's tests: a fake Shopify served on 127.0.0.1, a Porch
server configured as the Shopify app and pointed at it, and the browser fixtures."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from porch.config import Config
from tests.e2e.conftest import browser, new_tab  # noqa: F401  (browser tests reuse them)
from tests.shopify.fake_shopify import FakeOrder, FakeShopify
from tests.support.live_server import LiveServer, serve_in_thread, start_live_server

SHOP = "harbour-coffee.myshopify.com"
CUSTOMER_ID = "7001"
CUSTOMER_EMAIL = "ana@harbour.example"


@pytest.fixture
def fake_shopify() -> Iterator[FakeShopify]:
    fake = FakeShopify()
    shop = fake.add_shop(SHOP, "Harbour Coffee", "https://harbourcoffee.example")
    shop.orders += [
        FakeOrder(1001, CUSTOMER_ID, CUSTOMER_EMAIL, "28.00", created_at="2026-10-02T09:00:00Z"),
        FakeOrder(
            1004,
            CUSTOMER_ID,
            CUSTOMER_EMAIL,
            "14.00",
            financial_status="PENDING",
            created_at="2026-11-12T16:30:00Z",
        ),
        FakeOrder(1002, "7002", "ben@harbour.example", "55.50"),
    ]
    running = serve_in_thread(fake.app())
    fake.url = running.url
    yield fake
    running.stop()


@pytest.fixture
def shopify_config(config: Config, fake_shopify: FakeShopify) -> Config:
    return dataclasses.replace(
        config,
        shopify_api_key=fake_shopify.api_key,
        shopify_api_secret=fake_shopify.api_secret,
        shopify_admin_url=fake_shopify.admin_url_template(),
    )


@pytest.fixture
def porch(shopify_config: Config) -> Iterator[LiveServer]:
    server = start_live_server(shopify_config)
    yield server
    server.stop()
