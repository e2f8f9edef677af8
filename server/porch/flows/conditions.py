"""Conditions: the questions a flow asks about a visitor (its audience, and its
condition nodes). Pure functions of `Facts`; docs/flows.md lists them."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from porch.flows.facts import Facts
from porch.hours.calculator import is_open
from porch.hours.models import BusinessHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MOBILE = re.compile(r"Mobi|Android|iPhone|iPad|iPod", re.IGNORECASE)
BROWSERS = (  # order matters: Edge and Opera also say Chrome, Chrome also says Safari
    ("edge", re.compile(r"Edg/")),
    ("opera", re.compile(r"OPR/")),
    ("firefox", re.compile(r"Firefox/")),
    ("chrome", re.compile(r"Chrome/|Chromium/|CriOS/")),
    ("safari", re.compile(r"Safari/")),
)
SYSTEMS = (
    ("android", re.compile(r"Android")),
    ("ios", re.compile(r"iPhone|iPad|iPod")),
    ("windows", re.compile(r"Windows")),
    ("macos", re.compile(r"Mac OS X|Macintosh")),
    ("linux", re.compile(r"Linux")),
)
TAGS = "tags"
"""The contact property holding the contact's tags, comma-separated."""


def url_matches(match: dict[str, Any], url: str) -> bool:
    """`{"match": "equals|contains|wildcard|regex", "value": ...}` against a URL; a value
    starting with "/" is compared with the URL's path (and query) only; a regular
    expression matches if it is found in the whole URL or in the path."""
    value: str = match["value"]
    target = _path(url) if value.startswith("/") else url
    kind = match["match"]
    if kind == "equals":
        return target.rstrip("/") == value.rstrip("/")
    if kind == "contains":
        return value in target
    if kind == "wildcard":
        return fnmatch.fnmatchcase(target, value)
    try:  # a regular expression may be written for the path or for the whole URL
        return any(re.search(value, text) for text in (url, _path(url)))
    except re.error:
        return False


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def all_hold(conditions: list[dict[str, Any]], facts: Facts) -> bool:
    return all(holds(condition, facts) for condition in conditions)


def branch_holds(branch: dict[str, Any], facts: Facts) -> bool:
    """A condition node's `if`: `{"all": [...]}` or `{"any": [...]}`."""
    if "any" in branch:
        return any(holds(condition, facts) for condition in branch["any"])
    return all_hold(branch.get("all", []), facts)


def holds(condition: dict[str, Any], facts: Facts) -> bool:
    result = CHECKS[condition["type"]](condition, facts)
    return not result if condition.get("negate") else bool(result)


def needs_cart(conditions: list[dict[str, Any]]) -> bool:
    return any(condition["type"] == "cart_value" for condition in conditions)


def compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        return actual not in (None, "")
    if op == "not_exists":
        return actual in (None, "")
    if actual is None:
        return op == "not_equals"
    if op in ("equals", "not_equals"):
        same = str(actual).casefold() == str(expected).casefold()
        return same if op == "equals" else not same
    if op == "contains":
        return str(expected).casefold() in str(actual).casefold()
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }.get(op, False)


def contact_property(facts: Facts, name: str) -> Any:
    visitor = facts.visitor
    if name == "name":
        return visitor.name
    if name == "email":
        return visitor.email
    return visitor.attributes.get(name)


def tags_of(facts: Facts) -> list[str]:
    raw = facts.visitor.attributes.get(TAGS) or ""
    return [tag for tag in str(raw).split(",") if tag]


def is_business_hours(facts: Facts, at: datetime | None = None) -> bool:
    hours = facts.site.settings.get("business_hours")
    if not hours:
        return True  # no hours set: open 24/7 (docs/business-hours.md)
    return is_open(BusinessHours.from_json(hours), at or facts.now)


def in_schedule(spec: dict[str, Any], facts: Facts) -> bool:
    """`weekdays` (and `from`/`to`, "HH:MM") in the site's time zone (UTC without one)."""
    hours = facts.site.settings.get("business_hours")
    local = facts.now
    if hours:
        local = facts.now.astimezone(BusinessHours.from_json(hours).zone)
    if WEEKDAYS[local.weekday()] not in spec.get("weekdays", WEEKDAYS):
        return False
    minute = f"{local.hour:02d}:{local.minute:02d}"
    start, end = str(spec.get("from", "00:00")), str(spec.get("to", "23:59"))
    return start <= minute <= end if start <= end else minute >= start or minute <= end


def browser_of(user_agent: str) -> str:
    return next((name for name, pattern in BROWSERS if pattern.search(user_agent)), "other")


def os_of(user_agent: str) -> str:
    return next((name for name, pattern in SYSTEMS if pattern.search(user_agent)), "other")


def _flag(condition: dict[str, Any], actual: bool) -> bool:
    return actual == bool(condition.get("value", True))


CHECKS: dict[str, Callable[[dict[str, Any], Facts], bool]] = {
    "contact_property": lambda c, f: compare(
        c["compare"], contact_property(f, c["property"]), c.get("value")
    ),
    "current_url": lambda c, f: url_matches(c["page"], f.url),
    "operators_online": lambda c, f: _flag(c, f.operators_online),
    "business_hours": lambda c, f: _flag(c, is_business_hours(f)),
    "browser": lambda c, f: browser_of(f.user_agent) == str(c["value"]).casefold(),
    "os": lambda c, f: os_of(f.user_agent) == str(c["value"]).casefold(),
    "mobile": lambda c, f: _flag(c, bool(MOBILE.search(f.user_agent))),
    "returning_visitor": lambda c, f: _flag(c, f.returning),
    "day_time": lambda c, f: in_schedule(c, f),
    "language": lambda c, f: f.language.casefold().startswith(str(c["value"]).casefold()),
    "cart_value": lambda c, f: compare(c["compare"], f.cart.get("value", 0), c["value"]),
    "verified": lambda c, f: _flag(c, f.visitor.verified),
    "tag": lambda c, f: str(c["value"]) in tags_of(f),
}
