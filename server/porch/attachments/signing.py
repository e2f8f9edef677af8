"""Signed, expiring URLs: whoever may see a file gets a link that works for a while, then
not. The signature binds the attachment, the variant (file or thumbnail) and the expiry,
so none of them can be changed; time is the server's clock."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

PATH = "/attachments"
LIFETIME = timedelta(minutes=30)
VARIANTS = ("file", "thumb")


def _signature(secret_key: str, attachment_id: str, variant: str, expires: int) -> str:
    message = f"porch.attachment:{attachment_id}:{variant}:{expires}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def signed_url(secret_key: str, attachment_id: str, variant: str, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    query = urlencode({"e": expires, "s": _signature(secret_key, attachment_id, variant, expires)})
    return f"{PATH}/{attachment_id}/{variant}?{query}"


def valid(
    secret_key: str, attachment_id: str, variant: str, expires: str, signature: str, now: datetime
) -> bool:
    if variant not in VARIANTS or not expires.isdigit() or len(expires) > 12:
        return False
    expected = _signature(secret_key, attachment_id, variant, int(expires))
    return hmac.compare_digest(expected, signature) and int(expires) > now.timestamp()
