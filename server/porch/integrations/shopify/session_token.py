"""Session tokens: the JWT (HS256, signed with the app secret) that Shopify's admin hands
an embedded app, proving which shop (and staff member) opened it."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt

from porch.integrations.shopify.signatures import valid_shop

LEEWAY_SECONDS = 10  # clock skew allowed, as in Shopify's own library


class InvalidSessionToken(Exception):
    pass


def shop_of_session_token(token: str, api_key: str, api_secret: str) -> str:
    """The shop domain a valid session token was issued for, else InvalidSessionToken."""
    if not api_key or not api_secret:
        raise InvalidSessionToken("the Shopify app is not configured")
    try:
        claims = jwt.decode(
            token,
            api_secret,
            algorithms=["HS256"],
            audience=api_key,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "nbf", "iss", "dest", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidSessionToken(f"session token rejected: {exc}") from exc
    shop = urlsplit(str(claims["dest"])).hostname or ""
    issuer = urlsplit(str(claims["iss"])).hostname or ""
    if not valid_shop(shop) or issuer != shop:
        raise InvalidSessionToken("session token names no valid shop")
    return shop
