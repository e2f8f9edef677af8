"""Identity verification: a host site vouches for its logged-in user (docs/identity.md).

The site's server computes `hash = hex(HMAC-SHA256(identity_secret, user_id))` and the page
passes `{id, name, email, hash}` to `Porch.setVisitor`. Only someone holding the secret can
produce the hash, so a visitor who presents a valid one really is that user of that site.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass


def new_identity_secret() -> str:
    return secrets.token_hex(32)


def identity_hash(secret: str, user_id: str) -> str:
    """What the host site's server computes for its user (lower-case hex)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def hash_matches(secret: str, user_id: str, presented: str) -> bool:
    """Constant-time; as bytes, since `compare_digest` refuses non-ASCII `str` (TypeError)."""
    expected = identity_hash(secret, user_id).encode()
    return hmac.compare_digest(expected, presented.lower().encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Identity:
    """A user the host site vouched for (the hash was checked before this was made)."""

    user_id: str
    name: str | None = None
    email: str | None = None
