"""Secrets Porch keeps for the shop (Shopify tokens, a site's own Anthropic key, IMAP
passwords) are encrypted at rest with Fernet (AES-128-CBC plus an HMAC), under a key
derived from the installation's secret key and the secret's purpose, so a copy of the
database alone lets no one act on the shop's behalf, and one purpose's key opens no
other's."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBox:
    def __init__(self, secret_key: str, purpose: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        """The plain text, or None when absent or sealed under another secret key."""
        if not sealed:
            return None
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None

    def __repr__(self) -> str:
        return "SecretBox(<hidden>)"


SHOPIFY_TOKENS = b"porch shopify tokens"
BOT_API_KEYS = b"porch bot api keys"
IMAP_PASSWORDS = b"porch imap passwords"
"""The purposes in use: each keeps its own derived key (changing one makes what it sealed
unreadable)."""
