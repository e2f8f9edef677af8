"""Panel pages: a conversation's mail as received (shown text, full text, original source,
attachments). Everything is rendered as text by autoescaped templates."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.email import mailbox, operators, queries
from porch.email.transcripts import send_transcript
from porch.errors import Invalid, NotFound
from porch.panel.auth import SignedIn
from porch.panel.forms import field
from porch.panel.headers import secured_route
from porch.panel.pages import form_post, operators_only, page_html
from porch.panel.render import error_page
from porch.services import Services

if TYPE_CHECKING:
    from porch.email.service import EmailService

MAIL_PATH = "/panel/email"


def routes(services: Services, email: EmailService) -> list[Route]:
    async def threads_page(request: Request, who: SignedIn) -> Response:
        async with services.db.connect() as conn:
            threads = await queries.recent_threads(conn)
            notices = await operators.settings(conn, who.operator.id)
            held = await queries.held_count(conn)
        mailboxes = [
            {"site": site.name, **mailbox.shown(site.settings["email_imap"])}
            for site in await services.sites.all()
            if isinstance(site.settings.get("email_imap"), dict)
        ]
        html = page_html(
            services,
            who,
            "email/threads.html",
            "email",
            threads=threads,
            notices=notices,
            outbound_mail=email.smtp is not None,
            held=held,
            mailboxes=mailboxes,
            saved=request.query_params.get("saved") == "1",
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def mail_page(request: Request, who: SignedIn) -> Response:
        conversation_id = int(request.path_params["conversation_id"])
        async with services.db.connect() as conn:
            mails = await queries.thread_mails(conn, conversation_id)
            files = await queries.attachments(conn, [mail.id for mail in mails])
        by_mail: dict[int, list[object]] = {}
        for file in files:
            by_mail.setdefault(int(file.email_id), []).append(file)
        html = page_html(
            services,
            who,
            "email/mail.html",
            "email",
            mails=mails,
            files=by_mail,
            conversation_id=conversation_id,
            sent=request.query_params.get("sent", ""),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def attachment(request: Request, who: SignedIn) -> Response:
        async with services.db.connect() as conn:
            file = await queries.attachment(conn, int(request.path_params["attachment_id"]))
        if file is None:
            return Response("No such attachment", status_code=404)
        # Always a download, never shown inline: an HTML or SVG file must not run here.
        name = "".join(c for c in file.filename if c.isalnum() or c in "._- ") or "attachment"
        return Response(
            bytes(file.data),
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def save_notices(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        """The signed-in operator's own mail notifications (checkboxes: absent is off)."""
        chosen = {kind: form.get(kind) == "on" for kind in operators.KINDS}
        async with services.db.begin() as conn:
            await operators.save(conn, who.operator.id, chosen)
        return RedirectResponse(f"{MAIL_PATH}?saved=1", status_code=303)

    async def transcript(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        """Send the conversation's transcript to the address given (else the visitor's)."""
        conversation_id = int(request.path_params["conversation_id"])
        to = field(form, "email", 254).strip() or None
        sent_to = await send_transcript(email, conversation_id, to)
        return RedirectResponse(
            f"{MAIL_PATH}/{conversation_id}?sent={quote(sent_to)}", status_code=303
        )

    async def not_sent(request: Request, who: SignedIn, exc: Exception) -> Response:
        return error_page(services, 422, "Not sent", str(exc))

    return [
        secured_route(MAIL_PATH, operators_only(services, threads_page), "GET"),
        secured_route(
            f"{MAIL_PATH}/{{conversation_id:int}}/transcript",
            form_post(services, MAIL_PATH, transcript, refused=(not_sent, (Invalid, NotFound))),
            "POST",
        ),
        secured_route(
            f"{MAIL_PATH}/notifications", form_post(services, MAIL_PATH, save_notices), "POST"
        ),
        secured_route(
            f"{MAIL_PATH}/{{conversation_id:int}}", operators_only(services, mail_page), "GET"
        ),
        secured_route(
            f"{MAIL_PATH}/attachments/{{attachment_id:int}}",
            operators_only(services, attachment),
            "GET",
        ),
    ]
