"""Rendering panel pages from the shared Jinja2 environment (autoescaped)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import HTMLResponse

from porch.services import Services

# Pages carry CSRF tokens and private conversations: never cache them.
_NO_STORE = {"Cache-Control": "no-store"}


def render(
    services: Services,
    template: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: object,
) -> HTMLResponse:
    html = services.templates.get_template(f"panel/{template}").render(**context)
    return HTMLResponse(html, status_code=status_code, headers={**_NO_STORE, **(headers or {})})


def error_page(
    services: Services,
    status_code: int,
    title: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    return render(
        services,
        "error.html",
        status_code=status_code,
        headers=headers,
        title=title,
        message=message,
        status_code_text=str(status_code),
    )


def form_expired_page(services: Services, what_happened: str) -> HTMLResponse:
    """The answer to a form whose CSRF check failed."""
    return error_page(
        services,
        403,
        "This form has expired",
        f"{what_happened} Go back, reload the page and try again.",
    )
