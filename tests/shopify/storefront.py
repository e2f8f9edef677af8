"""The Porch app embed rendered the way a Shopify storefront renders it, for tests.

The real block (shopify_app/extensions/porch-chat/blocks/porch-chat.liquid) goes through
python-liquid with what Shopify's renderer adds for theme app extensions: the `schema` tag
(its JSON configures the theme editor and prints nothing), the `hmac_sha256` and `json`
filters, the app's app-data metafields under `app.metafields`, the logged-in `customer` and
`block.settings`. The output is placed before `</body>` of a small shop page, where Shopify
puts app embeds that target `body`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from liquid import Environment
from liquid.ast import Node
from liquid.exceptions import LiquidSyntaxError
from liquid.filter import liquid_filter, string_filter
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_TAG
from liquid.undefined import Undefined

EXTENSION_DIR = Path(__file__).resolve().parents[2] / "shopify_app" / "extensions" / "porch-chat"
BLOCK = EXTENSION_DIR / "blocks" / "porch-chat.liquid"
SCHEMA_RE = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.DOTALL)

# Shopify's `json` escapes these so that a value can never close the <script> it sits in.
JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
JSON_ESCAPES["\u2029"] = "\\u2029"


class SchemaNode(Node):
    __slots__ = ()

    def render_to_output(self, context: Any, buffer: Any) -> int:
        return 0


class SchemaTag(Tag):
    """`{% schema %}…{% endschema %}`: settings for the theme editor, no output."""

    name = "schema"
    end = "endschema"

    def parse(self, stream: TokenStream) -> Node:
        token = stream.eat(TOKEN_TAG)
        while not (stream.current.kind == TOKEN_TAG and stream.current.value == self.end):
            if stream.current.kind == TOKEN_EOF:
                raise LiquidSyntaxError("schema tag was never closed", token=token)
            next(stream)
        return SchemaNode(token)


@string_filter
def hmac_sha256(value: str, key: object) -> str:
    """Shopify's `hmac_sha256`: the lower-case hex HMAC-SHA256 of the input under `key`."""
    return hmac.new(str(key).encode(), value.encode(), hashlib.sha256).hexdigest()


@liquid_filter
def shopify_json(value: object) -> str:
    """Shopify's `json`: a JavaScript value, with `<`, `>` and `&` encoded."""
    text = json.dumps(None if isinstance(value, Undefined) else value, ensure_ascii=False)
    return "".join(JSON_ESCAPES.get(char, char) for char in text)


@cache
def environment() -> Environment:
    env = Environment()
    env.add_tag(SchemaTag)
    env.add_filter("hmac_sha256", hmac_sha256)
    env.add_filter("json", shopify_json)
    return env


def block_source() -> str:
    return BLOCK.read_text(encoding="utf-8")


def block_schema() -> dict[str, Any]:
    """The JSON between the block's `{% schema %}` tags."""
    found = SCHEMA_RE.search(block_source())
    if found is None:
        raise ValueError(f"{BLOCK} has no {{% schema %}}")
    return json.loads(found.group(1))


def default_settings() -> dict[str, Any]:
    """What `block.settings` holds before the merchant changes anything in the editor
    (a setting without a default is blank)."""
    return {s["id"]: s.get("default", "") for s in block_schema()["settings"] if "id" in s}


def _metafields(porch_url: str, site_key: str, identity_secret: str) -> dict[str, Any]:
    """The app-data metafields the app writes at install (only the ones that are set)."""
    values = {"server_url": porch_url, "site_key": site_key, "identity_secret": identity_secret}
    return {
        key: {"value": value, "type": "single_line_text_field"}
        for key, value in values.items()
        if value
    }


SHOP_PAGE = environment().from_string(
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ember Blend – Harbour Coffee</title>
<link rel="icon" href="data:,">
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #222; }
header, main, footer { padding: 16px 32px; }
header { display: flex; justify-content: space-between; border-bottom: 1px solid #ddd; }
.price { font-size: 1.4em; font-weight: 600; }
</style>
</head>
<body>
<header>
  <a href="/" data-testid="shop-name">Harbour Coffee</a>
  <nav>
    <a href="/collections/all">Shop</a>
    {%- if customer %}
      <a href="/account" data-testid="account">{{ customer.first_name | escape }}</a>
    {%- else %}
      <a href="/account/login" data-testid="account">Log in</a>
    {%- endif %}
  </nav>
</header>
<main>
  <h1>Ember Blend</h1>
  <p class="price">€14.00</p>
  <p>A smoky dark roast from our Lisbon roastery. 250 g, whole bean.</p>
  <form action="/cart/add" method="post"><button type="submit">Add to cart</button></form>
</main>
<footer>© Harbour Coffee</footer>
{{ app_embeds }}
</body>
</html>
"""
)


def render_storefront(
    porch_url: str,
    site_key: str,
    identity_secret: str,
    customer: dict[str, Any] | None,
    settings: dict[str, Any] | None = None,
) -> str:
    """A product page of a shop with the Porch embed switched on.

    `customer` is the logged-in customer as Liquid sees it (`id`, `name`, `first_name`,
    `email`), None for a guest. An empty `site_key` (or URL, or secret) is a metafield
    the app has not written. `settings` override the block's defaults.
    """
    embed = (
        environment()
        .from_string(block_source())
        .render(
            app={"metafields": {"porch": _metafields(porch_url, site_key, identity_secret)}},
            customer=customer,
            block={"settings": {**default_settings(), **(settings or {})}},
        )
    )
    return SHOP_PAGE.render(customer=customer, app_embeds=embed)
