"""The Shopify app's settings come from the environment like every other setting."""

from __future__ import annotations

from pathlib import Path

from porch.config import load_config


def test_shopify_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    env = {
        "PORCH_SHOPIFY_API_KEY": "client-id",
        "PORCH_SHOPIFY_API_SECRET": "client-secret",
        "PORCH_SHOPIFY_SCOPES": "read_orders",
        "PORCH_SHOPIFY_ADMIN_URL": "http://127.0.0.1:9/{shop}",
        "PORCH_SECRET_KEY": "k",
    }
    config = load_config(data=str(tmp_path), env=env)
    assert (config.shopify_api_key, config.shopify_api_secret) == ("client-id", "client-secret")
    assert config.shopify_scopes == "read_orders"
    assert config.shopify_admin_url == "http://127.0.0.1:9/{shop}"


def test_by_default_shops_are_reached_at_their_own_domain(tmp_path: Path) -> None:
    config = load_config(data=str(tmp_path), env={"PORCH_SECRET_KEY": "k"})
    assert config.shopify_admin_url == "https://{shop}"
    assert config.shopify_scopes == "read_orders,read_customers"
    assert config.shopify_api_key == config.shopify_api_secret == ""
