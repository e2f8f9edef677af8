"""Talking to a shop's Admin API: the OAuth token endpoint and GraphQL, over httpx.

GraphQL calls are retried with backoff when Shopify throttles them (HTTP 429, or a
`THROTTLED` error under the cost-based limit), a bounded number of times.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

API_VERSION = "2025-07"
MAX_ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.25
MAX_BACKOFF_SECONDS = 8.0
TIMEOUT_SECONDS = 15.0

log = logging.getLogger(__name__)


class ShopifyError(Exception):
    """Shopify refused or could not be reached; the message never holds a token."""


class TokenGrant(BaseModel):
    """The token endpoint's answer (expiring offline tokens carry the last three)."""

    access_token: str
    scope: str = ""
    expires_in: int | None = None
    refresh_token: str | None = None
    refresh_token_expires_in: int | None = None


@dataclass(frozen=True)
class AdminUrls:
    """Where shops live: `https://{shop}` in production, a local fake in tests."""

    template: str

    def base(self, shop: str) -> str:
        return self.template.replace("{shop}", shop).rstrip("/")

    def authorize(self, shop: str) -> str:
        return f"{self.base(shop)}/admin/oauth/authorize"

    def token(self, shop: str) -> str:
        return f"{self.base(shop)}/admin/oauth/access_token"

    def graphql(self, shop: str) -> str:
        return f"{self.base(shop)}/admin/api/{API_VERSION}/graphql.json"


class AdminClient:
    """One short-lived HTTP client per call: calls are rare (installs, an operator opening
    a conversation), and nothing is left open when the server stops."""

    def __init__(self, urls: AdminUrls) -> None:
        self.urls = urls
        # Loading the CA bundle is blocking work: done once, not on every call.
        self._tls = httpx.create_ssl_context()

    async def request_token(self, shop: str, form: dict[str, str]) -> TokenGrant:
        """POST to the shop's token endpoint (code, token exchange or refresh grant)."""
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, verify=self._tls) as http:
                response = await http.post(self.urls.token(shop), data=form)
        except httpx.HTTPError as exc:
            raise ShopifyError(f"{shop} could not be reached: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise ShopifyError(f"{shop} refused the token request ({response.status_code})")
        try:
            return TokenGrant.model_validate_json(response.content)
        except ValidationError as exc:
            raise ShopifyError(f"{shop} sent an unexpected token answer") from exc

    async def graphql(
        self, shop: str, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The `data` of a GraphQL query, retried while throttled."""
        body = {"query": query, "variables": variables or {}}
        headers = {"X-Shopify-Access-Token": token}
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, verify=self._tls) as http:
            for attempt in range(MAX_ATTEMPTS):
                answer = await self._post(http, shop, body, headers)
                wait = _throttled_for(answer, attempt)
                if wait is None:
                    return _data(shop, answer)
                log.info("Shopify throttled %s; retrying in %.2fs", shop, wait)
                await asyncio.sleep(wait)
        raise ShopifyError(f"{shop} kept throttling after {MAX_ATTEMPTS} attempts")

    async def _post(
        self, http: httpx.AsyncClient, shop: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        try:
            return await http.post(self.urls.graphql(shop), json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ShopifyError(f"{shop} could not be reached: {exc.__class__.__name__}") from exc


def _backoff(attempt: int) -> float:
    return float(min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2**attempt))


def _throttled_for(response: httpx.Response, attempt: int) -> float | None:
    """How long to wait before retrying, or None when the answer is not a throttle."""
    if response.status_code == 429:
        return max(_backoff(attempt), _seconds(response.headers.get("Retry-After")))
    if response.status_code != 200:
        return None
    errors = _json(response).get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
    return _backoff(attempt) if "THROTTLED" in codes else None


def _seconds(value: str | None) -> float:
    try:
        return min(MAX_BACKOFF_SECONDS, max(0.0, float(value or 0)))
    except ValueError:
        return 0.0


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        parsed = response.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _data(shop: str, response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise ShopifyError(f"{shop} answered GraphQL with HTTP {response.status_code}")
    answer = _json(response)
    if answer.get("errors"):
        messages = "; ".join(str(e.get("message", e)) for e in answer["errors"])
        raise ShopifyError(f"{shop} GraphQL error: {messages[:500]}")
    data = answer.get("data")
    if not isinstance(data, dict):
        raise ShopifyError(f"{shop} sent a GraphQL answer without data")
    return data
