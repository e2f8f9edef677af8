"""Requests that claim to come from Shopify are refused unless they really do: install
links, OAuth callbacks, session tokens, webhooks and app proxy calls. Tokens are stored
sealed."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from porch.config import Config
from porch.integrations.shopify.tables import shopify_data_requests, shopify_shops
from porch.services import Services
from porch.visitors.identity import identity_hash
from tests.conftest import make_config
from tests.shopify import flows
from tests.shopify.conftest import SHOP
from tests.shopify.fake_shopify import FakeShopify
from tests.support.live_server import LiveServer


@pytest.fixture
def config(tmp_path: Path, sqlite_url: str) -> Config:
    """Behaviour, not storage: SQLite is enough here (the life cycle runs on both)."""
    return make_config(tmp_path, sqlite_url)


async def get(porch: LiveServer, path: str, params: object = None, **kw: object) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(porch.url + path, params=params, **kw)  # type: ignore[arg-type]


async def test_install_redirects_to_shopify_with_a_state_nonce(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    answer = await get(porch, "/shopify/install", fake_shopify.admin_link(SHOP))
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == (
        f"{fake_shopify.url}/{SHOP}/admin/oauth/authorize"
    )
    query = parse_qs(target.query)
    assert query["client_id"] == [fake_shopify.api_key]
    assert query["redirect_uri"] == [porch.url + "/shopify/callback"]
    assert query["scope"] == ["read_orders,read_customers"]
    assert len(query["state"][0]) >= 32
    assert answer.cookies["porch_shopify_state"] == query["state"][0]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"shop": "evil.example"}, 400),
        ({"shop": "a.myshopify.com.evil.example"}, 400),
        ({"shop": SHOP, "timestamp": "1", "hmac": "00" * 32}, 401),
    ],
)
async def test_install_refuses_bad_shops_and_forged_links(
    porch: LiveServer, params: dict[str, str], status: int
) -> None:
    assert (await get(porch, "/shopify/install", params)).status_code == status


async def test_callback_needs_a_signed_fresh_redirect_and_this_browsers_state(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    async with httpx.AsyncClient() as browser:
        started = await browser.get(
            porch.url + "/shopify/install", params=fake_shopify.admin_link(SHOP)
        )
        state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        approved = await browser.get(started.headers["location"])  # the merchant approves
        callback = approved.headers["location"]
        query = dict(parse_qs(urlsplit(callback).query, keep_blank_values=True))
        signed = {k: v[0] for k, v in query.items()}

        forged = {**signed, "code": "attacker-code"}
        assert (
            await browser.get(porch.url + "/shopify/callback", params=forged)
        ).status_code == 401
        stale = fake_shopify.sign_query(
            {**{k: v for k, v in signed.items() if k != "hmac"}, "timestamp": "1337178173"}
        )
        assert (await browser.get(porch.url + "/shopify/callback", params=stale)).status_code == 401
        other_state = fake_shopify.sign_query(
            {**{k: v for k, v in signed.items() if k != "hmac"}, "state": "not-issued"}
        )
        refused = await browser.get(porch.url + "/shopify/callback", params=other_state)
        assert refused.status_code == 403

        # Another browser (without the state cookie) cannot finish this install.
        async with httpx.AsyncClient() as other_browser:
            assert (await other_browser.get(callback)).status_code == 403

        assert signed["state"] == state
        done = await browser.get(callback)
        assert done.status_code == 302, done.text
        assert (await browser.get(callback)).status_code == 403  # a state works once
    assert fake_shopify.token_requests == ["authorization_code"]


async def test_tokens_are_stored_sealed(porch: LiveServer, fake_shopify: FakeShopify) -> None:
    assert (await flows.install(porch, fake_shopify, SHOP)).status_code == 200
    issued = [*fake_shopify.access_tokens, *fake_shopify.refresh_tokens]
    assert len(issued) == 2

    async def stored(services: Services) -> str:
        async with services.db.connect() as conn:
            row = (await conn.execute(sa.select(shopify_shops))).one()
        return f"{row.access_token} {row.refresh_token}"

    columns = porch.call(stored)
    assert columns.strip() and all(token not in columns for token in issued)


async def test_session_tokens_must_be_signed_for_this_app_and_shop(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    forged = fake_shopify.session_token(SHOP, secret="shpss_" + "0" * 32)
    params = fake_shopify.admin_link(SHOP, id_token=forged)
    assert (await get(porch, "/shopify", params)).status_code == 401
    other_shop = fake_shopify.session_token("other-shop.myshopify.com")
    params = fake_shopify.admin_link(SHOP, id_token=other_shop)
    assert (await get(porch, "/shopify", params)).status_code == 401
    assert fake_shopify.token_requests == []
    unsigned = {"shop": SHOP, "timestamp": str(int(time.time()))}
    assert (await get(porch, "/shopify", unsigned)).status_code == 401


async def test_webhooks_with_a_bad_signature_are_refused_and_change_nothing(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    assert (await flows.install(porch, fake_shopify, SHOP)).status_code == 200
    payload = {"shop_domain": SHOP, "customer": {"id": 7001, "email": "ana@harbour.example"}}
    forged = await fake_shopify.deliver_webhook(
        porch.url, "customers/data_request", SHOP, payload, "wh-1", secret="guess"
    )
    assert forged.status_code == 401
    # The genuine delivery with the same id is still handled (the forgery was not recorded).
    genuine = await fake_shopify.deliver_webhook(
        porch.url, "customers/data_request", SHOP, payload, "wh-1"
    )
    assert genuine.json()["message"] == "handled"

    async def count(services: Services) -> int:
        async with services.db.connect() as conn:
            return await conn.scalar(sa.select(sa.func.count()).select_from(shopify_data_requests))

    assert porch.call(count) == 1
    odd = await fake_shopify.deliver_webhook(porch.url, "orders/create", SHOP, {"id": 1})
    assert odd.status_code == 200 and "not handled" in odd.json()["message"]
    broken = await fake_shopify.deliver_webhook(porch.url, "customers/redact", SHOP, {"x": 1})
    assert broken.status_code == 400
    huge = {**payload, "padding": "x" * (1024 * 1024)}  # over the 1 MB webhook limit
    too_big = await fake_shopify.deliver_webhook(
        porch.url, "customers/data_request", SHOP, huge, "wh-2"
    )
    assert too_big.status_code == 413
    assert porch.call(count) == 1


async def test_app_proxy_answers_only_signed_requests(
    porch: LiveServer, fake_shopify: FakeShopify
) -> None:
    assert (await flows.install(porch, fake_shopify, SHOP)).status_code == 200
    site_key = fake_shopify.shops[SHOP].metafields["porch.site_key"]
    secret = fake_shopify.shops[SHOP].metafields["porch.identity_secret"]
    query = fake_shopify.app_proxy_query(SHOP, customer_id="7001")
    answer = await get(porch, "/shopify/proxy/identity?" + urlencode(query))
    assert answer.status_code == 200
    assert answer.json() == {
        "site_key": site_key,
        "server_url": porch.url,
        "customer_id": "7001",
        "hash": identity_hash(secret, "7001"),
    }
    tampered = [(k, "7002" if k == "logged_in_customer_id" else v) for k, v in query]
    assert (await get(porch, "/shopify/proxy?" + urlencode(tampered))).status_code == 401


async def test_a_server_without_shopify_credentials_says_so(
    live_server: LiveServer, fake_shopify: FakeShopify
) -> None:
    answer = await get(live_server, "/shopify/install", {"shop": SHOP})
    assert answer.status_code == 503
    assert "not configured" in answer.text
    webhook = await fake_shopify.deliver_webhook(live_server.url, "shop/redact", SHOP, {})
    assert webhook.status_code == 401
