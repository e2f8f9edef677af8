"""A shop page with the Porch app embed, rendered from the real block, in Chromium against a
real Porch server: the widget boots on the storefront and a shopper reaches the operator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from porch.demo.seed import Demo
from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site
from tests.conftest import make_config
from tests.e2e.conftest import Tab
from tests.e2e.pages import Inbox, Storefront
from tests.shopify.storefront import render_storefront
from tests.support.live_server import LiveServer, free_port, serve_in_thread, start_live_server

pytestmark = pytest.mark.e2e

PASSWORD = "pw-123456"
PRODUCT = "/products/ember-blend"
BOOT_TIMEOUT = 30_000  # the first load compiles the Brython bundles
CUSTOMER = {"id": 7001, "name": "Ana Lima", "first_name": "Ana", "email": "ana@harbour.example"}


@dataclass
class Shop:
    """A storefront on its own origin; `show` decides what its product page renders."""

    url: str
    site: Site
    operator: Operator
    porch: LiveServer
    html: str = ""

    def show(self, customer: dict[str, Any] | None, settings: dict[str, Any] | None = None) -> None:
        self.html = render_storefront(
            self.porch.url, self.site.key, self.site.identity_secret, customer, settings
        )

    def demo(self) -> Demo:
        """Sign-in details in the shape the panel page object takes."""
        return Demo(self.site, self.operator, PASSWORD)


@pytest.fixture
def chat_server(tmp_path: Path, sqlite_url: str) -> Iterator[LiveServer]:
    # Storage is covered elsewhere; one backend keeps this browser test quick.
    server = start_live_server(make_config(tmp_path, sqlite_url))
    yield server
    server.stop()


@pytest.fixture
def shop(chat_server: LiveServer) -> Iterator[Shop]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"

    async def seed(services: Services) -> tuple[Site, Operator]:
        site = await services.sites.create("Harbour Coffee", [origin])
        operator = await services.operators.create("olivia@harbour.example", "Olivia", PASSWORD)
        return site, operator

    site, operator = chat_server.call(seed)
    shop = Shop(origin, site, operator, chat_server)

    async def product_page(_request: Request) -> HTMLResponse:
        return HTMLResponse(shop.html)

    host = serve_in_thread(Starlette(routes=[Route(PRODUCT, product_page)]), port)
    yield shop
    host.stop()


@dataclass
class Chat:
    operator_tab: Tab
    visitor_tab: Tab
    inbox: Inbox
    storefront: Storefront


async def start_chat(shop: Shop, new_tab, text: str) -> Chat:
    """A shopper on the product page writes `text`; the operator opens the conversation."""
    operator_tab, visitor_tab = await new_tab(), await new_tab()
    inbox = Inbox(operator_tab.page, shop.porch.url)
    await inbox.login(shop.demo())
    storefront = Storefront(visitor_tab.page, shop.url)
    await storefront.visit(PRODUCT)
    await expect(storefront.launcher).to_be_visible(timeout=BOOT_TIMEOUT)
    await storefront.open_chat()
    await storefront.send(text)
    await inbox.open_first_conversation()
    return Chat(operator_tab, visitor_tab, inbox, storefront)


async def test_shopper_chats_from_the_storefront(shop: Shop, new_tab) -> None:
    shop.show(customer=None)
    chat = await start_chat(shop, new_tab, "Is the Ember Blend available ground?")
    await expect(chat.inbox.messages("visitor")).to_contain_text(["available ground?"])
    await chat.inbox.reply("Yes, for espresso or filter.")
    await expect(chat.storefront.messages("operator")).to_contain_text(["for espresso or filter."])
    assert chat.visitor_tab.errors == [] and chat.operator_tab.errors == []


async def test_logged_in_customer_shows_as_verified_in_the_panel(shop: Shop, new_tab) -> None:
    shop.show(customer=CUSTOMER)
    chat = await start_chat(shop, new_tab, "Where is my order?")
    head = chat.operator_tab.page.get_by_test_id("conversation-view")
    await expect(head.get_by_test_id("visitor-verified")).to_be_visible()
    await expect(head.get_by_test_id("visitor-email")).to_have_text(CUSTOMER["email"])
    await expect(head.get_by_test_id("visitor-unverified")).to_be_hidden()
    assert chat.visitor_tab.errors == []


async def test_launcher_follows_the_merchants_colour_and_position(shop: Shop, new_tab) -> None:
    shop.show(customer=None, settings={"color": "#0a7d55", "position": "left"})
    tab = await new_tab()
    storefront = Storefront(tab.page, shop.url)
    await storefront.visit(PRODUCT)
    await expect(storefront.launcher).to_be_visible(timeout=BOOT_TIMEOUT)
    box = await storefront.launcher.bounding_box()
    width = tab.page.viewport_size["width"] if tab.page.viewport_size else 0
    assert box is not None and box["x"] + box["width"] < width / 2, box
    await expect(storefront.launcher).to_have_css("background-color", "rgb(10, 125, 85)")
