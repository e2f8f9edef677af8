"""The JSON shapes records take on the wire, written once for the Socket.IO namespaces and
the REST API (docs/protocol.md). Records stay plain data; edges and fan-out call these.

Shapes are `TypedDict`s so the API can publish them as schemas; building one is just
building a dict, which matters on the message path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict

from porch.conversations.models import (
    Conversation,
    ConversationSummary,
    Message,
    VisitorHello,
)
from porch.operators.avatars import avatar_url
from porch.operators.service import Operator
from porch.sites.models import Site
from porch.tickets.models import HistoryEntry, Ticket
from porch.tickets.sla import SlaStatus
from porch.visitors import browser
from porch.visitors.models import Visitor, VisitorSummary
from porch.webhooks.models import Delivery, Endpoint

Wire = dict[str, Any]
TAGS_PROPERTY = "tags"
"""The contact property that holds a contact's tags (`porch.flows.conditions.TAGS`)."""


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC (the columns are UTC-aware on every backend)."""
    return moment.isoformat() if moment else None


class MessageShape(TypedDict):
    id: int
    conversation_id: int
    client_id: str
    author: str
    author_name: str
    body: str
    internal: bool
    created_at: str | None
    parts: NotRequired[dict[str, Any]]
    """Only on messages that have any (`Message.parts`)."""
    author_avatar_url: NotRequired[str]
    """An operator author's avatar (a path on this server), when they have one."""


def message(m: Message) -> MessageShape:
    shape: MessageShape = {
        "id": m.id,
        "conversation_id": m.conversation_id,
        "client_id": m.client_id,
        "author": m.author,
        "author_name": m.author_name,
        "body": m.body,
        "internal": m.internal,
        "created_at": iso(m.created_at),
    }
    if m.parts:
        shape["parts"] = m.parts
    if m.author_avatar:
        shape["author_avatar_url"] = avatar_url(m.author_avatar)
    return shape


def conversation_for_visitor(c: Conversation) -> Wire:
    """The visitor's view: which conversation and whether it is open."""
    return {"id": c.id, "status": c.status, "created_at": iso(c.created_at)}


def earlier_conversation(s: ConversationSummary) -> Wire:
    """One of a visitor's earlier conversations, as their widget lists it."""
    last = s.last_message
    return {
        **conversation_for_visitor(s.conversation),
        "closed_at": iso(s.conversation.closed_at),
        "last_message": message(last) if last and not last.internal else None,
    }


def conversation_summary(s: ConversationSummary) -> Wire:
    c = s.conversation
    return {
        "id": c.id,
        "site_id": c.site_id,
        "visitor_id": c.visitor_id,
        "visitor_name": s.visitor_name,
        "status": c.status,
        "assignee": {"id": s.assignee.id, "name": s.assignee.name} if s.assignee else None,
        "last_message": message(s.last_message) if s.last_message else None,
        "created_at": iso(c.created_at),
        "closed_at": iso(c.closed_at),
        "last_activity_at": iso(c.last_activity_at),
        "unread": s.unread,
    }


def visitor(v: Visitor) -> Wire:
    """What a visitor's own widget knows of them."""
    return {"id": v.id, "name": v.name, "email": v.email, "verified": v.verified}


def visitor_summary(s: VisitorSummary) -> Wire:
    v, page = s.visitor, s.visit.current_page
    return {
        "id": v.id,
        "site_id": v.site_id,
        "name": v.name,
        "email": v.email,
        "verified": v.verified,
        "external_id": v.external_id,
        "online": s.online,
        "current_page": {"url": page.url, "title": page.title} if page else None,
        "pages_viewed": s.visit.pages_viewed,
        "visit_started_at": iso(s.visit.started_at),
        "first_seen_at": iso(v.first_seen_at),
        "last_seen_at": iso(v.last_seen_at),
        "conversation_id": s.conversation_id,
        "attributes": dict(v.attributes),  # contact properties (`Porch.setVisitor`)
        # What their browser said (porch.visitors.browser): guesses, shown as such.
        "language": v.language,
        "time_zone": v.time_zone,
        "location": browser.place(v.time_zone, v.language),
        "device": browser.device(v.user_agent),
        "tags": contact_tags(v),
    }


