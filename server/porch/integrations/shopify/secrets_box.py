"""Shopify access and refresh tokens are encrypted at rest (Fernet: AES-128-CBC plus an
HMAC), with a key derived from the installation's secret key, so a copy of the database
alone does not let anyone act on a merchant's store."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"porch shopify tokens"
        ).derive(secret_key.encode())
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
