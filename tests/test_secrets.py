"""Secrets (Shopify tokens, a site's Anthropic key) are sealed at rest under a key derived
from Porch's secret key and the secret's purpose."""

from __future__ import annotations

from porch.secrets import BOT_API_KEYS, SHOPIFY_TOKENS, SecretBox


def test_a_sealed_token_opens_only_under_the_same_secret_key() -> None:
    token = "shpat_0123456789abcdef"
    sealed = SecretBox("installation-secret", SHOPIFY_TOKENS).seal(token)
    assert token not in sealed
    assert SecretBox("installation-secret", SHOPIFY_TOKENS).open(sealed) == token
    assert SecretBox("another-installation", SHOPIFY_TOKENS).open(sealed) is None
    assert SecretBox("installation-secret", SHOPIFY_TOKENS).open(None) is None


def test_the_box_never_shows_its_key() -> None:
    assert "installation-secret" not in repr(SecretBox("installation-secret", SHOPIFY_TOKENS))


def test_one_purposes_box_opens_no_other_purposes_secret() -> None:
    sealed = SecretBox("installation-secret", BOT_API_KEYS).seal("sk-ant-secret")
    assert SecretBox("installation-secret", BOT_API_KEYS).open(sealed) == "sk-ant-secret"
    assert SecretBox("installation-secret", SHOPIFY_TOKENS).open(sealed) is None
