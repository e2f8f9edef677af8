"""The Settings page: each site's name, allowed origins, widget settings and install snippet.

Plain server-rendered forms (POST, then redirect with a flash on success); a refused form is
shown again with what was typed and the problems next to its fields, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from porch.embed.snippet import snippet
from porch.errors import NotFound, SiteError
from porch.panel.auth import SignedIn
from porch.panel.forms import MAX_FORM_BYTES
from porch.panel.forms import field as form_field
from porch.panel.headers import secured_route
from porch.panel.pages import Posted, admins_only, form_post, render_view
from porch.panel.render import error_page
from porch.services import Services
from porch.sites.directory import DEFAULT_SETTINGS, site_problems
from porch.sites.models import Site
from porch.sites.settings import FormField, SiteSettingsUpdate, settings_problems

SETTINGS_PATH = "/panel/settings"
NEW = "new"
"""The key of the add-site form among the page's forms (the others are keyed by site id)."""
MAX_SITE_ID = 2**31 - 1  # sites.id is a 32-bit integer on PostgreSQL


@dataclass(frozen=True)
class SiteForm:
    """One form as the page shows it: stored values, or what was sent and its problems."""

    values: Mapping[str, Any]
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteRow:
    site: Site
    snippet: str
    form: SiteForm


def stored_form(site: Site) -> SiteForm:
    settings = {**DEFAULT_SETTINGS, **site.settings}
    return SiteForm(
        {
            "name": site.name,
            "origins": "\n".join(site.allowed_origins),
            "typing_preview": site.typing_preview,
            "color": settings["color"],
            "greeting": settings["greeting"],
            "theme": settings.get("theme", "auto"),
            "language": settings.get("language", "auto"),
            "logo_url": settings.get("logo_url", ""),
            "offline_form": bool(settings.get("offline_form")),
            **{f"prechat_{f}": _prechat_state(settings, f) for f in PRECHAT_FIELDS},
        }
    )


PRECHAT_FIELDS: tuple[Literal["name", "email", "question"], ...] = ("name", "email", "question")


def _prechat_state(settings: Mapping[str, Any], name: str) -> str:
    """`off`, `optional` or `required`: how the pre-chat form asks for `name`."""
    for field_ in settings.get("prechat_fields") or []:
        if field_.get("name") == name:
            return "required" if field_.get("required") else "optional"
    return "off"


def _prechat_fields(values: Mapping[str, Any]) -> list[FormField]:
    return [
        FormField(name=name, required=values[f"prechat_{name}"] == "required")
        for name in PRECHAT_FIELDS
        if values[f"prechat_{name}"] in ("optional", "required")
    ]


def origin_lines(text: str) -> list[str]:
    """The origins typed in the textarea: one a line, blank lines ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(form: dict[str, str], name: str) -> str:
    # Only the form's own size limit here: the domain's limits are shown next to the field.
    return form_field(form, name, MAX_FORM_BYTES)


_FLASHES = {
    "added": "Site “{}” added: paste its snippet before </body> on every page of the site.",
    "saved": "Saved “{}”.",
    "rotated": "New identity secret for “{}”: update it wherever your site computes hashes.",
}


def _flash(sites: list[Site], params: Mapping[str, str]) -> str:
    """The success message after a redirect (`?added=ID` or `?saved=ID`)."""
    for param, message in _FLASHES.items():
        site = next((s for s in sites if str(s.id) == params.get(param)), None)
        if site:
            return message.format(site.name)
    return ""


def routes(services: Services) -> list[Route]:
    config = services.config

    async def show(
        who: SignedIn,
        forms: Mapping[int | str, SiteForm] | None = None,
        status_code: int = 200,
        query: Mapping[str, str] | None = None,
    ) -> Response:
        forms = forms or {}
        sites = await services.sites.all()
        rows = [
            SiteRow(site, snippet(config.base_url, site.key), forms.get(site.id, stored_form(site)))
            for site in sites
        ]
        return render_view(
            services,
            who,
            "settings",
            status_code,
            sites=rows,
            add_form=forms.get(NEW, SiteForm({"name": "", "origins": ""})),
            flash=_flash(sites, query or {}),
        )

    async def settings_page(request: Request, who: SignedIn) -> Response:
        return await show(who, query=request.query_params)

    def posted(handler: Posted) -> Callable[[Request], Awaitable[Response]]:
        """Agents cannot change site settings: admins' forms only."""
        return form_post(services, SETTINGS_PATH, handler, admins=True)

    def saved(param: str, site: Site) -> Response:
        location = f"{SETTINGS_PATH}?{param}={site.id}#site-{site.id}"
        return RedirectResponse(location, status_code=303)

    async def add_site(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        values = {"name": _text(form, "name"), "origins": _text(form, "origins")}
        try:
            site = await services.sites.create(values["name"], origin_lines(values["origins"]))
        except SiteError as exc:
            return await show(who, {NEW: SiteForm(values, exc.problems)}, status_code=422)
        return saved("added", site)

    async def edit_site(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = request.path_params["site_id"]
        values: dict[str, Any] = {
            "name": _text(form, "name"),
            "origins": _text(form, "origins"),
            "typing_preview": "typing_preview" in form,
            "color": _text(form, "color").strip(),
            "greeting": _text(form, "greeting").strip(),
            "theme": _text(form, "theme").strip() or "auto",
            "language": _text(form, "language").strip() or "auto",
            "logo_url": _text(form, "logo_url").strip(),
            "offline_form": "offline_form" in form,
            **{
                f"prechat_{f}": _text(form, f"prechat_{f}").strip() or "off" for f in PRECHAT_FIELDS
            },
        }
        site = await services.sites.get(site_id) if site_id <= MAX_SITE_ID else None
        if site is None:
            return error_page(services, 404, "No such site", "It may have been removed.")
        origins = origin_lines(values["origins"])
        try:
            try:
                settings = SiteSettingsUpdate(
                    typing_preview=values["typing_preview"],
                    color=values["color"],
                    greeting=values["greeting"],
                    theme=values["theme"],
                    language=values["language"],
                    logo_url=values["logo_url"],
                    offline_form=values["offline_form"],
                    prechat_fields=_prechat_fields(values),
                )
            except ValidationError as exc:  # name and origins are told at the same time
                problems = {**site_problems(values["name"], origins), **settings_problems(exc)}
                raise SiteError(problems) from exc
            site = await services.sites.update(
                site_id, name=values["name"], origins=origins, settings=settings
            )
        except SiteError as exc:
            return await show(who, {site_id: SiteForm(values, exc.problems)}, status_code=422)
        return saved("saved", site)

    async def rotate_secret(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = request.path_params["site_id"]
        try:
            if site_id > MAX_SITE_ID:
                raise NotFound(f"no site {site_id}")
            site = await services.sites.rotate_identity_secret(site_id)
        except NotFound:
            return error_page(services, 404, "No such site", "It may have been removed.")
        return saved("rotated", site)

    return [
        secured_route(SETTINGS_PATH, admins_only(services, settings_page), "GET"),
        secured_route(f"{SETTINGS_PATH}/sites", posted(add_site), "POST"),
        secured_route(f"{SETTINGS_PATH}/sites/{{site_id:int}}", posted(edit_site), "POST"),
        secured_route(
            f"{SETTINGS_PATH}/sites/{{site_id:int}}/identity-secret", posted(rotate_secret), "POST"
        ),
    ]
