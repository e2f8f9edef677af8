"""Signed rating links for tickets answered by email: `/rate/<token>`, the token binding
the ticket and an expiry with an HMAC under the install's secret key, so a link cannot be
turned into another ticket's or used after it expires. Time is the server's clock."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

PATH = "/rate"
LIFETIME = timedelta(days=30)
TOKEN = re.compile(r"^([1-9][0-9]{0,11})\.([0-9]{1,12})\.([0-9a-f]{32})$")


def _signature(secret_key: str, ticket_id: int, expires: int) -> str:
    message = f"porch.ticket_rating:{ticket_id}:{expires}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def token(secret_key: str, ticket_id: int, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    return f"{ticket_id}.{expires}.{_signature(secret_key, ticket_id, expires)}"


def ticket_of(secret_key: str, text: str, now: datetime) -> int | None:
    """The ticket a well-formed, genuine and unexpired token names, else None."""
    found = TOKEN.match(text)
    if found is None:
        return None
    ticket_id, expires = int(found[1]), int(found[2])
    genuine = hmac.compare_digest(_signature(secret_key, ticket_id, expires), found[3])
    return ticket_id if genuine and expires > now.timestamp() else None


def url(base_url: str, secret_key: str, ticket_id: int, now: datetime, score: int) -> str:
    return f"{base_url}{PATH}/{token(secret_key, ticket_id, now)}?score={score}"
