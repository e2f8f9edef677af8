"""The app embed's `{% schema %}` and locales, checked the way the theme editor reads them:
an invalid schema makes Shopify reject the extension at deploy, or the editor show raw keys."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from tests.shopify.storefront import EXTENSION_DIR, block_schema

LOCALES = EXTENSION_DIR / "locales"
DEFAULT_LOCALE = LOCALES / "en.default.schema.json"
EMBED_KEYS = {
    "name",
    "target",
    "settings",
    "javascript",
    "stylesheet",
    "available_if",
    "enabled_on",
    "disabled_on",
    "class",
    "tag",
}
SIDEBAR_TYPES = {"header", "paragraph"}
INPUT_TYPES = {
    "article",
    "blog",
    "checkbox",
    "collection",
    "collection_list",
    "color",
    "color_background",
    "font_picker",
    "html",
    "image_picker",
    "inline_richtext",
    "link_list",
    "metaobject",
    "metaobject_list",
    "number",
    "page",
    "product",
    "product_list",
    "radio",
    "range",
    "richtext",
    "select",
    "text",
    "textarea",
    "url",
    "video",
    "video_url",
}
HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
NAME_LIMIT = 25  # characters Shopify allows in a block name


def translation_keys(value: Any) -> set[str]:
    """Every `t:` reference in the schema."""
    if isinstance(value, str):
        return {value[2:]} if value.startswith("t:") else set()
    if isinstance(value, dict):
        return set().union(*(translation_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(translation_keys(v) for v in value))
    return set()


def leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A locale file as {"settings.color.label": "Button colour", …}."""
    found: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(leaves(value, path + "."))
        else:
            found[path] = value
    return found


def schema_locales() -> dict[str, dict[str, str]]:
    return {
        path.name: leaves(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(LOCALES.glob("*.schema.json"))
    }


def check_default(setting: dict[str, Any]) -> None:
    kind, default = setting["type"], setting.get("default")
    if kind == "color" and default is not None:  # no default: blank, the merchant may leave it
        assert HEX_COLOUR.match(default), f"{setting['id']}: {default!r} is not a colour"
    elif kind in ("select", "radio"):
        values = [option["value"] for option in setting["options"]]
        assert len(values) == len(set(values)), f"{setting['id']}: repeated option values"
        assert all(option.get("label") for option in setting["options"])
        assert default in values, f"{setting['id']}: default {default!r} is not an option"
    elif kind == "checkbox":
        assert isinstance(default, bool), f"{setting['id']}: checkbox default must be a bool"
    elif kind == "range":
        low, high, step = setting["min"], setting["max"], setting.get("step", 1)
        assert low <= default <= high and (default - low) % step == 0, setting["id"]
    elif default is not None and kind in ("text", "textarea", "html", "richtext"):
        assert isinstance(default, str), setting["id"]


def test_schema_is_an_app_embed_for_the_body() -> None:
    schema = block_schema()
    assert {"name", "target", "settings"} <= schema.keys()
    assert schema.keys() <= EMBED_KEYS, schema.keys() - EMBED_KEYS
    assert schema["target"] == "body"


def test_settings_have_unique_ids_known_types_and_valid_defaults() -> None:
    settings = block_schema()["settings"]
    ids = [s["id"] for s in settings if s["type"] not in SIDEBAR_TYPES]
    assert len(ids) == len(set(ids)), "setting ids repeat"
    for setting in settings:
        kind = setting["type"]
        assert kind in INPUT_TYPES | SIDEBAR_TYPES, f"unknown setting type {kind!r}"
        if kind in SIDEBAR_TYPES:
            assert "id" not in setting and (setting.get("content") or setting.get("label"))
            continue
        assert re.fullmatch(r"[a-z][a-z0-9_]*", setting["id"]), setting["id"]
        assert setting.get("label"), f"{setting['id']} has no label"
        check_default(setting)
    assert {"color", "position"} <= set(ids)


def test_every_translation_key_exists_in_every_schema_locale() -> None:
    used = translation_keys(block_schema())
    locales = schema_locales()
    assert DEFAULT_LOCALE.name in locales and len(locales) > 1
    for name, strings in locales.items():
        missing = used - strings.keys()
        assert not missing, f"{name} lacks {sorted(missing)}"
        unused = strings.keys() - used
        assert not unused, f"{name} has strings nothing uses: {sorted(unused)}"
        assert all(isinstance(text, str) and text.strip() for text in strings.values()), name
        assert len(strings["name"]) <= NAME_LIMIT, f"{name}: block name too long"


def test_extension_is_a_theme_app_extension() -> None:
    config = tomllib.loads((EXTENSION_DIR / "shopify.extension.toml").read_text())
    assert config["type"] == "theme"
    assert config["name"].strip()
