"""Which triggers apply to a visitor, decided on the server from the session and page
views: the loader is told only what to watch for (a timer, a scroll depth, exit intent,
an SDK event…), never the rules. Triggers that happen on the server (messages,
conversations, timers) are matched by `reactions`."""

from __future__ import annotations

from typing import Any

from porch.flows import conditions
from porch.flows.facts import Facts
from porch.flows.models import Flow

AT_ONCE = frozenset(
    {"first_visit", "returning_visitor", "page_open", "page_count", "referrer", "schedule"}
)
"""Visitor-side triggers whose moment has come when they apply: the loader fires them at
once (after the session opens), so they start from the same path as the others."""

VISITOR_SIDE = AT_ONCE | {
    "time_on_page",
    "time_on_site",
    "scroll_depth",
    "exit_intent",
    "launcher_click",
    "form_abandoned",
    "cart_add",
    "cart_value",
    "custom_event",
}
SERVER_SIDE = frozenset(
    {
        "visitor_says",
        "conversation_started",
        "message_received",
        "conversation_closed",
        "no_operator_reply",
        "visitor_inactive",
        "from_flow",
    }
)
LOADER_EVENTS = ("now", "timer", "scroll", "exit", "click", "form", "cart_add", "cart", "event")
"""What the loader may say fired (`watcher["on"]`)."""


def watcher(flow: Flow, facts: Facts) -> dict[str, Any] | None:
    """What the loader must watch for this flow on this page, or None if it does not
    apply here. Cart conditions are left to the moment it fires (the cart lives in the
    page): the watcher then says `"cart": true` and the loader sends the cart along."""
    trigger = flow.trigger
    if trigger["type"] not in VISITOR_SIDE or not _page_ok(trigger, facts):
        return None
    if "mobile" in trigger and bool(conditions.MOBILE.search(facts.user_agent)) != bool(
        trigger["mobile"]
    ):
        return None
    audience = flow.document.get("conditions", [])
    plain = [c for c in audience if c["type"] != "cart_value"]
    if not conditions.all_hold(plain, facts):
        return None
    spec = _moment(trigger, facts)
    if spec is None:
        return None
    spec = {"flow": flow.id, "priority": flow.priority, **spec}
    if conditions.needs_cart(audience) or trigger["type"] in ("cart_add", "cart_value"):
        spec["cart"] = True
    return spec


def _page_ok(trigger: dict[str, Any], facts: Facts) -> bool:
    page = trigger.get("page")
    return page is None or conditions.url_matches(page, facts.url)


def _moment(trigger: dict[str, Any], facts: Facts) -> dict[str, Any] | None:
    kind = trigger["type"]
    if kind in AT_ONCE:
        return {"on": "now"} if _applies_now(trigger, facts) else None
    if kind == "time_on_page":
        return {"on": "timer", "ms": trigger["seconds"] * 1000}
    if kind == "time_on_site":
        left = max(0.0, trigger["seconds"] - facts.seconds_on_site)
        return {"on": "timer", "ms": int(left * 1000)}
    if kind == "scroll_depth":
        return {"on": "scroll", "percent": trigger["percent"]}
    if kind == "exit_intent":
        # `seconds`: also when the visitor has been idle that long (abandoned carts).
        idle = trigger.get("seconds")
        return {"on": "exit", **({"idle_ms": idle * 1000} if idle else {})}
    if kind == "launcher_click":
        return {"on": "click"}
    if kind == "form_abandoned":
        return {"on": "form"}
    if kind == "cart_add":
        return {"on": "cart_add"}
    if kind == "cart_value":
        return {"on": "cart", "value": trigger["value"]}
    return {"on": "event", "name": trigger["event"]}  # custom_event


def _applies_now(trigger: dict[str, Any], facts: Facts) -> bool:
    kind = trigger["type"]
    if kind == "first_visit":
        return not facts.returning
    if kind == "returning_visitor":
        return facts.returning
    if kind == "page_count":
        return facts.pages_in_visit >= int(trigger["count"])
    if kind == "referrer":
        return conditions.url_matches(trigger["referrer"], facts.referrer)
    if kind == "schedule":
        return bool(conditions.in_schedule(trigger, facts))
    return True  # page_open: its page matched


def fired(spec: dict[str, Any], on: str, event: str | None, facts: Facts) -> bool:
    """Whether what the loader reports matches this watcher, with the cart it sent."""
    if spec["on"] != on:
        return False
    if on == "event" and spec.get("name") != event:
        return False
    if on == "cart":
        return float(facts.cart.get("value") or 0) >= float(spec["value"])
    return True


def matches_keywords(trigger: dict[str, Any], body: str) -> bool:
    text = body.casefold()
    return any(word.casefold() in text for word in trigger.get("keywords", []))
