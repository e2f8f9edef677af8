"""The panel's Bot page (/panel/bot): settings, knowledge sources, the playground, recent
answers (rate them, turn a good one into a Q&A pair) and recent handoffs. Plain
server-rendered forms: POST with the session's CSRF token, then a redirect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute

from porch.bot.knowledge import sources as knowledge
from porch.bot.upload import read_upload
from porch.errors import Invalid, NotFound
from porch.panel import csrf
from porch.panel.auth import SignedIn, redirect_to_login, signed_in
from porch.panel.forms import FormError
from porch.panel.forms import field as form_field
from porch.panel.headers import secured_route
from porch.panel.pages import ADMINS_ONLY, form_post, operators_only, page_html
from porch.panel.render import error_page, form_expired_page

if TYPE_CHECKING:
    from porch.bot.admin import Trial
    from porch.bot.service import BotService
    from porch.services import Services

BOT_PATH = "/panel/bot"
MAX_ID = 2**31 - 1
Posted = Callable[[Request, SignedIn, dict[str, str], int], Awaitable[Response]]


def routes(services: Services, bot: BotService) -> list[BaseRoute]:
    from porch.bot.admin import BotAdmin
    from porch.bot.settings import MODES, BotSettingsUpdate

    admin = BotAdmin(bot)

    async def show(
        request: Request, who: SignedIn, trial: Trial | None = None, problem: str = ""
    ) -> Response:
        sites = await services.sites.all()
        if not sites:
            return error_page(services, 404, "No sites yet", "Add a site in Settings first.")
        wanted = request.query_params.get("site") or request.path_params.get("site_id")
        site = next((s for s in sites if str(s.id) == str(wanted)), sites[0])
        html = page_html(
            services,
            who,
            "bot/bot.html",
            "bot",
            sites=sites,
            site=site,
            settings=await admin.settings(site.id),
            modes=MODES,
            sources=await admin.sources(site.id),
            answers=await admin.answers(site.id),
            handoffs=await admin.handoffs(site.id),
            trial=trial,
            problem=problem or request.query_params.get("problem", "")[:300],
            flash=request.query_params.get("done", "")[:100],
        )
        return HTMLResponse(html, status_code=422 if problem else 200)

    async def page(request: Request, who: SignedIn) -> Response:
        return await show(request, who)

    async def refused(request: Request, who: SignedIn, exc: Exception) -> Response:
        return await show(request, who, problem=str(exc))

    def posted(handler: Posted, admins: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """A form about one site's bot; settings and sources are admins' (agents may try
        the playground)."""

        async def on_site(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
            site_id = int(request.path_params["site_id"])
            if site_id > MAX_ID or await services.sites.get(site_id) is None:
                return error_page(services, 404, "No such site", "It may have been removed.")
            return await handler(request, who, form, site_id)

        return form_post(
            services, BOT_PATH, on_site, admins=admins, refused=(refused, (Invalid, NotFound))
        )

    def done(site_id: int, what: str) -> Response:
        return RedirectResponse(f"{BOT_PATH}?site={site_id}&done={what}", status_code=303)

    async def save_settings(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        values: dict[str, Any] = {
            "mode": form_field(form, "mode", 20),
            "name": form_field(form, "name", 80).strip(),
            "model": form_field(form, "model", 100).strip(),
            "instructions": form_field(form, "instructions", 4000),
            "allow_private_urls": "allow_private_urls" in form,
        }
        if "daily_limit" in form:
            values["daily_limit"] = form_field(form, "daily_limit", 10).strip()
        key = form_field(form, "api_key", 200).strip()
        if key or "forget_key" in form:
            values["api_key"] = key
        try:
            await admin.save(site_id, BotSettingsUpdate(**values))
        except ValidationError as exc:
            fields = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
            raise Invalid(f"Not saved: check {fields}.") from exc
        return done(site_id, "saved")

    async def add_source(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        url = form_field(form, "url", 2000).strip()
        question = form_field(form, "question", 2000).strip()
        if url:
            await admin.add_url(site_id, url)
        else:
            await admin.kb.add_qa(site_id, question, form_field(form, "answer", 4000))
        return done(site_id, "added")

    async def upload(request: Request) -> Response:
        """A knowledge file from the upload form (multipart, so not `form_post`; the same
        checks: signed in, admin, CSRF token)."""
        who = await signed_in(request, services)
        if who is None:
            return redirect_to_login(request, back_to=BOT_PATH)
        if not who.operator.is_admin:
            return error_page(services, 403, "Not saved", ADMINS_ONLY)
        site_id = int(request.path_params["site_id"])
        if site_id > MAX_ID or await services.sites.get(site_id) is None:
            return error_page(services, 404, "No such site", "It may have been removed.")
        if not await services.limiter.allow("upload", f"operator:{who.operator.id}"):
            return error_page(services, 429, "Not saved", "Too many uploads: wait a minute.")
        try:
            sent = await read_upload(request)
            form = {csrf.FIELD_NAME: sent.csrf_token}
            csrf.check_session_form(request, form, who.session, services.config)
        except FormError as exc:
            return error_page(services, exc.status_code, "Not saved", exc.message)
        except csrf.CsrfError:
            return form_expired_page(services, "Nothing was saved.")
        try:
            await knowledge.add_file(services, site_id, sent.name, sent.data)
        except Invalid as exc:
            return await show(request, who, problem=f"Not added: {exc}.")
        return done(site_id, "uploaded")

    async def import_shopify(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        await admin.import_shopify(site_id)
        return done(site_id, "imported")

    async def refresh(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        await admin.refresh(site_id, _id(request, "source_id"))
        return done(site_id, "refreshed")

    async def remove(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        await admin.kb.remove(site_id, _id(request, "source_id"))
        return done(site_id, "removed")

    async def playground(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        question = form_field(form, "question", 2000).strip()
        if not question:
            raise Invalid("Ask a question to try the bot.")
        return await show(request, who, trial=await admin.playground(site_id, question))

    async def rate(request: Request, who: SignedIn, form: dict[str, str], site_id: int) -> Response:
        await admin.rate(_id(request, "answer_id"), form_field(form, "rating", 10))
        return done(site_id, "rated")

    async def to_qa(
        request: Request, who: SignedIn, form: dict[str, str], site_id: int
    ) -> Response:
        await admin.to_qa(site_id, _id(request, "answer_id"))
        return done(site_id, "added")

    base = f"{BOT_PATH}/{{site_id:int}}"
    return [
        secured_route(BOT_PATH, operators_only(services, page), "GET"),
        secured_route(f"{base}/settings", posted(save_settings), "POST"),
        secured_route(f"{base}/sources", posted(add_source), "POST"),
        secured_route(f"{base}/sources/upload", upload, "POST"),
        secured_route(f"{base}/sources/shopify", posted(import_shopify), "POST"),
        secured_route(f"{base}/sources/{{source_id:int}}/refresh", posted(refresh), "POST"),
        secured_route(f"{base}/sources/{{source_id:int}}/remove", posted(remove), "POST"),
        secured_route(f"{base}/playground", posted(playground, admins=False), "POST"),
        secured_route(f"{base}/answers/{{answer_id:int}}/rate", posted(rate), "POST"),
        secured_route(f"{base}/answers/{{answer_id:int}}/qa", posted(to_qa), "POST"),
    ]


def _id(request: Request, name: str) -> int:
    value = int(request.path_params[name])
    if value > MAX_ID:
        raise NotFound(f"no {name.removesuffix('_id')} {value}")
    return value
