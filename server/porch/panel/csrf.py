"""CSRF protection for panel forms.

Logged-in forms carry the token stored with the operator's session (its table row). The
login form has no session yet, so it uses a signed double-submit cookie: the form field
must equal the token inside a cookie only this server can have signed. Both also refuse a
foreign Origin.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.responses import Response

from porch.config import Config
from porch.operators.sessions import OperatorSession
from porch.panel.sessions import new_csrf_token

FIELD_NAME = "csrf_token"
LOGIN_COOKIE = "porch_login_csrf"
LOGIN_COOKIE_MAX_AGE = 2 * 3600
_LOGIN_SALT = "porch.login-csrf"


class CsrfError(Exception):
    """The form did not come from a page this server rendered for this browser."""


def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=_LOGIN_SALT)


def login_token(request: Request, secret_key: str) -> str:
    """The token in the browser's login cookie if it is genuine, else a fresh one."""
    return _login_cookie_token(request, secret_key) or new_csrf_token()


def set_login_cookie(response: Response, token: str, secret_key: str, secure: bool) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        _signer(secret_key).sign(token).decode(),
        max_age=LOGIN_COOKIE_MAX_AGE,
        path="/panel",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def check_login_form(request: Request, form: dict[str, str], config: Config) -> None:
    _check_origin(request, config)
    expected = _login_cookie_token(request, config.secret_key)
    _require_match(expected, form.get(FIELD_NAME, ""))


def check_session_form(
    request: Request, form: dict[str, str], session: OperatorSession, config: Config
) -> None:
    _check_origin(request, config)
    _require_match(session.csrf_token, form.get(FIELD_NAME, ""))


def _login_cookie_token(request: Request, secret_key: str) -> str | None:
    cookie = request.cookies.get(LOGIN_COOKIE)
    if not cookie:
        return None
    try:
        return _signer(secret_key).unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def _require_match(expected: str | None, sent: str) -> None:
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfError


def _check_origin(request: Request, config: Config) -> None:
    """Browsers send Origin on form POSTs; when present it must be this server
    (as the browser reached it: the Host header, or the configured public URL)."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    ours = {request.headers.get("host", "").lower(), urlsplit(config.base_url).netloc.lower()}
    ours.discard("")
    if urlsplit(origin).netloc.lower() not in ours:
        raise CsrfError
