"""A local stand-in for Shopify, speaking its documented wire formats, for Porch's tests.

Every shop lives under `/<shop domain>`, so Porch's admin URL template is
`http://127.0.0.1:<port>/{shop}`. It serves:

- `GET  /<shop>/admin/oauth/authorize`: the merchant approves at once; redirects to the
  app's `redirect_uri` with a signed `code`, as Shopify does.
- `POST /<shop>/admin/oauth/access_token`: the code grant, token exchange (a session token
  signed with the app secret) and refresh grants; `expiring=1` gives expiring offline
  tokens, and a refresh rotates both tokens (the old ones stop working).
- `POST /<shop>/admin/api/<version>/graphql.json`: the subset Porch uses (`shop`,
  `currentAppInstallation`, `metafieldsSet`, a customer's orders, order search), with
  THROTTLED answers or HTTP 429 on demand.
- `GET  /<shop>/admin/apps/<api key>`: where Shopify shows the installed app.

It also plays the admin and the webhook sender: it signs install links and session tokens
and delivers signed webhooks. Signing here is written out independently of Porch's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

API_KEY = "porch-test-api-key"
API_SECRET = "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"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


@dataclass
class FakeOrder:
    number: int
    customer_id: str
    email: str
    total: str
    financial_status: str = "PAID"
    fulfillment_status: str = "UNFULFILLED"
    currency: str = "EUR"
    created_at: str = "2026-11-01T10:00:00Z"

    def node(self) -> dict[str, Any]:
        return {
            "name": f"#{self.number}",
            "createdAt": self.created_at,
            "email": self.email,
            "displayFinancialStatus": self.financial_status,
            "displayFulfillmentStatus": self.fulfillment_status,
            "totalPriceSet": {"shopMoney": {"amount": self.total, "currencyCode": self.currency}},
        }


@dataclass
class FakeShop:
    domain: str
    name: str
    primary_url: str
    orders: list[FakeOrder] = field(default_factory=list)
    installation_id: str = field(
        default_factory=lambda: f"gid://shopify/AppInstallation/{secrets.randbelow(10**9)}"
    )
    metafields: dict[str, str] = field(default_factory=dict)
    """App-owned metafields of the installation, `namespace.key` → value."""
    products: list[dict[str, Any]] = field(default_factory=list)
    """`{"title", "handle", "description", "onlineStoreUrl"}` (the bot's knowledge)."""
    policies: list[dict[str, Any]] = field(default_factory=list)
    """`{"title", "body" (HTML), "url"}`."""


@dataclass
class Grant:
    shop: str
    expires_at: float | None


class FakeShopify:
    def __init__(self, api_key: str = API_KEY, api_secret: str = API_SECRET) -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.shops: dict[str, FakeShop] = {}
        self.codes: dict[str, str] = {}
        self.access_tokens: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.token_requests: list[str] = []  # grant types, in order
        self.graphql_calls: list[str] = []  # operation names, in order (throttled ones too)
        self.throttle_next = 0
        """How many of the next GraphQL calls are answered THROTTLED."""
        self.too_many_next = 0
        """How many of the next GraphQL calls are answered HTTP 429."""
        self.token_lifetime = 3600
        self.url = ""  # set once served

    # -- the shop's data ---------------------------------------------------------------

    def add_shop(self, domain: str, name: str, primary_url: str) -> FakeShop:
        shop = FakeShop(domain, name, primary_url)
        self.shops[domain] = shop
        return shop

    def admin_url_template(self) -> str:
        return f"{self.url}/{{shop}}"

    # -- playing the Shopify admin -----------------------------------------------------

    def sign_query(self, params: dict[str, str]) -> dict[str, str]:
        """`params` plus the `hmac` Shopify adds to links and redirects to the app."""
        message = urlencode(sorted(params.items()))
        digest = hmac.new(self.api_secret.encode(), message.encode(), hashlib.sha256)
        return {**params, "hmac": digest.hexdigest()}

    def admin_link(self, shop: str, **extra: str) -> dict[str, str]:
        """The query Shopify puts on the app's URL when a merchant opens or installs it."""
        return self.sign_query({"shop": shop, "timestamp": str(int(time.time())), **extra})

    def session_token(self, shop: str, secret: str | None = None, aud: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": f"https://{shop}/admin",
            "dest": f"https://{shop}",
            "aud": aud or self.api_key,
            "sub": "42",
            "exp": now + 60,
            "nbf": now - 1,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "sid": uuid.uuid4().hex,
        }
        return jwt.encode(claims, secret or self.api_secret, algorithm="HS256")

    def app_proxy_query(self, shop: str, customer_id: str = "") -> list[tuple[str, str]]:
        """A storefront request through the app proxy, signed as Shopify signs it."""
        params = [
            ("shop", shop),
            ("logged_in_customer_id", customer_id),
            ("path_prefix", "/apps/porch"),
            ("timestamp", str(int(time.time()))),
        ]
        message = "".join(f"{k}={v}" for k, v in sorted(params))
        digest = hmac.new(self.api_secret.encode(), message.encode(), hashlib.sha256)
        return [*params, ("signature", digest.hexdigest())]

    async def deliver_webhook(
        self,
        porch_url: str,
        topic: str,
        shop: str,
        payload: dict[str, Any],
        webhook_id: str | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        """POST a webhook as Shopify does; `secret` signs it with another key (a forgery)."""
        body = json.dumps(payload).encode()
        digest = hmac.new((secret or self.api_secret).encode(), body, hashlib.sha256).digest()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-API-Version": "2025-07",
        }
        async with httpx.AsyncClient() as http:
            return await http.post(f"{porch_url}/shopify/webhooks", content=body, headers=headers)

    # -- OAuth -------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        shop = request.path_params["shop"]
        query = request.query_params
        if shop not in self.shops or query.get("client_id") != self.api_key:
            return PlainTextResponse("unknown shop or app", status_code=400)
        code = secrets.token_hex(16)
        self.codes[code] = shop
        params = self.admin_link(shop, code=code, state=query.get("state", ""), host="aG9zdA")
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(params)}", status_code=302)

    async def access_token(self, request: Request) -> Response:
        shop = request.path_params["shop"]
        form = await request.form()
        if (form.get("client_id"), form.get("client_secret")) != (self.api_key, self.api_secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant_type = str(form.get("grant_type") or "authorization_code")
        self.token_requests.append(grant_type)
        if grant_type == "authorization_code" and self.codes.pop(str(form.get("code")), "") == shop:
            return self._grant(shop, expiring=form.get("expiring") == "1")
        if grant_type == TOKEN_EXCHANGE and self._session_shop(str(form.get("subject_token"))):
            return self._grant(shop, expiring=form.get("expiring") == "1")
        refresh = str(form.get("refresh_token"))
        if grant_type == "refresh_token" and self.refresh_tokens.pop(refresh, "") == shop:
            self._revoke(shop)
            return self._grant(shop, expiring=True)
        return JSONResponse({"error": "invalid_request"}, status_code=400)

    def _session_shop(self, token: str) -> str | None:
        try:
            claims = jwt.decode(token, self.api_secret, algorithms=["HS256"], audience=self.api_key)
        except jwt.PyJWTError:
            return None
        return str(claims["dest"]).removeprefix("https://")

    def _revoke(self, shop: str) -> None:
        for token in [t for t, g in self.access_tokens.items() if g.shop == shop]:
            del self.access_tokens[token]

    def _grant(self, shop: str, expiring: bool) -> Response:
        access = "shpat_" + secrets.token_hex(16)
        answer: dict[str, Any] = {"access_token": access, "scope": "read_orders,read_customers"}
        expires_at = None
        if expiring:
            refresh = "shprt_" + secrets.token_hex(16)
            self.refresh_tokens[refresh] = shop
            expires_at = time.time() + self.token_lifetime
            answer |= {
                "expires_in": self.token_lifetime,
                "refresh_token": refresh,
                "refresh_token_expires_in": 90 * 86400,
            }
        self.access_tokens[access] = Grant(shop, expires_at)
        return JSONResponse(answer)

    def uninstall(self, shop: str) -> None:
        """Shopify revokes the tokens and deletes the app-owned metafields."""
        self._revoke(shop)
        for token in [t for t, s in self.refresh_tokens.items() if s == shop]:
            del self.refresh_tokens[token]
        self.shops[shop].metafields.clear()

    # -- GraphQL -----------------------------------------------------------------------

    async def graphql(self, request: Request) -> Response:
        shop = self.shops.get(request.path_params["shop"])
        grant = self.access_tokens.get(request.headers.get("x-shopify-access-token", ""))
        if shop is None or grant is None or grant.shop != shop.domain:
            return JSONResponse({"errors": "[API] Invalid API key or access token"}, 401)
        if grant.expires_at is not None and grant.expires_at < time.time():
            return JSONResponse({"errors": "[API] Access token expired"}, 401)
        body = await request.json()
        query, variables = body["query"], body.get("variables") or {}
        operation = re.search(r"(?:query|mutation)\s+(\w+)", query)
        self.graphql_calls.append(operation.group(1) if operation else "anonymous")
        if self.too_many_next:
            self.too_many_next -= 1
            return JSONResponse(
                {"errors": "Exceeded 2 calls per second"}, 429, {"Retry-After": "0"}
            )
        if self.throttle_next:
            self.throttle_next -= 1
            return JSONResponse(_throttled())
        return JSONResponse({"data": self._resolve(shop, query, variables)})

    def _resolve(self, shop: FakeShop, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if "currentAppInstallation" in query:
            data["currentAppInstallation"] = {"id": shop.installation_id}
        if re.search(r"\bshop\s*{", query):
            data["shop"] = {"name": shop.name, "primaryDomain": {"url": shop.primary_url}}
            if "shopPolicies" in query:
                data["shop"]["shopPolicies"] = shop.policies
        if re.search(r"\bproducts\(first: \d+\)", query):
            data["products"] = {"nodes": shop.products}
        if "metafieldsSet" in query:
            data["metafieldsSet"] = self._metafields_set(shop, variables["metafields"])
        if "customer(id:" in query:
            data["customer"] = self._customer(shop, variables["id"], variables["first"])
        if re.search(r"\borders\(first: \d+, query:", query):
            data["orders"] = {"nodes": [o.node() for o in _search(shop, variables["query"])]}
        return data

    def _metafields_set(self, shop: FakeShop, metafields: list[dict[str, Any]]) -> dict[str, Any]:
        errors = [
            {"field": ["metafields", str(i), "ownerId"], "message": "Owner does not exist"}
            for i, m in enumerate(metafields)
            if m["ownerId"] != shop.installation_id
        ]
        if not errors:
            for m in metafields:
                shop.metafields[f"{m['namespace']}.{m['key']}"] = m["value"]
        done = (
            [] if errors else [{"key": m["key"], "namespace": m["namespace"]} for m in metafields]
        )
        return {"metafields": done, "userErrors": errors}

    def _customer(self, shop: FakeShop, gid: str, first: int) -> dict[str, Any] | None:
        customer_id = gid.rsplit("/", 1)[-1]
        theirs = [o for o in shop.orders if o.customer_id == customer_id]
        if not theirs:
            return None
        newest = sorted(theirs, key=lambda o: o.created_at, reverse=True)[:first]
        return {"orders": {"nodes": [o.node() for o in newest]}}

    def app(self) -> Starlette:
        base = "/{shop}/admin"
        return Starlette(
            routes=[
                Route(f"{base}/oauth/authorize", self.authorize, methods=["GET"]),
                Route(f"{base}/oauth/access_token", self.access_token, methods=["POST"]),
                Route(f"{base}/api/{{version}}/graphql.json", self.graphql, methods=["POST"]),
                Route(f"{base}/apps/{{api_key}}", _app_page, methods=["GET"]),
            ]
        )


def _throttled() -> dict[str, Any]:
    return {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 12,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": 0,
                    "restoreRate": 100.0,
                },
            }
        },
    }


def _search(shop: FakeShop, query: str) -> list[FakeOrder]:
    """Shopify's order search for `name:#N email:"x"` (both terms must match)."""
    name = re.search(r"name:#?(\d+)", query)
    email = re.search(r'email:"([^"]*)"', query)
    return [
        o
        for o in shop.orders
        if (name is None or str(o.number) == name.group(1))
        and (email is None or o.email.lower() == email.group(1).lower())
    ]


async def _app_page(request: Request) -> Response:
    return PlainTextResponse(
        f"Apps › {request.path_params['api_key']} on {request.path_params['shop']}"
    )
