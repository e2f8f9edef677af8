"""Conditions and trigger moments as pure functions of what the engine knows (no storage):
URL matching, comparisons, browser and OS, days and times in the site's zone, answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from porch.flows import answers, conditions
from porch.flows.facts import Facts
from porch.sites.models import Site
from porch.visitors.models import Visitor

NOW = datetime(2030, 1, 7, 9, 30, tzinfo=UTC)  # a Monday
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit Version/17.0"
    " Mobile Safari/604.1"
)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def facts(**changes: Any) -> Facts:
    visitor = Visitor(
        1, 1, "Ann", "ann@example.com", {"plan": "pro", "orders": 3, "tags": "vip,lead"}, NOW, NOW
    )
    site = Site(1, "k", "Shop", [], changes.pop("settings", {}), "secret")
    base: dict[str, Any] = {
        "visitor": visitor,
        "site": site,
        "now": NOW,
        "url": "https://shop.example/pricing?x=1",
    }
    return Facts(**{**base, **changes})


@pytest.mark.parametrize(
    ("match", "value", "url", "expected"),
    [
        ("equals", "/pricing", "https://shop.example/pricing/", True),
        ("equals", "/pricing", "https://shop.example/pricing/team", False),
        ("contains", "/pricing", "https://shop.example/en/pricing", True),
        ("wildcard", "/products/*", "https://shop.example/products/ember", True),
        ("wildcard", "https://*.example/cart", "https://shop.example/cart", True),
        ("regex", r"^/(en|fr)/checkout", "https://shop.example/fr/checkout", True),
        ("regex", r"^/(en|fr)/checkout", "https://shop.example/de/checkout", False),
    ],
)
def test_url_matching(match: str, value: str, url: str, expected: bool) -> None:
    assert conditions.url_matches({"match": match, "value": value}, url) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"type": "contact_property", "property": "plan", "compare": "equals", "value": "PRO"},
         True),
        ({"type": "contact_property", "property": "orders", "compare": "gt", "value": 2}, True),
        ({"type": "contact_property", "property": "phone", "compare": "not_exists"}, True),
        ({"type": "contact_property", "property": "email", "compare": "contains",
          "value": "@example"}, True),
        ({"type": "current_url", "page": {"match": "contains", "value": "pricing"}}, True),
        ({"type": "tag", "value": "vip"}, True),
        ({"type": "tag", "value": "vip", "negate": True}, False),
        ({"type": "verified", "value": False}, True),
        ({"type": "returning_visitor"}, False),
        ({"type": "operators_online", "value": False}, True),
        ({"type": "business_hours"}, True),  # no hours set: open 24/7
        ({"type": "day_time", "weekdays": ["mon"], "from": "09:00", "to": "10:00"}, True),
        ({"type": "day_time", "weekdays": ["sat", "sun"]}, False),
        ({"type": "cart_value", "compare": "gte", "value": 50}, False),
    ],
)  # fmt: skip
def test_conditions(condition: dict[str, Any], expected: bool) -> None:
    assert conditions.holds(condition, facts()) is expected


def test_browser_os_mobile_language_and_cart() -> None:
    phone = facts(user_agent=IPHONE, language="fr-FR", cart={"value": 59.0, "items": 2})
    assert conditions.holds({"type": "mobile"}, phone)
    assert conditions.holds({"type": "os", "value": "ios"}, phone)
    assert conditions.holds({"type": "browser", "value": "safari"}, phone)
    assert conditions.holds({"type": "language", "value": "fr"}, phone)
    assert conditions.holds({"type": "cart_value", "compare": "gte", "value": 50}, phone)
    desk = facts(user_agent=FIREFOX)
    assert conditions.holds({"type": "browser", "value": "firefox"}, desk)
    assert conditions.holds({"type": "os", "value": "windows"}, desk)
    assert not conditions.holds({"type": "mobile"}, desk)


def test_business_hours_in_the_sites_zone() -> None:
    hours = {"timezone": "America/New_York", "weekly": {"mon": [["09:00", "17:00"]]}}
    closed = facts(settings={"business_hours": hours})  # 04:30 in New York
    assert conditions.holds({"type": "business_hours", "value": False}, closed)
    evening = {"type": "day_time", "weekdays": ["mon"], "from": "04:00", "to": "05:00"}
    assert conditions.holds(evening, closed)


@pytest.mark.parametrize(
    ("kind", "answer", "stored"),
    [
        ("email", " ann@example.com ", "ann@example.com"),
        ("email", "ann@", None),
        ("phone", "+1 (555) 010-2030", "+1 (555) 010-2030"),
        ("phone", "call me", None),
        ("number", "42", 42),
        ("number", "3,5", 3.5),
        ("number", "many", None),
        ("text", "  ", None),
        ("text", "<b>hi</b>", "<b>hi</b>"),
    ],
)
def test_answers_are_checked_by_kind(kind: str, answer: str, stored: object) -> None:
    assert answers.checked(kind, answer) == stored


def test_placeholders_are_filled_with_plain_text() -> None:
    from porch.flows.actions import fill

    ann = facts()
    assert fill("Hi {name}, plan {plan}, {missing}!", ann) == "Hi Ann, plan pro, !"
    assert fill("{{name}}", ann) == "{Ann}"  # nothing is evaluated: no template language
