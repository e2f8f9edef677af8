"""The widget's forms and away state (docs/widget.md, "Forms and away state").

- The pre-chat form (site setting `prechat_fields`: name, email, question, each required
  or optional) before a visitor's first message, and the offline form (`offline_form`:
  email and message) while nobody can answer. Both arrive as `form.submit` on `/visitor`,
  checked here against the site's settings whatever the browser checked: the details go to
  the visitor, the question or message becomes a visitor message in their conversation (so
  the team sees it in the inbox like any chat).
- What the frame tells the widget about them, and whether the team is at work now
  (`porch.hours`), so the header can say "We're back at 9:00".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from porch import wire
from porch.errors import Invalid
from porch.hours.calculator import is_open, next_opening
from porch.hours.models import BusinessHours
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.schemas import Body, ClientId, Email, Name, Payload

if TYPE_CHECKING:
    from porch.realtime.visitor import VisitorNamespace
    from porch.services import Services
    from porch.sites.models import Site
    from porch.visitors.models import Visitor

FIELD_TEXT = {"name": "your name", "email": "your email", "question": "your question"}


class FormSubmit(Payload):
    kind: Literal["prechat", "offline"]
    client_id: ClientId
    """The message's client id: a resend of the same form stores one message."""
    name: Name | None = None
    email: Email | None = None
    question: Body | None = None


def missing(site: Site, form: FormSubmit) -> list[str]:
    """The fields this site requires that the form left empty."""
    if form.kind == "offline":
        required = ["email", "question"]
    else:
        fields = site.settings.get("prechat_fields") or []
        required = [f["name"] for f in fields if f.get("required")]
    return [name for name in required if not getattr(form, name)]


def unfilled(site: Site, visitor: Visitor, chatted: bool) -> list[str]:
    """The required pre-chat fields a visitor has not given yet, before their first
    message (`chatted`: they have a conversation already, so the form is behind them).
    A name counts once they filled the form (everyone has a generated one) or the site
    vouched for them; a question is asked in the form itself, which opens the chat."""
    if chatted:
        return []
    fields = site.settings.get("prechat_fields") or []
    given = {
        "name": visitor.prechat_at is not None or visitor.verified,
        "email": bool(visitor.email),
        "question": False,
    }
    return [f["name"] for f in fields if f.get("required") and not given.get(f["name"])]


def prechat_refusal(gaps: list[str]) -> str:
    return "Please fill in the form first: " + ", ".join(FIELD_TEXT[g] for g in gaps) + "."


def widget_forms(site: Site | None, now: datetime) -> dict[str, Any]:
    """The frame's config for forms, logo and hours: `hours.open` false outside business
    hours, with `hours.next_opening` (ISO, UTC) when the team is next back."""
    settings = site.settings if site else {}
    hours = BusinessHours.of_site(settings)
    open_now = is_open(hours, now)
    back = None if open_now else next_opening(hours, now)
    return {
        "prechat_fields": settings.get("prechat_fields") or [],
        "offline_form": bool(settings.get("offline_form")),
        "logo_url": settings.get("logo_url") or "",
        "hours": {"open": open_now, "next_opening": wire.iso(back) if back else None},
    }


class VisitorForms(Routed):
    def __init__(self, sockets: VisitorNamespace) -> None:
        self.sockets = sockets

    @handles("form.submit", FormSubmit, limit="message")
    async def submit(self, sid: str, data: FormSubmit) -> Ack:
        services = self.sockets.services
        visitor_id = await self.sockets._visitor_id(sid)
        visitor = await services.visitors.get(visitor_id)
        site = await services.sites.get(visitor.site_id) if visitor else None
        if site is None:
            raise Invalid("this chat is not available")
        gaps = missing(site, data)
        if gaps:
            raise Invalid("Please fill in " + ", ".join(FIELD_TEXT[g] for g in gaps) + ".")
        if data.kind == "prechat" or data.name or data.email:
            prechat = data.kind == "prechat"
            await services.visitors.update(
                visitor_id, name=data.name, email=data.email, prechat=prechat
            )
        reply: dict[str, Any] = {"ok": True}
        if data.question:
            message = await services.conversations.send_visitor_message(
                visitor_id, data.client_id, data.question
            )
            reply["message"] = wire.message(message)
        return reply


def attach(services: Services) -> None:
    """Add `form.submit` to `/visitor` (when the sockets are installed), and hold a
    visitor's first `message.send` until the site's required pre-chat fields are given,
    whatever the browser sends (the widget shows the form first)."""
    from porch.conversations import queries as conversation_queries
    from porch.realtime.fanout import VISITORS

    async def prechat_first(visitor: Visitor) -> str | None:
        site = await services.sites.get(visitor.site_id)
        if site is None or not site.settings.get("prechat_fields"):
            return None
        async with services.db.connect() as conn:
            chatted = await conversation_queries.latest_conversation(conn, visitor.id)
        gaps = unfilled(site, visitor, chatted is not None)
        return prechat_refusal(gaps) if gaps else None

    services.visitor_gates.append(prechat_first)

    handlers: Any = services.sio.namespace_handlers
    if VISITORS in handlers:
        handlers[VISITORS].extend(VisitorForms(handlers[VISITORS]))
