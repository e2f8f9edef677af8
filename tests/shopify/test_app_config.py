"""shopify.app.toml: what the app asks of a shop and where Shopify calls it back."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

APP_TOML = Path(__file__).resolve().parents[2] / "shopify_app" / "shopify.app.toml"
COMPLIANCE = {"customers/data_request", "customers/redact", "shop/redact"}


@pytest.fixture(scope="module")
def app() -> dict[str, Any]:
    return tomllib.loads(APP_TOML.read_text(encoding="utf-8"))


def test_app_is_embedded_and_asks_only_to_read_orders_and_customers(app: dict[str, Any]) -> None:
    assert app["embedded"] is True
    assert re.fullmatch(r"[0-9a-f]{32}", app["client_id"])
    scopes = {s.strip() for s in app["access_scopes"]["scopes"].split(",")}
    assert scopes == {"read_orders", "read_customers"}


def test_oauth_and_webhooks_point_at_the_porch_server(app: dict[str, Any]) -> None:
    base = app["application_url"]
    assert base.startswith("https://")
    assert app["auth"]["redirect_urls"] == [f"{base}/callback"]
    webhooks = app["webhooks"]
    assert re.fullmatch(r"20\d\d-(01|04|07|10)", webhooks["api_version"]), "a stable version"
    topics: set[str] = set()
    compliance: set[str] = set()
    for subscription in webhooks["subscriptions"]:
        assert subscription["uri"] == f"{base}/webhooks"
        topics |= set(subscription.get("topics", []))
        compliance |= set(subscription.get("compliance_topics", []))
    assert topics == {"app/uninstalled"}
    assert compliance == COMPLIANCE


def test_the_app_proxy_reaches_porch(app: dict[str, Any]) -> None:
    proxy = app["app_proxy"]
    assert proxy["url"] == f"{app['application_url']}/proxy"
    assert (proxy["prefix"], proxy["subpath"]) == ("apps", "porch")
