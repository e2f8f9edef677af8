"""A Shopify store's products and policies become knowledge, through the existing
integration against the fake Admin API; a new import replaces the old one."""

from __future__ import annotations

from pathlib import Path

import pytest

from porch.bot.knowledge.models import Source
from porch.bot.knowledge.shopify import import_store
from porch.bot.knowledge.store import KnowledgeBase
from porch.bot.retrieval import retrieve
from porch.config import Config
from porch.db.bot_fulltext import Hit
from porch.integrations.shopify.service import ShopifyApp
from porch.services import Services
from porch.sites.models import Site
from tests.conftest import make_config
from tests.shopify.conftest import SHOP, fake_shopify, porch, shopify_config  # noqa: F401
from tests.shopify.fake_shopify import FakeShopify
from tests.shopify.test_orders import installed_site
from tests.support.live_server import LiveServer


@pytest.fixture
def config(tmp_path: Path, sqlite_url: str) -> Config:
    return make_config(tmp_path, sqlite_url)


def run_import(server: LiveServer, site: Site) -> list[Source]:
    async def run(services: Services) -> list[Source]:
        app = ShopifyApp(services.config, services.db, services.events, services.sites)
        return await import_store(KnowledgeBase(services.db, services.clock), app, site)

    return server.call(run)


def search(server: LiveServer, site: Site, question: str) -> list[Hit]:
    async def run(services: Services) -> list[Hit]:
        return await retrieve(services.db, site.id, question)

    return server.call(run)


async def test_products_and_policies_are_imported_and_replaced(
    porch: LiveServer,  # noqa: F811
    fake_shopify: FakeShopify,  # noqa: F811
) -> None:
    site = await installed_site(porch, fake_shopify)
    shop = fake_shopify.shops[SHOP]
    shop.products = [
        {
            "title": "Harbour Espresso",
            "handle": "harbour-espresso",
            "description": "A chocolatey espresso roast from Colombia and Brazil.",
            "onlineStoreUrl": None,
        }
    ]
    shop.policies = [
        {
            "title": "Refund policy",
            "body": "<p>Refunds are issued within <b>14 days</b> of receiving the return.</p>",
            "url": "https://harbourcoffee.example/policies/refund-policy",
        }
    ]
    sources = run_import(porch, site)
    assert [(s.kind, s.title, s.status) for s in sources] == [
        ("shopify", "Harbour Espresso", "ready"),
        ("shopify", "Refund policy", "ready"),
    ]
    [hit, *_] = search(porch, site, "how fast are refunds issued")
    assert hit.url == "https://harbourcoffee.example/policies/refund-policy"
    assert "14 days" in hit.text and "<b>" not in hit.text
    [hit, *_] = search(porch, site, "espresso from Colombia")
    assert hit.url == "https://harbourcoffee.example/products/harbour-espresso"

    shop.products = []
    assert [s.title for s in run_import(porch, site)] == ["Refund policy"]
    assert search(porch, site, "espresso Colombia") == []
