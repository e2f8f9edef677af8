"""The operator session cookie: the signed (itsdangerous) token of a row in
`operator_sessions` (see `porch.operators.sessions`). The signature turns away forged
cookies without a database read; the row decides whether the session is still live, so
signing out ends it everywhere.

Shared by the panel's HTTP routes and the `/operator` Socket.IO namespace.
"""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie

from itsdangerous import BadSignature, URLSafeTimedSerializer

from porch.operators.sessions import LIFETIME, OperatorSession, SessionStore

COOKIE_NAME = "porch_session"
MAX_AGE_SECONDS = int(LIFETIME.total_seconds())
_SALT = "porch.operator-session"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def encode_session(secret_key: str, token: str) -> str:
    """The cookie value for a session token (`SessionStore.create(...).token`)."""
    return _serializer(secret_key).dumps({"sid": token})


def decode_session(secret_key: str, cookie_value: str | None) -> str | None:
    """The session token inside a genuine cookie, else None. Not proof of a live session:
    resolve it with the `SessionStore`."""
    if not cookie_value:
        return None
    try:
        data = _serializer(secret_key).loads(cookie_value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        return None
    sid: str = data["sid"]
    return sid


async def resolve_cookie(
    store: SessionStore, secret_key: str, cookie_value: str | None
) -> OperatorSession | None:
    """The live session behind a cookie value (for HTTP requests)."""
    token = decode_session(secret_key, cookie_value)
    return await store.resolve(token) if token else None


async def resolve_cookie_header(
    store: SessionStore, secret_key: str, cookie_header: str | None
) -> OperatorSession | None:
    """The live session behind a raw `Cookie:` header (for socket connects)."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE_NAME)
    return await resolve_cookie(store, secret_key, morsel.value if morsel else None)
