"""What Shopify, a merchant and an operator do to a Porch server, in test-sized steps."""

from __future__ import annotations

from typing import Any

import httpx

from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site
from porch.visitors.identity import identity_hash
from tests.shopify.fake_shopify import FakeShopify
from tests.support.chat_clients import operator_cookie
from tests.support.live_server import LiveServer
from tests.support.panel import csrf_from


async def install(porch: LiveServer, fake: FakeShopify, shop: str) -> httpx.Response:
    """The merchant installs from the Shopify admin (authorization code grant), following
    every redirect: Porch → Shopify's grant screen → Porch's callback → the admin."""
    async with httpx.AsyncClient(follow_redirects=True) as http:
        return await http.get(f"{porch.url}/shopify/install", params=fake.admin_link(shop))


async def open_in_admin(porch: LiveServer, fake: FakeShopify, shop: str) -> httpx.Response:
    """The merchant opens the embedded app: Shopify loads it with a session token."""
    params = fake.admin_link(shop, id_token=fake.session_token(shop), host="aG9zdA", embedded="1")
    async with httpx.AsyncClient() as http:
        return await http.get(f"{porch.url}/shopify", params=params)


def site_of(porch: LiveServer, key: str) -> Site | None:
    async def run(services: Services) -> Site | None:
        return await services.sites.by_key(key)

    return porch.call(run)


def add_operator(porch: LiveServer) -> Operator:
    async def run(services: Services) -> Operator:
        return await services.operators.create("olivia@harbour.example", "Olivia", "pw-123456")

    return porch.call(run)


def identity(secret: str, customer_id: str, email: str, name: str = "Ana") -> dict[str, str]:
    """What the theme embed passes to `Porch.setVisitor` for a logged-in customer."""
    return {
        "id": customer_id,
        "name": name,
        "email": email,
        "hash": identity_hash(secret, customer_id),
    }


async def open_session(
    porch: LiveServer, site_key: str, origin: str, claim: dict[str, str] | None = None
) -> httpx.Response:
    body: dict[str, Any] = {
        "site_key": site_key,
        "page": {"url": f"{origin}/products/ember", "title": "Ember Blend", "referrer": ""},
    }
    if claim:
        body["identity"] = claim
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{porch.url}/widget/v1/session", json=body, headers={"Origin": origin}
        )


async def rotate_secret_in_panel(
    porch: LiveServer, operator: Operator, site_id: int
) -> httpx.Response:
    """Settings → "Replace the identity secret", as the operator's browser posts it."""
    headers = {"Cookie": operator_cookie(porch, operator.id), "Origin": porch.url}
    async with httpx.AsyncClient(base_url=porch.url, headers=headers) as http:
        token = csrf_from((await http.get("/panel/settings")).text)
        path = f"/panel/settings/sites/{site_id}/identity-secret"
        return await http.post(path, data={"csrf_token": token})


async def panel_get(porch: LiveServer, operator: Operator, path: str) -> httpx.Response:
    headers = {"Cookie": operator_cookie(porch, operator.id)}
    async with httpx.AsyncClient() as http:
        return await http.get(f"{porch.url}{path}", headers=headers)
