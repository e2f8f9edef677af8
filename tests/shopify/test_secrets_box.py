"""Shopify tokens are sealed at rest under a key derived from Porch's secret key."""

from __future__ import annotations

from porch.integrations.shopify.secrets_box import SecretBox


def test_a_sealed_token_opens_only_under_the_same_secret_key() -> None:
    token = "shpat_0123456789abcdef"
    sealed = SecretBox("installation-secret").seal(token)
    assert token not in sealed
    assert SecretBox("installation-secret").open(sealed) == token
    assert SecretBox("another-installation").open(sealed) is None
    assert SecretBox("installation-secret").open(None) is None


def test_the_box_never_shows_its_key() -> None:
    assert "installation-secret" not in repr(SecretBox("installation-secret"))
