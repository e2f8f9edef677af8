"""The app embed as a storefront renders it: the loader with the shop's key, and a logged-in
customer vouched for with a hash that only Shopify's servers (holding the secret) can make."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tests.shopify.storefront import render_storefront

PORCH = "https://chat.harbour.example"
KEY = "site_4bX9yTq2"
SECRET = "9f1c" * 16
CUSTOMER = {
    "id": 7001234567,
    "name": "Ana Lima",
    "first_name": "Ana",
    "email": "ana@example.org",
}
SET_VISITOR = re.compile(r"Porch\.setVisitor\((\{.*?\})\);", re.DOTALL)


@dataclass
class Script:
    attrs: dict[str, str | None]
    text: str = ""


@dataclass
class Scripts(HTMLParser):
    """The page's <script> elements, as a browser's tokenizer splits them."""

    found: list[Script] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append(Script(dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.lasttag == "script" and self.found:
            self.found[-1].text += data


def scripts(html: str) -> list[Script]:
    parser = Scripts()
    parser.feed(html)
    parser.close()
    return parser.found


def loader(html: str) -> Script:
    (tag,) = [s for s in scripts(html) if s.attrs.get("src")]
    return tag


def visitor_calls(html: str) -> list[dict[str, Any]]:
    """The arguments of every Porch.setVisitor call in inline scripts."""
    inline = "".join(s.text for s in scripts(html) if not s.attrs.get("src"))
    return [json.loads(found) for found in SET_VISITOR.findall(inline)]


def expected_hash(customer_id: int) -> str:
    return hmac.new(SECRET.encode(), str(customer_id).encode(), hashlib.sha256).hexdigest()


def test_guest_gets_the_loader_with_the_shop_key_and_no_identity() -> None:
    html = render_storefront(PORCH, KEY, SECRET, None)
    tag = loader(html)
    assert tag.attrs["src"] == f"{PORCH}/widget/porch.js"
    assert "async" in tag.attrs
    assert tag.attrs["data-site"] == KEY
    assert tag.attrs["data-position"] == "right"
    assert "data-color" not in tag.attrs, "no colour chosen: the one set in Porch applies"
    assert visitor_calls(html) == []
    # The embed sits at the end of the body, where Shopify places `target: body` embeds.
    assert html.index(f'data-site="{KEY}"') < html.index("</body>")
    assert html.index("</footer>") < html.index("window.Porch")


def test_merchant_settings_reach_the_loader() -> None:
    html = render_storefront(PORCH, KEY, SECRET, None, {"color": "#0a7d55", "position": "left"})
    tag = loader(html)
    assert (tag.attrs["data-color"], tag.attrs["data-position"]) == ("#0a7d55", "left")


def test_logged_in_customer_is_passed_with_a_valid_hash() -> None:
    html = render_storefront(PORCH, KEY, SECRET, CUSTOMER)
    (call,) = visitor_calls(html)
    assert call == {
        "id": "7001234567",
        "name": "Ana Lima",
        "email": "ana@example.org",
        "hash": expected_hash(7001234567),
    }
    # The queue stub comes first, so the call waits for the loader whatever order they load.
    inline = next(s.text for s in scripts(html) if "setVisitor(" in s.text)
    assert inline.index("Porch.q.push") < inline.index("Porch.setVisitor(")
    assert SECRET not in html


def test_customer_without_a_name_is_sent_without_one() -> None:
    html = render_storefront(PORCH, KEY, SECRET, {**CUSTOMER, "name": " ", "first_name": ""})
    (call,) = visitor_calls(html)
    assert call["name"] is None and call["hash"] == expected_hash(7001234567)


def test_no_identity_without_a_secret_or_when_the_merchant_turns_it_off() -> None:
    for html in (
        render_storefront(PORCH, KEY, "", CUSTOMER),
        render_storefront(PORCH, KEY, SECRET, CUSTOMER, {"identify_customers": False}),
    ):
        assert loader(html).attrs["data-site"] == KEY
        assert visitor_calls(html) == []


def test_nothing_renders_until_the_app_has_written_its_metafields() -> None:
    for html in (
        render_storefront(PORCH, "", SECRET, CUSTOMER),
        render_storefront("", KEY, SECRET, CUSTOMER),
    ):
        assert scripts(html) == []
        assert "Porch" not in html and SECRET not in html


def test_customer_markup_stays_inside_the_string() -> None:
    hostile = {
        **CUSTOMER,
        "name": '</script><script>alert(1)</script> "O\'Neil" \u2028&amp;',
    }
    html = render_storefront(PORCH, KEY, SECRET, hostile)
    found = scripts(html)
    assert len(found) == 2, "the name opened or closed a <script>"
    assert all("<" not in s.text for s in found), "markup left unencoded in a script"
    (call,) = visitor_calls(html)
    assert call["name"] == hostile["name"]
