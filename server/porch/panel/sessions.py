"""The operator session cookie: signed (itsdangerous), expiring, carrying a CSRF token.

Shared by the panel's HTTP routes and the `/operator` Socket.IO namespace.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "porch_session"
MAX_AGE_SECONDS = 14 * 24 * 3600
_SALT = "porch.operator-session"


@dataclass(frozen=True)
class Session:
    operator_id: int
    csrf_token: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def encode_session(secret_key: str, operator_id: int, csrf_token: str | None = None) -> str:
    """The cookie value for a logged-in operator."""
    payload = {"op": operator_id, "csrf": csrf_token or new_csrf_token()}
    return _serializer(secret_key).dumps(payload)


def decode_session(secret_key: str, cookie_value: str | None) -> Session | None:
    if not cookie_value:
        return None
    try:
        data = _serializer(secret_key).loads(cookie_value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("op"), int):
        return None
    return Session(operator_id=data["op"], csrf_token=str(data.get("csrf", "")))


def operator_id_from_cookie_header(cookie_header: str | None, secret_key: str) -> int | None:
    """For socket connects, which see the raw `Cookie:` header."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE_NAME)
    session = decode_session(secret_key, morsel.value if morsel else None)
    return session.operator_id if session else None