def contact_tags(v: Visitor) -> list[str]:
    """The contact's tags: the `tags` property, comma-separated (flows' tag actions)."""
    return [tag for tag in str(v.attributes.get(TAGS_PROPERTY) or "").split(",") if tag]


def site_for_widget(site: Site) -> Wire:
    """What the widget may know about its site (never the identity secret)."""
    return {
        "name": site.name,
        "typing_preview": site.typing_preview,
        "color": site.settings.get("color", ""),
        "greeting": site.settings.get("greeting", ""),
        "theme": site.settings.get("theme", "auto"),  # the launcher's colours too
        "language": site.settings.get("language", "auto"),  # right to left for ar, he
    }


def operator(o: Operator) -> Wire:
    return {"id": o.id, "name": o.name}


def visitor_hello(hello: VisitorHello, operators_online: bool) -> Wire:
    return {
        "visitor": visitor(hello.visitor),
        "conversation": conversation_for_visitor(hello.conversation)
        if hello.conversation
        else None,
        "messages": [message(m) for m in hello.messages],
        "unread": hello.unread,
        "earlier": [earlier_conversation(s) for s in hello.earlier],
        "operators_online": operators_online,
        "settings": {"typing_preview": hello.site.typing_preview},
    }


def ticket(t: Ticket, sla: SlaStatus) -> Wire:
    """A ticket as operators see it, with its SLA deadlines and their state now."""
    return {
        "id": t.id,
        "site_id": t.site_id,
        "reference": t.reference,
        "label": t.label,
        "subject": t.subject,
        "description": t.description,
        "requester": {"id": t.requester_id, "name": t.requester_name},
        "conversation_id": t.conversation_id,
        "priority": t.priority,
        "status": t.status,
        "status_label": t.status_label,
        "merged_into_id": t.merged_into_id,
        "assignee": {"id": t.assignee_id, "name": t.assignee_name} if t.assignee_id else None,
        "team": {"id": t.team_id, "name": t.team_name} if t.team_id else None,
        "tags": list(t.tags),
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
        "first_responded_at": iso(t.first_responded_at),
        "resolved_at": iso(t.resolved_at),
        "closed_at": iso(t.closed_at),
        "sla": {
            "state": sla.state,
            "deadlines": [
                {"target": d.target, "due_at": iso(d.due_at), "state": d.state}
                for d in sla.deadlines
            ],
        },
    }


def ticket_history(h: HistoryEntry) -> Wire:
    return {
        "id": h.id,
        "kind": h.kind,
        "actor": {"kind": h.actor_kind, "id": h.actor_id, "name": h.actor_name},
        "data": h.data,
        "at": iso(h.at),
    }


def contact(v: Visitor) -> Wire:
    """A visitor as the REST API shows a contact: everything stored about them but their
    page views (`GET /contacts/{id}/export` has those)."""
    return {
        "id": v.id,
        "site_id": v.site_id,
        "name": v.name,
        "email": v.email,
        "verified": v.verified,
        "external_id": v.external_id,
        "properties": dict(v.attributes),
        "first_seen_at": iso(v.first_seen_at),
        "last_seen_at": iso(v.last_seen_at),
    }


def site(s: Site) -> Wire:
    """A site as its owner sees it (never the identity secret)."""
    return {
        "id": s.id,
        "key": s.key,
        "name": s.name,
        "allowed_origins": list(s.allowed_origins),
        "settings": dict(s.settings),
    }


def webhook_endpoint(e: Endpoint, *, with_secret: bool = False) -> Wire:
    """An endpoint; its `whsec_` secret only where its owner asked for it."""
    shape: Wire = {
        "id": e.id,
        "site_id": e.site_id,
        "url": e.url,
        "description": e.description,
        "events": list(e.events),
        "enabled": e.enabled,
        "disabled_reason": e.disabled_reason,
        "failing_since": iso(e.failing_since),
        "created_at": iso(e.created_at),
    }
    if with_secret:
        shape["secret"] = e.secret
    return shape


def webhook_delivery(d: Delivery) -> Wire:
    return {
        "id": d.id,
        "endpoint_id": d.endpoint_id,
        "message_id": d.message_id,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": iso(d.next_attempt_at),
        "created_at": iso(d.created_at),
        "payload": d.payload,
        "log": [
            {
                "at": iso(a.at),
                "status_code": a.status_code,
                "response": a.response,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in d.log
        ],
    }
