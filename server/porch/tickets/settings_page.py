"""Settings → Help desk: each site's SLA targets, business hours (split shifts included),
whether SLAs count only those hours, escalation at a breach, auto-close, the resolve
message and the conversation reopen window, as a form an admin fills in.

The form is read into the same `SiteSettingsUpdate` the CLI and the API use, so the checks
and their wording are the site settings' own; a refused form is shown again with what was
typed and the problems beside their fields, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.hours.models import DAY_NAMES, DAYS, BusinessHours, format_minutes, hours_problems
from porch.panel.auth import SignedIn
from porch.panel.forms import MAX_FORM_BYTES
from porch.panel.forms import field as form_field
from porch.panel.headers import secured_route
from porch.panel.pages import admins_only, form_post, page_html
from porch.panel.render import error_page
from porch.services import Services
from porch.sites.models import Site
from porch.sites.settings import SiteSettingsUpdate, settings_problems
from porch.tickets.models import PRIORITIES
from porch.tickets.sla import DEFAULT_AUTO_CLOSE_HOURS, targets

HELPDESK_PATH = "/panel/settings/helpdesk"
TARGETS = ("first_response", "next_response", "resolution")
ALWAYS = {"timezone": "UTC", "weekly": {day: [["00:00", "24:00"]] for day in DAYS}}
"""What an empty time zone stores: open around the clock (the same as no hours at all)."""


class FormProblems(Exception):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("refused")
        self.problems = problems


@dataclass(frozen=True)
class HelpdeskForm:
    site: Site
    values: Mapping[str, str]
    errors: Mapping[str, str] = field(default_factory=dict)


def stored_values(site: Site, default_message: str) -> dict[str, str]:
    """The form as the site's settings fill it."""
    settings = site.settings
    values: dict[str, str] = {}
    for priority in PRIORITIES:
        chosen = targets(settings, priority)
        for target in TARGETS:
            values[f"{priority}_{target}"] = str(int(chosen.of(target).total_seconds() // 60))
    hours = settings.get("business_hours")
    values["timezone"] = hours["timezone"] if hours and hours != ALWAYS else ""
    week = BusinessHours.of_site(settings).weekly if values["timezone"] else None
    for day in DAYS:
        spans = week.day(DAYS.index(day)) if week else ()
        values[f"hours_{day}"] = ", ".join(
            f"{format_minutes(start)}-{format_minutes(end)}" for start, end in spans
        )
    escalation = settings.get("sla_escalation") or {}
    values |= {
        "sla_business_hours": "on" if settings.get("sla_business_hours") else "",
        "raise_priority": "on" if escalation.get("raise_priority") else "",
        "notify": "on" if escalation.get("notify") else "",
        "reassign_to": str(escalation.get("reassign_to") or ""),
        "auto_close_hours": _number(
            settings.get("ticket_auto_close_hours", DEFAULT_AUTO_CLOSE_HOURS)
        ),
        "resolve_message_enabled": "on"
        if settings.get("ticket_resolve_message_enabled", True)
        else "",
        "resolve_message": settings.get("ticket_resolve_message", default_message),
        "reopen_window_hours": _number(site.reopen_window_hours),
    }
    return values


def _number(value: object) -> str:
    number = float(str(value))
    return str(int(number)) if number.is_integer() else str(number)


def read_update(form: Mapping[str, str], site: Site) -> SiteSettingsUpdate:
    """The settings the form says, checked; `FormProblems` by field when refused."""
    problems: dict[str, str] = {}
    changes: dict[str, Any] = {
        "sla_targets": _targets(form, problems),
        "business_hours": _hours(form, site, problems),
        "sla_business_hours": "sla_business_hours" in form,
        "sla_escalation": {
            "raise_priority": "raise_priority" in form,
            "notify": "notify" in form,
            "reassign_to": _whole(form, "reassign_to", problems, optional=True),
        },
        "ticket_auto_close_hours": _decimal(form, "auto_close_hours", problems),
        "ticket_resolve_message_enabled": "resolve_message_enabled" in form,
        "ticket_resolve_message": form.get("resolve_message", "").strip(),
        "reopen_window_hours": _decimal(form, "reopen_window_hours", problems),
    }
    if problems:
        raise FormProblems(problems)
    try:
        return SiteSettingsUpdate(**changes)
    except ValidationError as exc:
        raise FormProblems(settings_problems(exc)) from exc


def _targets(form: Mapping[str, str], problems: dict[str, str]) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for priority in PRIORITIES:
        minutes = {t: _whole(form, f"{priority}_{t}", problems) for t in TARGETS}
        chosen[priority] = {t: m for t, m in minutes.items() if m is not None}
    return chosen


def _whole(
    form: Mapping[str, str], name: str, problems: dict[str, str], optional: bool = False
) -> int | None:
    text = form.get(name, "").strip()
    if not text and optional:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        problems[name] = "Write a whole number, like 60."
        return None
    return int(text)


def _decimal(form: Mapping[str, str], name: str, problems: dict[str, str]) -> float | None:
    text = form.get(name, "").strip()
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value != value or len(text) > 12:  # NaN: not a number at all
        problems[name] = "Write a number of hours, like 72 or 0.5."
        return None
    return value


def _hours(form: Mapping[str, str], site: Site, problems: dict[str, str]) -> Any:
    """Business hours from the time zone and one line per day (`09:00-12:30, 13:30-18:00`;
    empty: closed). An empty time zone means open around the clock. Holidays are kept."""
    zone = form.get("timezone", "").strip()
    if not zone:
        return ALWAYS
    weekly: dict[str, list[list[str]]] = {}
    for day, name in zip(DAYS, DAY_NAMES, strict=True):
        spans = [part.strip() for part in form.get(f"hours_{day}", "").split(",") if part.strip()]
        if any(span.count("-") != 1 for span in spans):
            problems[f"hours_{day}"] = f"{name}: write intervals like 09:00-12:30, 13:30-18:00."
            continue
        weekly[day] = [[p.strip() for p in span.split("-")] for span in spans]
    holidays = (site.settings.get("business_hours") or {}).get("holidays", [])
    hours = {"timezone": zone, "weekly": weekly, "holidays": holidays}
    try:
        BusinessHours.model_validate(hours)
    except ValidationError as exc:
        for key, problem in hours_problems(exc).items():
            parts = key.split(".")
            where = f"hours_{parts[1]}" if parts[0] == "weekly" and len(parts) > 1 else "timezone"
            problems.setdefault(where, problem)
    return hours


def routes(services: Services, default_message: str) -> list[Route]:
    async def show(
        who: SignedIn, refused: HelpdeskForm | None = None, flash: str = "", status: int = 200
    ) -> Response:
        sites = await services.sites.all()
        forms = [
            refused
            if refused is not None and refused.site.id == site.id
            else HelpdeskForm(site, stored_values(site, default_message))
            for site in sites
        ]
        html = page_html(
            services,
            who,
            "tickets/helpdesk.html",
            "settings",
            forms=forms,
            operators=await services.operators.list(),
            priorities=PRIORITIES,
            days=list(zip(DAYS, DAY_NAMES, strict=True)),
            flash=flash,
        )
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    async def page(request: Request, who: SignedIn) -> Response:
        saved = request.query_params.get("saved", "")
        site = next((s for s in await services.sites.all() if str(s.id) == saved), None)
        return await show(
            who, flash=f"Saved the help desk settings of “{site.name}”." if site else ""
        )

    async def save(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = int(request.path_params["site_id"])
        site = await services.sites.get(site_id) if site_id < 2**31 else None
        if site is None:
            return error_page(services, 404, "No such site", "It may have been removed.")
        typed = {name: form_field(form, name, MAX_FORM_BYTES) for name in form}
        try:
            update = read_update(typed, site)
        except FormProblems as exc:
            return await show(who, HelpdeskForm(site, typed, exc.problems), status=422)
        await services.sites.update(site.id, settings=update)
        return RedirectResponse(f"{HELPDESK_PATH}?saved={site.id}#helpdesk-{site.id}", 303)

    return [
        secured_route(HELPDESK_PATH, admins_only(services, page), "GET"),
        secured_route(
            f"{HELPDESK_PATH}/{{site_id:int}}",
            form_post(services, HELPDESK_PATH, save, admins=True),
            "POST",
        ),
    ]
