"""Sign-in and sign-out for operators, and the "who is this request" check for pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from porch.operators.service import Operator
from porch.operators.sessions import OperatorSession
from porch.panel import csrf
from porch.panel.forms import FormError, field, read_form
from porch.panel.headers import secured_route
from porch.panel.render import error_page, form_expired_page, render
from porch.panel.sessions import COOKIE_NAME, MAX_AGE_SECONDS, encode_session, resolve_cookie
from porch.ratelimit import LoginRateLimiter, client_ip, retry_after_header
from porch.services import Services

LOGIN_PATH = "/panel/login"
HOME_PATH = "/panel"
MAX_EMAIL = 320
MAX_PASSWORD = 1024
MAX_NEXT = 2048


@dataclass(frozen=True)
class SignedIn:
    operator: Operator
    session: OperatorSession


async def signed_in(request: Request, services: Services) -> SignedIn | None:
    """The operator behind this request's session cookie, if that session is still live
    (not signed out, not expired)."""
    cookie = request.cookies.get(COOKIE_NAME)
    session = await resolve_cookie(services.sessions, services.config.secret_key, cookie)
    return SignedIn(session.operator, session) if session else None


def redirect_to_login(request: Request, back_to: str | None = None) -> RedirectResponse:
    """To sign-in, then back here (or to `back_to`: a form post returns to its page)."""
    here = back_to or request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(here, safe='')}", status_code=303)


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: only panel paths on this site, never another host."""
    if not value or len(value) > MAX_NEXT:
        return HOME_PATH
    if any(ch in value for ch in "\\\r\n\t") or value.startswith("//"):
        return HOME_PATH
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME_PATH
    if parts.path != HOME_PATH and not parts.path.startswith(HOME_PATH + "/"):
        return HOME_PATH
    return value


def routes(services: Services) -> list[Route]:
    limiter = LoginRateLimiter(services.limiter)
    config = services.config

    async def login_page(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        if await signed_in(request, services):
            return RedirectResponse(target, status_code=303)
        return _login_form(request, next_path=target)

    async def login(request: Request) -> Response:
        try:
            form = await read_form(request)
            csrf.check_login_form(request, form, config)
            email = field(form, "email", MAX_EMAIL).strip()
            password = field(form, "password", MAX_PASSWORD)
            target = safe_next(field(form, "next", MAX_NEXT))
        except FormError as exc:
            return error_page(services, exc.status_code, "Sign-in failed", exc.message)
        except csrf.CsrfError:
            return _csrf_failed()
        ip = client_ip(request)
        wait = await limiter.retry_after(ip, email)
        if wait:
            return _too_many_attempts(request, email, target, wait)
        if not email or not password:
            return _login_form(
                request, email, target, "Enter your email and password.", status_code=422
            )
        operator = await services.operators.authenticate(email, password)
        if operator is None:
            await limiter.record_failure(ip, email)
            return _login_form(request, email, target, "Wrong email or password.", 401)
        await limiter.record_success(ip, email)
        new = await services.sessions.create(
            operator, user_agent=request.headers.get("user-agent", ""), ip=ip
        )
        return _start_session(new.token, target)

    async def logout(request: Request) -> Response:
        who = await signed_in(request, services)
        if who is None:
            return RedirectResponse(LOGIN_PATH, status_code=303)
        try:
            form = await read_form(request)
            csrf.check_session_form(request, form, who.session, config)
        except FormError as exc:
            return error_page(services, exc.status_code, "Sign-out failed", exc.message)
        except csrf.CsrfError:
            return _csrf_failed()
        await services.sessions.revoke(who.session)
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
        return response

    def _login_form(
        request: Request,
        email: str = "",
        next_path: str = HOME_PATH,
        error: str = "",
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        token = csrf.login_token(request, config.secret_key)
        response = render(
            services,
            "login.html",
            status_code=status_code,
            headers=headers,
            email=email,
            next_path=next_path,
            error=error,
            csrf_token=token,
        )
        csrf.set_login_cookie(response, token, config.secret_key, config.secure_cookies)
        return response

    def _too_many_attempts(request: Request, email: str, target: str, wait: int) -> Response:
        minutes = max(1, (wait + 59) // 60)
        message = (
            f"Too many failed sign-in attempts. Try again in {minutes} "
            f"minute{'s' if minutes > 1 else ''}."
        )
        return _login_form(request, email, target, message, 429, retry_after_header(wait))

    def _start_session(token: str, target: str) -> Response:
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE_NAME,
            encode_session(config.secret_key, token),
            max_age=MAX_AGE_SECONDS,
            path="/",  # the /operator socket (under /socket.io) must see it too
            httponly=True,
            samesite="lax",
            secure=config.secure_cookies,
        )
        response.delete_cookie(csrf.LOGIN_COOKIE, path="/panel")
        return response

    def _csrf_failed() -> Response:
        return form_expired_page(
            services, "The form was not sent from this Porch page, or it is too old."
        )

    return [
        secured_route(LOGIN_PATH, login_page, "GET"),
        secured_route(LOGIN_PATH, login, "POST"),
        secured_route("/panel/logout", logout, "POST"),
    ]
