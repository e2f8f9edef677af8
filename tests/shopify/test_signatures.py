"""Shopify's signatures against the examples Shopify publishes (app secret `hush`), and
shop domain validation."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest

from porch.integrations.shopify.signatures import (
    proxy_signature,
    proxy_verified,
    query_verified,
    valid_shop,
    webhook_verified,
)

SECRET = "hush"
OAUTH_EXAMPLE = (
    "code=0907a61c0c8d55e99db179b68161bc00"
    "&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
    "&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173"
)
PROXY_EXAMPLE = (
    "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1"
    "&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
    "&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
)


def params(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def test_the_published_oauth_redirect_verifies() -> None:
    assert query_verified(params(OAUTH_EXAMPLE), SECRET)


@pytest.mark.parametrize(
    "change",
    [
        ("code=0907a61c0c8d55e99db179b68161bc00", "code=0907a61c0c8d55e99db179b68161bc01"),
        ("shop=some-shop", "shop=evil-shop"),
        ("timestamp=1337178173", "timestamp=1337178174"),
        ("&state=0.6784241404160823", ""),
    ],
)
def test_any_change_to_the_oauth_redirect_is_refused(change: tuple[str, str]) -> None:
    assert not query_verified(params(OAUTH_EXAMPLE.replace(*change)), SECRET)


def test_the_oauth_redirect_is_refused_under_another_secret_or_without_hmac() -> None:
    assert not query_verified(params(OAUTH_EXAMPLE), "hush!")
    assert not query_verified(params(OAUTH_EXAMPLE), "")
    unsigned = [(k, v) for k, v in params(OAUTH_EXAMPLE) if k != "hmac"]
    assert not query_verified(unsigned, SECRET)


def test_the_published_app_proxy_request_verifies() -> None:
    assert proxy_verified(params(PROXY_EXAMPLE), SECRET)
    expected = "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
    assert proxy_signature(params(PROXY_EXAMPLE), SECRET) == expected


@pytest.mark.parametrize(
    "change",
    [
        ("extra=1&extra=2", "extra=2&extra=1"),  # the order of repeated values matters
        ("extra=1&extra=2", "extra=1,2"),  # …but this is how they are joined, so it signs
        ("logged_in_customer_id=1", "logged_in_customer_id=2"),
    ],
)
def test_app_proxy_signature_covers_every_value(change: tuple[str, str]) -> None:
    changed = params(PROXY_EXAMPLE.replace(*change))
    assert proxy_verified(changed, SECRET) == (change[1] == "extra=1,2")


def test_webhook_hmac_is_base64_of_the_raw_body() -> None:
    body = b'{"id":1,"email":"a@b.example"}'
    header = base64.b64encode(hmac.new(b"hush", body, hashlib.sha256).digest()).decode()
    assert webhook_verified(body, header, SECRET)
    assert not webhook_verified(body + b" ", header, SECRET)
    assert not webhook_verified(body, None, SECRET)
    assert not webhook_verified(body, header, "")


@pytest.mark.parametrize(
    ("shop", "valid"),
    [
        ("some-shop.myshopify.com", True),
        ("Shop1.myshopify.com", True),
        ("-shop.myshopify.com", False),
        ("shop.myshopify.com.evil.example", False),
        ("evil.example/?.myshopify.com", False),
        ("shop_1.myshopify.com", False),
        ("sub.shop.myshopify.com", False),
        ("shop.myshopify.com\n", False),
        ("", False),
    ],
)
def test_shop_domains(shop: str, valid: bool) -> None:
    assert valid_shop(shop) is valid
