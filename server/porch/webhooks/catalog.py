"""Which domain events webhooks carry, which site each belongs to, and the shape their
`data` takes on the wire.

Every event reaches webhooks (`enqueue_on(None, …)`); those listed in `EVENTS` with a
site are delivered. New features' events join by being recorded in a transaction: an
event type not listed here is still delivered to endpoints subscribed to `*`.
"""

from __future__ import annotations

from typing import Any

EVENTS: dict[str, str] = {
    "message.created": "A visitor, operator, the bot or the system wrote a message (or note)",
    "conversation.opened": "A new conversation",
    "conversation.reopened": "A closed conversation opened again",
    "conversation.assigned": "A conversation was assigned (or unassigned)",
    "conversation.closed": "A conversation was closed",
    "conversation.read": "Operators read a conversation",
    "visitor.updated": "A contact's name, email, properties or identity changed",
    "ticket.created": "A new ticket",
    "ticket.updated": "A ticket changed (fields, a note, SLA clocks)",
    "ticket.status_changed": "A ticket's status changed",
    "sla.warning": "80% of an SLA target's time is gone",
    "sla.breached": "An SLA target was missed",
    "site.updated": "The site's name, origins or settings changed",
}
"""The events offered in the panel and documented in docs/api.md."""
ALL = "*"
TEST = "webhook.test"
"""The event the "Send test event" button and `POST /webhooks/{id}/test` send."""


def site_of_event(event: object) -> int | None:
    """The site an event belongs to, read from the event itself (in the transaction)."""
    inner = getattr(getattr(event, "conversation", None), "conversation", None)
    if inner is not None:
        return int(inner.site_id)
    for name in ("ticket", "visitor"):
        found = getattr(event, name, None)
        if found is not None and hasattr(found, "site_id"):
            return int(found.site_id)
    site = getattr(event, "site", None)
    return int(site.id) if site is not None and hasattr(site, "id") else None


def site_of_payload(data: dict[str, Any]) -> int | None:
    """The same from the event's JSON (`porch.events.payload(event)["data"]`)."""
    conversation = data.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("conversation"), dict):
        return int(conversation["conversation"]["site_id"])
    for name in ("ticket", "visitor"):
        if isinstance(data.get(name), dict):
            return int(data[name]["site_id"])
    if isinstance(data.get("site"), dict):
        return int(data["site"]["id"])
    return None


def shape(data: dict[str, Any]) -> dict[str, Any]:
    """The event's data as webhooks send it: conversations flattened to the wire's
    conversation shape, a ticket without its bookkeeping columns."""
    shaped = dict(data)
    conversation = data.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("conversation"), dict):
        inner = conversation["conversation"]
        shaped["conversation"] = {
            "id": inner["id"],
            "site_id": inner["site_id"],
            "visitor_id": inner["visitor_id"],
            "visitor_name": conversation.get("visitor_name"),
            "status": inner["status"],
            "assignee": conversation.get("assignee"),
            "created_at": inner.get("created_at"),
            "closed_at": inner.get("closed_at"),
            "last_activity_at": inner.get("last_activity_at"),
        }
    ticket = data.get("ticket")
    if isinstance(ticket, dict):
        shaped["ticket"] = {k: v for k, v in ticket.items() if k != "seen_message_id"}
    site = data.get("site")
    if isinstance(site, dict):
        shaped["site"] = {k: v for k, v in site.items() if k != "identity_secret"}
    return shaped
