"""Settings → Privacy (`/panel/settings/privacy`, admins only): each site's ratings,
consent and retention settings; a contact's data export (JSON) and erasure by email;
the audit log. Every change, export and erasure is written to the audit log in the same
transaction as the change."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.actors import Actor
from porch.panel.auth import SignedIn
from porch.panel.forms import FormError, field
from porch.panel.headers import secured_route
from porch.panel.pages import Posted, admins_only, form_post, page_html
from porch.privacy import audit, contacts
from porch.services import Services
from porch.sites.settings import SiteSettingsUpdate, settings_problems

PRIVACY_PATH = "/panel/settings/privacy"
FLASH = {
    "saved": "Privacy settings saved.",
    "erased": "The contact and everything theirs were erased.",
    "none": "No contact with that email address on that site.",
}


def routes(services: Services) -> list[Route]:
    async def show(
        who: SignedIn, flash: str = "", problems: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        async with services.db.connect() as conn:
            entries = await audit.latest(conn)
        html = page_html(
            services,
            who,
            "privacy/privacy.html",
            "settings",
            sites=await services.sites.all(),
            entries=entries,
            flash=flash,
            problems=problems or {},
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    async def page(request: Request, who: SignedIn) -> Response:
        return await show(who, FLASH.get(request.query_params.get("done", ""), ""))

    def posted(handler: Posted) -> Callable[[Request], Awaitable[Response]]:
        return form_post(services, PRIVACY_PATH, handler, admins=True)

    async def save(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site = await services.sites.get(_site_id(request.path_params.get("site_id", "")))
        if site is None:
            raise FormError(404, "No such site.")
        try:
            update = SiteSettingsUpdate(**_settings(form))
        except (ValidationError, ValueError) as exc:
            problems = (
                settings_problems(exc) if isinstance(exc, ValidationError) else {"form": str(exc)}
            )
            return await show(who, problems=problems, status=422)
        await services.sites.update(site.id, settings=update)
        async with services.db.begin() as conn:
            await audit.record(conn, services.clock.now(), _actor(who), "settings.privacy",
                               site.name, site_id=site.id, detail=update.changes())  # fmt: skip
        return RedirectResponse(f"{PRIVACY_PATH}?done=saved", status_code=303)

    async def export(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id, email = _contact(form)
        async with services.db.begin() as conn:
            ids = await contacts.find(conn, site_id, email)
            if not ids:
                return RedirectResponse(f"{PRIVACY_PATH}?done=none", status_code=303)
            data = await contacts.export(conn, ids)
            await audit.record(conn, services.clock.now(), _actor(who), "contact.export", email,
                               site_id=site_id, detail={"visitors": ids})  # fmt: skip
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="contact-export.json"',
                "Cache-Control": "no-store",
            },
        )

    async def erase(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id, email = _contact(form)
        if form.get("confirm") != "yes":
            raise FormError(422, "Tick the box to confirm the erasure.")
        async with services.events.transaction(services.db) as unit:
            ids = await contacts.find(unit.conn, site_id, email)
            if not ids:
                return RedirectResponse(f"{PRIVACY_PATH}?done=none", status_code=303)
            files = await contacts.files_of(unit.conn, ids)
            await unit.record(await contacts.erase(unit.conn, ids))
            await audit.record(unit.conn, services.clock.now(), _actor(who), "contact.erase",
                               email, site_id=site_id, detail={"visitors": ids})  # fmt: skip
        if services.attachments is not None:
            for key in files:
                await services.attachments.storage.delete(key)
        return RedirectResponse(f"{PRIVACY_PATH}?done=erased", status_code=303)

    return [
        secured_route(PRIVACY_PATH, admins_only(services, page), "GET"),
        secured_route(f"{PRIVACY_PATH}/sites/{{site_id}}", posted(save), "POST"),
        secured_route(f"{PRIVACY_PATH}/export", posted(export), "POST"),
        secured_route(f"{PRIVACY_PATH}/erase", posted(erase), "POST"),
    ]


def _actor(who: SignedIn) -> Actor:
    return Actor.operator(who.operator.id, who.operator.name)


def _site_id(text: str) -> int:
    if not (text.isdigit() and len(text) < 10):
        raise FormError(404, "No such site.")
    return int(text)


def _contact(form: dict[str, str]) -> tuple[int, str]:
    email = field(form, "email", 320).strip()
    if "@" not in email:
        raise FormError(422, "Give the contact's email address.")
    return _site_id(field(form, "site_id", 12)), email


def _settings(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as settings: checkboxes are on when present; empty texts keep
    the stored value (the notice's default applies until one is written)."""
    values: dict[str, Any] = {
        name: name in form for name in ("csat_enabled", "csat_human_only", "consent_required")
    }
    for name in ("consent_text", "consent_link"):
        text = field(form, name, 2000).strip()
        if text:
            values[name] = text
    for name in ("retention_days", "visitor_retention_days"):
        text = field(form, name, 10).strip() or "0"
        if not text.isdigit():
            raise ValueError(f"{name.replace('_', ' ').capitalize()} is a whole number of days.")
        values[name] = int(text)
    return values
