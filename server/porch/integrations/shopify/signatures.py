"""Shopify's signatures: query HMACs (OAuth, app links), app proxy signatures, webhooks.

The admin query string is built like Shopify's own Node library (`@shopify/shopify-api`)
builds it: every parameter but `hmac`/`signature`, sorted by key, form-encoded as the
browser's URLSearchParams would, joined with `&`. App proxy parameters are sorted, repeated
keys' values joined with `,`, and concatenated without any separator or encoding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from urllib.parse import quote_plus

SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")
MAX_SHOP_DOMAIN = 255
SIGNATURE_PARAMS = frozenset({"hmac", "signature"})

Params = Iterable[tuple[str, str]]


def valid_shop(shop: str | None) -> bool:
    # fullmatch: with `match`, `$` would also accept a trailing newline.
    return (
        bool(shop)
        and len(shop or "") <= MAX_SHOP_DOMAIN
        and bool(SHOP_DOMAIN.fullmatch(shop or ""))
    )


def _hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _form_encode(text: str) -> str:
    # URLSearchParams leaves `*` alone and escapes `~`; Python's quote_plus does the reverse.
    return quote_plus(text, safe="*").replace("~", "%7E")


def query_hmac(params: Params, secret: str) -> str:
    """Hex HMAC-SHA256 of the admin query (OAuth redirects, app links)."""
    pairs = sorted((k, v) for k, v in params if k not in SIGNATURE_PARAMS)
    message = "&".join(f"{_form_encode(k)}={_form_encode(v)}" for k, v in pairs)
    return _hmac_sha256(secret, message.encode()).hex()


def proxy_signature(params: Params, secret: str) -> str:
    """Hex HMAC-SHA256 of an app proxy request's parameters."""
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        if key not in SIGNATURE_PARAMS:
            grouped.setdefault(key, []).append(value)
    message = "".join(f"{key}={','.join(grouped[key])}" for key in sorted(grouped))
    return _hmac_sha256(secret, message.encode()).hex()


def webhook_hmac(body: bytes, secret: str) -> str:
    """Base64 HMAC-SHA256 of a webhook's raw body (the `X-Shopify-Hmac-Sha256` header)."""
    return base64.b64encode(_hmac_sha256(secret, body)).decode()


def _same(expected: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(expected.encode(), presented.encode())


def query_verified(params: list[tuple[str, str]], secret: str) -> bool:
    presented = dict(params).get("hmac")
    return bool(secret) and _same(query_hmac(params, secret), presented)


def proxy_verified(params: list[tuple[str, str]], secret: str) -> bool:
    presented = dict(params).get("signature")
    return bool(secret) and _same(proxy_signature(params, secret), presented)


def webhook_verified(body: bytes, presented: str | None, secret: str) -> bool:
    return bool(secret) and _same(webhook_hmac(body, secret), presented)
