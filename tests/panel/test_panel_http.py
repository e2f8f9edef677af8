"""The panel's HTTP edge: sign-in, sign-out, CSRF, throttling, redirects, headers, bad input."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from porch.config import Config
from porch.db.engine import Database
from porch.operators.service import OperatorService
from porch.panel.sessions import COOKIE_NAME, decode_session
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

BASE = "http://panel.test"


@pytest.fixture
async def config(tmp_path: Path, sqlite_url: str) -> AsyncIterator[Config]:
    """The whole app on SQLite, with one operator."""
    db = Database(sqlite_url)
    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    await db.dispose()
    yield Config(data_dir=tmp_path, database_url=sqlite_url, secret_key="panel-test-secret")


@pytest.fixture
async def client(config: Config) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(config, BASE) as c:
        yield c


def session_set_cookie(response: httpx.Response) -> str:
    return next(
        v for v in response.headers.get_list("set-cookie") if v.startswith(COOKIE_NAME + "=")
    )


async def test_session_cookie_is_secure_when_configured(config: Config) -> None:
    """`PORCH_SECURE_COOKIES=1` (behind HTTPS) marks the session cookie Secure."""
    secure = dataclasses.replace(config, secure_cookies=True)
    async with app_client(secure, "https://panel.test", client_ip="203.0.113.8") as https:
        response = await login(https)
    assert response.status_code == 303
    assert "; Secure" in session_set_cookie(response)


async def test_login_page_has_the_form_and_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/panel/login")
    assert response.status_code == 200
    assert 'name="email"' in response.text and 'name="password"' in response.text
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-eval'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"


async def test_login_sets_a_secure_session_cookie_and_redirects(
    client: httpx.AsyncClient, config: Config
) -> None:
    response = await login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/panel"
    set_cookie = session_set_cookie(response)
    assert "Secure" not in set_cookie  # plain HTTP by default; see the test above
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie and "Path=/" in set_cookie
    session = decode_session(config.secret_key, client.cookies[COOKIE_NAME])
    assert session is not None
    inbox = await client.get("/panel")
    assert inbox.status_code == 200
    assert 'data-testid="conversation-list"' in inbox.text
    assert "Olivia" in inbox.text
    assert "content-security-policy" in inbox.headers


async def test_wrong_password_is_401_and_keeps_the_email(client: httpx.AsyncClient) -> None:
    response = await login(client, password="wrong password!")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert f'value="{EMAIL}"' in response.text
    assert COOKIE_NAME not in client.cookies


async def test_unknown_email_looks_the_same_as_a_wrong_password(client: httpx.AsyncClient) -> None:
    response = await login(client, email="nobody@example.com")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text


async def test_email_is_escaped_when_echoed(client: httpx.AsyncClient) -> None:
    response = await login(client, email='"><script>alert(1)</script>')
    assert response.status_code == 401
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


async def test_repeated_failures_are_throttled_with_429(client: httpx.AsyncClient) -> None:
    for _ in range(10):
        assert (await login(client, password="guess-guess")).status_code == 401
    blocked = await login(client)  # even the right password, for this IP + email
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    other_account = await login(client, email="someone@example.com", password="x" * 9)
    assert other_account.status_code == 401


async def test_login_without_csrf_token_is_403(client: httpx.AsyncClient) -> None:
    await client.get("/panel/login")
    response = await client.post("/panel/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert COOKIE_NAME not in client.cookies


async def test_login_with_mismatched_csrf_token_is_403(client: httpx.AsyncClient) -> None:
    await client.get("/panel/login")
    form = {"csrf_token": "forged", "email": EMAIL, "password": PASSWORD}
    assert (await client.post("/panel/login", data=form)).status_code == 403


async def test_login_without_the_csrf_cookie_is_403(client: httpx.AsyncClient) -> None:
    token = csrf_from((await client.get("/panel/login")).text)
    client.cookies.clear()
    form = {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    assert (await client.post("/panel/login", data=form)).status_code == 403


async def test_login_from_a_foreign_origin_is_403(client: httpx.AsyncClient) -> None:
    token = csrf_from((await client.get("/panel/login")).text)
    form = {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    response = await client.post(
        "/panel/login", data=form, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


async def test_pages_redirect_to_login_when_signed_out(client: httpx.AsyncClient) -> None:
    for path, expected_next in [
        ("/panel", "%2Fpanel"),
        ("/panel?c=3", "%2Fpanel%3Fc%3D3"),
        ("/panel/visitors", "%2Fpanel%2Fvisitors"),
        ("/panel/conversations/3", "%2Fpanel%2Fconversations%2F3"),
    ]:
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/panel/login?next={expected_next}"


async def test_safe_next_is_honoured(client: httpx.AsyncClient) -> None:
    response = await login(client, next="/panel/conversations/7")
    assert response.headers["location"] == "/panel/conversations/7"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/panel", "/\\evil.example", "/admin", "javascript:x"],
)
async def test_unsafe_next_is_ignored(client: httpx.AsyncClient, target: str) -> None:
    response = await login(client, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/panel"


async def test_logout_clears_the_session(client: httpx.AsyncClient) -> None:
    await login(client)
    inbox = await client.get("/panel")
    response = await client.post("/panel/logout", data={"csrf_token": csrf_from(inbox.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/panel/login"
    assert COOKIE_NAME not in client.cookies
    assert (await client.get("/panel")).status_code == 303


async def test_logout_without_or_with_wrong_csrf_is_403(client: httpx.AsyncClient) -> None:
    await login(client)
    assert (await client.post("/panel/logout", data={})).status_code == 403
    assert (await client.post("/panel/logout", data={"csrf_token": "nope"})).status_code == 403
    assert (await client.get("/panel")).status_code == 200  # still signed in


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"email=" + b"a" * 20_000, "application/x-www-form-urlencoded", 413),
        (b"email=%FF%FE&password=x", "application/x-www-form-urlencoded", 400),
        (b'{"email": "x"}', "application/json", 415),
        (b"\xff\xfe\x00", "application/x-www-form-urlencoded", 400),
    ],
)
async def test_bad_login_bodies_are_4xx_pages(
    client: httpx.AsyncClient, content: bytes, content_type: str, status: int
) -> None:
    await client.get("/panel/login")
    response = await client.post(
        "/panel/login", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]


async def test_oversized_and_missing_fields_are_4xx(client: httpx.AsyncClient) -> None:
    assert (await login(client, email="a" * 400)).status_code == 422
    assert (await login(client, password="p" * 2000)).status_code == 422
    assert (await login(client, email="", password="")).status_code == 422
    assert (await login(client, email="ol\x00ivia@example.com")).status_code == 400


async def test_signed_in_visit_to_login_goes_to_the_panel(client: httpx.AsyncClient) -> None:
    await login(client)
    response = await client.get("/panel/login?next=/panel/visitors")
    assert response.status_code == 303
    assert response.headers["location"] == "/panel/visitors"


async def test_tampered_session_cookie_is_signed_out(client: httpx.AsyncClient) -> None:
    client.cookies.set(COOKIE_NAME, "forged.value.here")
    assert (await client.get("/panel")).status_code == 303


async def test_pages_render_the_shell_with_deep_link(client: httpx.AsyncClient) -> None:
    await login(client)
    deep = await client.get("/panel/conversations/42")
    assert 'data-conversation-id="42"' in deep.text
    query = await client.get("/panel?c=42")
    assert 'data-conversation-id="42"' in query.text
    bogus = await client.get("/panel?c=<script>")
    assert bogus.status_code == 200 and 'data-conversation-id=""' in bogus.text
    visitors = await client.get("/panel/visitors")
    assert 'data-testid="visitor-list"' in visitors.text
    for page in (deep, visitors):
        assert "/widget/assets/brython.js" in page.text
        assert "/widget/assets/panel.js" in page.text


async def test_static_css_is_served_with_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/panel/static/panel.css")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_panel_loads_its_scripts_by_versioned_urls_cached_for_good(
    client: httpx.AsyncClient,
) -> None:
    """After a deploy a browser fetches the new scripts at once and never mixes versions;
    until then it does not even revalidate them."""
    await login(client)
    inbox = await client.get("/panel/visitors")
    sources = re.findall(r'<script src="([^"]+)"', inbox.text)
    assert [src.split("?")[0] for src in sources] == [
        "/widget/assets/brython.js",
        "/widget/assets/panel.js",
    ]
    for src in sources:
        assert re.search(r"\?v=[0-9a-f]{16}$", src), src
        script = await client.get(src)
        assert script.status_code == 200 and script.content
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
