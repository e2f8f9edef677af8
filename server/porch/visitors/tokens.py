"""Visitor tokens: who a widget visitor is, signed so a browser cannot pick someone else.

A token binds a visitor id to a site id; it is kept by the host page (localStorage) and
re-issued on every session so it stays fresh. The salt keeps these tokens from ever being
accepted as another kind of signed value (e.g. an operator session cookie).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

_SALT = "porch.visitor-token"
MAX_AGE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class VisitorClaim:
    site_id: int
    visitor_id: int


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue_visitor_token(secret_key: str, site_id: int, visitor_id: int) -> str:
    return _serializer(secret_key).dumps({"s": site_id, "v": visitor_id})


def read_visitor_token(secret_key: str, token: object) -> VisitorClaim | None:
    """The claim in a genuine, unexpired token; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > 512:
        return None
    try:
        data = _serializer(secret_key).loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    site_id, visitor_id = data.get("s"), data.get("v")
    if type(site_id) is not int or type(visitor_id) is not int:
        return None
    return VisitorClaim(site_id=site_id, visitor_id=visitor_id)
