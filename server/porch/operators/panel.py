"""The panel's Team page (admins only): invitations, roles, deactivation, skills,
capacity, teams and each site's routing rules; and the invitation page an invitee opens.

Plain server-rendered forms, like Settings: POST, then redirect with a flash; a refused
form shows the page again with the problem and nothing stored. Every form re-checks that
the operator is an admin (their role is read with their session on each request), so an
agent's hand-made POST is refused exactly like the hidden buttons suggest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.actors import Actor
from porch.errors import NotFound
from porch.operators import forms, management
from porch.operators.invites import INVITE_PATH, InviteService
from porch.operators.service import ROLES, OperatorError, check_role, clean_skills
from porch.operators.teams import TeamService
from porch.panel import csrf
from porch.panel.auth import LOGIN_PATH, SignedIn
from porch.panel.forms import FormError, field, read_form
from porch.panel.headers import secured_route
from porch.panel.pages import Posted, admins_only, form_post
from porch.panel.render import error_page, form_expired_page
from porch.routing.settings import RoutingSettings
from porch.services import Services
from porch.sites.settings import SiteSettingsUpdate

TEAM_PATH = "/panel/team"
MAX_FIELD = 4000

_FLASHES = {
    "saved": "Saved.",
    "deactivated": "Deactivated: they are signed out everywhere and get no new work.",
    "reactivated": "Reactivated: they can sign in again.",
    "team": "Team saved.",
    "deleted": "Team deleted.",
    "routing": "Routing rules saved.",
    "revoked": "Invitation cancelled: its link no longer works.",
}


def _actor(who: SignedIn) -> Actor:
    return Actor.operator(who.operator.id, who.operator.name)


def _text(form: dict[str, str], name: str) -> str:
    return field(form, name, MAX_FIELD)


def routes(services: Services) -> list[Route]:
    config = services.config
    invites = InviteService(services.db, services.operators, services.clock, services.events)
    teams = TeamService(services.db, services.clock)

    async def show(
        who: SignedIn,
        flash: str = "",
        error: str = "",
        invite_link: str = "",
        status_code: int = 200,
    ) -> Response:
        everyone = await services.operators.list(include_inactive=True)
        all_teams = await teams.list()
        names = {o.id: o.name for o in everyone}
        sites = await services.sites.all()
        routing = [(site, RoutingSettings.of_site(site.settings)) for site in sites]
        return _html(
            services,
            "team.html",
            status_code,
            view="team",
            operator=who.operator,
            csrf_token=who.session.csrf_token,
            operators=everyone,
            active=[o for o in everyone if o.active],
            invites=await invites.pending(),
            teams=all_teams,
            names=names,
            emails={o.id: o.email for o in everyone},
            routing=[(site, rules, forms.rules_text(rules, all_teams)) for site, rules in routing],
            roles=ROLES,
            flash=flash,
            error=error,
            invite_link=invite_link,
        )

    async def team_page(request: Request, who: SignedIn) -> Response:
        flash = next((m for k, m in _FLASHES.items() if k in request.query_params), "")
        return await show(who, flash=flash)

    async def refused(_request: Request, who: SignedIn, exc: Exception) -> Response:
        return await show(who, error=str(exc), status_code=422)

    def posted(handler: Posted) -> Callable[[Request], Awaitable[Response]]:
        """An admin's form with a valid CSRF token, else no change."""
        return form_post(
            services, TEAM_PATH, handler, admins=True, refused=(refused, (OperatorError, NotFound))
        )

    def done(flash: str, anchor: str = "") -> Response:
        return RedirectResponse(f"{TEAM_PATH}?{flash}=1{anchor}", status_code=303)

    def _id(request: Request, name: str) -> int:
        value = int(request.path_params[name])
        if value > forms.MAX_ID:
            raise NotFound("no such record")
        return value

    async def invite(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        new = await invites.create(_text(form, "email"), _text(form, "role"), _actor(who))
        link = new.link(config.base_url)
        flash = f"Invitation for {new.invite.email} ready: send them this link (it works once)."
        return await show(who, flash=flash, invite_link=link)

    async def revoke_invite(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await invites.revoke(_id(request, "invite_id"), _actor(who))
        return done("revoked")

    async def edit_operator(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        """All checked before anything is stored: a refused form changes nothing."""
        operator_id = _id(request, "operator_id")
        skills = clean_skills(forms.word_list(_text(form, "skills")))
        max_chats = forms.optional_int(_text(form, "max_chats"), "Max open chats")
        max_tickets = forms.optional_int(_text(form, "max_tickets"), "Max open tickets")
        role = check_role(_text(form, "role")) if _text(form, "role") else None
        await services.operators.set_capacity(operator_id, max_chats, max_tickets)
        await services.operators.set_skills(operator_id, skills)
        if role is not None:
            await management.set_role(services, operator_id, role, _actor(who))
        return done("saved", f"#operator-{operator_id}")

    async def deactivate(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await management.deactivate(services, _id(request, "operator_id"), _actor(who))
        return done("deactivated")

    async def reactivate(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await management.reactivate(services, _id(request, "operator_id"), _actor(who))
        return done("reactivated")

    async def add_team(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        lead = forms.optional_id(_text(form, "lead_id"), "team lead")
        team = await teams.create(_text(form, "name"), lead)
        return done("team", f"#team-{team.id}")

    async def edit_team(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        everyone = await services.operators.list(include_inactive=True)
        team = await teams.update(
            _id(request, "team_id"),
            _text(form, "name"),
            forms.optional_id(_text(form, "lead_id"), "team lead"),
            forms.members(_text(form, "members"), everyone),
        )
        return done("team", f"#team-{team.id}")

    async def delete_team(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await teams.delete(_id(request, "team_id"))
        return done("deleted")

    async def edit_routing(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = _id(request, "site_id")
        all_teams = await teams.list()
        team_ids = {t.id for t in all_teams}
        active = {o.id for o in await services.operators.list()}
        team_id = forms.optional_id(_text(form, "team_id"), "team")
        fallback = forms.optional_id(_text(form, "fallback_operator_id"), "operator")
        if team_id is not None and team_id not in team_ids:
            raise OperatorError("no such team")
        if fallback is not None and fallback not in active:
            raise OperatorError("the fallback operator must be an active operator")
        values: dict[str, Any] = {
            "chats": "chats" in form,
            "tickets": "tickets" in form,
            "team_id": team_id,
            "rules": forms.parse_rules(_text(form, "rules"), all_teams),
            "after_hours": "after_hours" in form,
            "after_hours_message": _text(form, "after_hours_message").strip()
            or RoutingSettings().after_hours_message,
            "fallback_operator_id": fallback,
        }
        try:
            routing = RoutingSettings.model_validate(values, strict=False)
        except ValidationError:
            raise OperatorError(
                "The after-hours message has at most 500 characters of plain text."
            ) from None
        if await services.sites.get(site_id) is None:
            raise NotFound("no such site")
        await services.sites.update(site_id, settings=SiteSettingsUpdate(routing=routing))
        return done("routing", f"#routing-{site_id}")

    # -- the invitee's side -------------------------------------------------------------

    def invite_form(
        request: Request, token: str, email: str, error: str = "", status_code: int = 200
    ) -> Response:
        login_token = csrf.login_token(request, config.secret_key)
        response = _html(
            services,
            "invite.html",
            status_code,
            token=token,
            email=email,
            error=error,
            csrf_token=login_token,
        )
        csrf.set_login_cookie(response, login_token, config.secret_key, config.secure_cookies)
        return response

    def gone() -> Response:
        return error_page(
            services,
            404,
            "This invitation no longer works",
            "It was used already, cancelled, or it expired. Ask an admin for a new one.",
        )

    async def invite_page(request: Request) -> Response:
        token = request.path_params["token"]
        found = await invites.peek(token)
        return invite_form(request, token, found.email) if found else gone()

    async def accept(request: Request) -> Response:
        token = request.path_params["token"]
        found = await invites.peek(token)
        if found is None:
            return gone()
        try:
            form = await read_form(request)
            csrf.check_login_form(request, form, config)
            name, password = field(form, "name", 200), field(form, "password", 1024)
            if password != field(form, "password_again", 1024):
                raise OperatorError("the two passwords differ")
            await invites.accept(token, name, password)
        except FormError as exc:
            return error_page(services, exc.status_code, "Not saved", exc.message)
        except csrf.CsrfError:
            return form_expired_page(services, "Your account was not created.")
        except OperatorError as exc:
            return invite_form(request, token, found.email, str(exc), 422)
        return RedirectResponse(f"{LOGIN_PATH}?next=%2Fpanel", status_code=303)

    admin = f"{TEAM_PATH}"
    return [
        secured_route(admin, admins_only(services, team_page), "GET"),
        secured_route(f"{admin}/invites", posted(invite), "POST"),
        secured_route(f"{admin}/invites/{{invite_id:int}}/revoke", posted(revoke_invite), "POST"),
        secured_route(f"{admin}/operators/{{operator_id:int}}", posted(edit_operator), "POST"),
        secured_route(
            f"{admin}/operators/{{operator_id:int}}/deactivate", posted(deactivate), "POST"
        ),
        secured_route(
            f"{admin}/operators/{{operator_id:int}}/reactivate", posted(reactivate), "POST"
        ),
        secured_route(f"{admin}/teams", posted(add_team), "POST"),
        secured_route(f"{admin}/teams/{{team_id:int}}", posted(edit_team), "POST"),
        secured_route(f"{admin}/teams/{{team_id:int}}/delete", posted(delete_team), "POST"),
        secured_route(f"{admin}/routing/{{site_id:int}}", posted(edit_routing), "POST"),
        secured_route(f"{INVITE_PATH}/{{token}}", invite_page, "GET"),
        secured_route(f"{INVITE_PATH}/{{token}}", accept, "POST"),
    ]


def _html(services: Services, template: str, status_code: int = 200, **context: Any) -> Response:
    html = services.templates.get_template(f"operators/{template}").render(**context)
    return HTMLResponse(html, status_code, headers={"Cache-Control": "no-store"})
