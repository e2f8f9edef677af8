"""Panel forms as a browser posts them: the CSRF token from the page, the sign-in form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from porch.app import create_app
from porch.config import Config

EMAIL = "olivia@example.com"
PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


async def login(
    client: httpx.AsyncClient, email: str = EMAIL, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    page = await client.get("/panel/login")
    form = {"csrf_token": csrf_from(page.text), "email": email, "password": password, **extra}
    return await client.post("/panel/login", data=form)


@asynccontextmanager
async def app_client(
    config: Config, base_url: str, client_ip: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app in-process (no server), closed properly: httpx runs no lifespan, so the
    app's database engine is disposed here, before the test's event loop ends."""
    app = create_app(config)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 5000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    finally:
        inner = app  # through the middleware and Socket.IO's app to Starlette's
        while not hasattr(inner, "state"):
            inner = getattr(inner, "other_asgi_app", None) or inner.app
        await inner.state.services.db.dispose()
