"""Porch's signature checks agree with Shopify's own Node library, `@shopify/shopify-api`,
on freshly signed requests (the library refuses old timestamps) and tampered ones.

The library is installed from tests/shopify/node/package-lock.json with `npm ci`."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from porch.integrations.shopify.session_token import InvalidSessionToken, shop_of_session_token
from porch.integrations.shopify.signatures import (
    proxy_signature,
    proxy_verified,
    query_hmac,
    query_verified,
    webhook_hmac,
    webhook_verified,
)

NODE_DIR = Path(__file__).resolve().parent / "node"
API_KEY = "crosscheck-key"
SECRET = "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"
SHOP = "some-shop.myshopify.com"


@pytest.fixture(scope="module")
def shopify_node() -> Path:
    """The installed library (installed now unless node_modules matches the lockfile)."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are needed for the cross-check with @shopify/shopify-api")
    lock = (NODE_DIR / "package-lock.json").read_bytes()
    stamp = NODE_DIR / "node_modules" / ".porch-lock"
    if not stamp.exists() or stamp.read_bytes() != lock:
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NODE_DIR,
            check=True,
            timeout=300,
        )
        stamp.write_bytes(lock)
    return NODE_DIR


def node_accepts(node_dir: Path, cases: list[dict[str, Any]]) -> list[bool]:
    payload = {"api_key": API_KEY, "api_secret": SECRET, "cases": cases}
    done = subprocess.run(
        ["node", "crosscheck.mjs"],
        cwd=node_dir,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)["results"]


def fresh_admin_queries() -> list[list[tuple[str, str]]]:
    now = str(int(time.time()))
    plain = [("code", "abc123"), ("shop", SHOP), ("state", "n0nce"), ("timestamp", now)]
    tricky = [
        ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvc29tZS1zaG9w"),
        ("note", "a b&c=d%e~f*g+h/é"),
        ("shop", SHOP),
        ("timestamp", now),
    ]
    return [plain, tricky]


def signed(query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*query, ("hmac", query_hmac(query, SECRET))]


def tampered(query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v + "x" if k == "shop" else v) for k, v in query]


def test_admin_query_hmacs_agree(shopify_node: Path) -> None:
    queries = [signed(q) for q in fresh_admin_queries()]
    queries += [tampered(q) for q in queries]
    ours = [query_verified(q, SECRET) for q in queries]
    assert ours == [True, True, False, False]
    assert (
        node_accepts(shopify_node, [{"kind": "admin", "query": dict(q)} for q in queries]) == ours
    )


def proxy_case(query: list[tuple[str, str]]) -> dict[str, Any]:
    """The query as Node frameworks parse it: a repeated key's values become a list."""
    parsed: dict[str, Any] = {}
    for key, value in query:
        parsed[key] = [*parsed[key], value] if key in parsed else value
    return {"kind": "proxy", "query": parsed}


def test_app_proxy_signatures_agree(shopify_node: Path) -> None:
    base = [
        ("extra", "1"),
        ("extra", "2"),
        ("shop", "shop-name.myshopify.com"),
        ("logged_in_customer_id", "1"),
        ("path_prefix", "/apps/awesome_reviews"),
        ("timestamp", str(int(time.time()))),
    ]
    good = [*base, ("signature", proxy_signature(base, SECRET))]
    bad = [(k, "3" if (k, v) == ("extra", "2") else v) for k, v in good]
    ours = [proxy_verified(good, SECRET), proxy_verified(bad, SECRET)]
    assert ours == [True, False]
    assert node_accepts(shopify_node, [proxy_case(good), proxy_case(bad)]) == ours


def webhook_case(body: str, hmac_header: str) -> dict[str, Any]:
    headers = {
        "x-shopify-hmac-sha256": hmac_header,
        "x-shopify-topic": "customers/redact",
        "x-shopify-api-version": "2025-07",
        "x-shopify-shop-domain": SHOP,
        "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "x-shopify-event-id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "x-shopify-triggered-at": "2026-11-21T08:00:00Z",
    }
    return {"kind": "webhook", "body": body, "headers": headers}


def test_webhook_hmacs_agree(shopify_node: Path) -> None:
    body = json.dumps({"shop_domain": SHOP, "customer": {"id": 7, "email": "ä@b.example"}})
    good = webhook_hmac(body.encode(), SECRET)
    cases = [(body, good), (body + " ", good), (body, webhook_hmac(body.encode(), "other"))]
    ours = [webhook_verified(b.encode(), h, SECRET) for b, h in cases]
    assert ours == [True, False, False]
    assert node_accepts(shopify_node, [webhook_case(b, h) for b, h in cases]) == ours


def session_token(secret: str = SECRET, aud: str = API_KEY, lifetime: int = 60) -> str:
    now = int(time.time())
    claims = {
        "iss": f"https://{SHOP}/admin",
        "dest": f"https://{SHOP}",
        "aud": aud,
        "sub": "42",
        "exp": now + lifetime,
        "nbf": now - 5,
        "iat": now - 5,
        "jti": "f8912129-1af6-4cad-9ca3-76b0f7621087",
        "sid": "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def porch_accepts(token: str) -> bool:
    try:
        return shop_of_session_token(token, API_KEY, SECRET) == SHOP
    except InvalidSessionToken:
        return False


def test_session_token_checks_agree(shopify_node: Path) -> None:
    tokens = [
        session_token(),
        session_token(secret="shpss_00000000000000000000000000000000"),
        session_token(aud="another-app"),
        session_token(lifetime=-120),  # expired two minutes ago
    ]
    ours = [porch_accepts(t) for t in tokens]
    assert ours == [True, False, False, False]
    cases = [{"kind": "session", "token": t} for t in tokens]
    assert node_accepts(shopify_node, cases) == ours
